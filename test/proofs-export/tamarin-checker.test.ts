import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TRule, type Theory, type TItem, all, at, ex, fact, imp, mv, pfact, tapp, tconst, tv, tvar } from '../../proofs-export/tamarin/ast.ts';
import { theoryProblems } from '../../proofs-export/tamarin/check-theory.ts';
import { exportTamarin } from '../../proofs-export/tamarin/theory.ts';
import { ExportError } from '../../proofs-export/tamarin/term.ts';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { replaceSteps } from '../../models/edits.ts';
import { match } from '../../models/steps.ts';
import { h, tup, v } from '../../models/terms.ts';
import { T } from '../../models/parties/tddl.ts';
import { targetOf } from '../../models/target.ts';

const x = tvar('x');
const k = tvar('k', 'fresh');
/** A small well-formed theory: one key, one rule sending a hash, a secrecy lemma. */
function theory(extra: { rules?: TRule[]; items?: TItem[]; functions?: { name: string; arity: number }[] } = {}): Theory {
  const rules: TRule[] = [
    { name: 'Key', comments: [], lhs: [fact('Fr', k)], actions: [fact('Secret', k)], rhs: [pfact('Key', k)] },
    { name: 'Send', comments: [], lhs: [pfact('Key', k), fact('In', x)], actions: [], rhs: [fact('Out', tapp('h', tapp('hmac', k, x)))] },
    ...(extra.rules ?? []),
  ];
  return {
    name: 'T',
    comments: [],
    builtins: ['hashing'],
    functions: extra.functions ?? [{ name: 'hmac', arity: 2 }],
    items: [
      ...rules.map((rule): TItem => ({ k: 'rule', rule })),
      { k: 'lemma', lemma: { name: 'secret', comments: [], trace: 'all-traces', formula: all([mv('s'), tv('i')], imp(at(fact('Secret', tvar('s')), 'i'), { k: 'not', f: ex([tv('j')], at(fact('K', tvar('s')), 'j')) })) } },
      ...(extra.items ?? []),
    ],
  };
}
const problems = (t: Theory) => theoryProblems(t).join('\n');

test('the hand-built base theory is well formed (so each negative test below fails for its own reason)', () => {
  assert.deepEqual(theoryProblems(theory()), []);
});

test('a right-side variable bound nowhere on the left is rejected', () => {
  const bad: TRule = { name: 'Leak', comments: [], lhs: [fact('In', x)], actions: [], rhs: [fact('Out', tvar('y'))] };
  assert.match(problems(theory({ rules: [bad] })), /rule Leak: variable y is not bound on the left side/);
});

test('a fresh variable without Fr is rejected; a public one is allowed', () => {
  const bad: TRule = { name: 'Mint', comments: [], lhs: [], actions: [], rhs: [fact('Out', tvar('n', 'fresh')), fact('Out', tvar('A', 'pub'))] };
  const p = problems(theory({ rules: [bad] }));
  assert.match(p, /variable ~n is not bound on the left side \(a fresh value needs Fr\)/);
  assert.doesNotMatch(p, /variable A /);
});

test('Out on the left, In and Fr on the right are rejected', () => {
  const bad: TRule = { name: 'Wrong', comments: [], lhs: [fact('Out', x)], actions: [], rhs: [fact('In', x), fact('Fr', x)] };
  const p = problems(theory({ rules: [bad] }));
  assert.match(p, /Out on the left side/);
  assert.match(p, /In on the right side/);
  assert.match(p, /Fr on the right side/);
});

test('a fact with two arities, or linear and persistent, is rejected', () => {
  const bad: TRule = { name: 'Arity', comments: [], lhs: [fact('In', x)], actions: [], rhs: [fact('Key', x, x)] };
  assert.match(problems(theory({ rules: [bad] })), /fact Key is used with different arities, persistence or capitalization/);
});

test('a consumed fact nobody produces is rejected', () => {
  const bad: TRule = { name: 'Orphan', comments: [], lhs: [fact('Ghost', x)], actions: [], rhs: [fact('Out', x)] };
  assert.match(problems(theory({ rules: [bad] })), /consumes Ghost, which no rule produces/);
});

test('redeclaring a builtin function or using an undeclared one is rejected', () => {
  assert.match(problems(theory({ functions: [{ name: 'hmac', arity: 2 }, { name: 'h', arity: 1 }] })), /function h redeclares a builtin/);
  assert.match(problems(theory({ functions: [] })), /function hmac is not declared/);
});

test('a destructor on the left side, a sort clash and a case clash are rejected', () => {
  const dec: TRule = { name: 'Dec', comments: [], lhs: [fact('In', tapp('sdec', x, x))], actions: [], rhs: [] };
  const sorts: TRule = { name: 'Sorts', comments: [], lhs: [fact('Fr', tvar('n', 'fresh')), fact('In', tvar('n'))], actions: [], rhs: [fact('Out', tvar('N'))] };
  const p = problems(theory({ rules: [dec, sorts] }));
  assert.match(p, /rule Dec: left side In\(sdec\(x, x\)\) contains a reducible symbol/);
  assert.match(p, /rule Sorts: variable n used with different sorts or capitalizations/);
});

test('public constants that differ only in case are rejected', () => {
  const r: TRule = { name: 'Consts', comments: [], lhs: [], actions: [], rhs: [fact('Out', tconst('SECRET')), fact('Out', tconst('secret'))] };
  assert.match(problems(theory({ rules: [r] })), /public constants differ only in capitalization: 'SECRET', 'secret'/);
});

test('an unguarded lemma and a lemma about an action no rule has are rejected', () => {
  const unguarded: TItem = { k: 'lemma', lemma: { name: 'loose', comments: [], trace: 'all-traces', formula: all([mv('s'), mv('t'), tv('i')], imp(at(fact('Secret', tvar('s')), 'i'), { k: 'eq', l: tvar('s'), r: tvar('t') })) } };
  const ghost: TItem = { k: 'lemma', lemma: { name: 'ghost', comments: [], trace: 'exists-trace', formula: ex([tv('i')], at(fact('Never'), 'i')) } };
  const p = problems(theory({ items: [unguarded, ghost] }));
  assert.match(p, /lemma loose: All variable t does not occur in an action before ==>/);
  assert.match(p, /lemma ghost: action Never\/0 is not an action of any rule/);
});

test('something Tamarin cannot express gets an error naming it: a match on a computed hash', () => {
  const p = PROTOCOLS.find((x) => x.name === 'tztcm-session')!;
  const bad = {
    ...p,
    variants: [
      {
        id: 'bad',
        title: 'destructure a hash',
        breaks: [],
        edit: replaceSteps(['TDDL'], (s) => s.op === 'fresh' && s.v.name === 'nD', (s) => [s, match(tup(v('a'), v('b')), h(T.K), 'split hash')]),
      },
    ],
  };
  assert.throws(() => exportTamarin(targetOf(bad, 'bad')), (e: unknown) => e instanceof ExportError && /tddl\.openSession: match 'split hash'/.test(e.message));
});

test("constants outside Tamarin 1.7's lexer (letters, digits, _) are rejected, in rules and in lemmas; the exports spell them so", () => {
  const raw = (name: string) => ({ k: 'const' as const, name }); // bypasses tconst's spelling, as the old exporter did
  const bad: TRule = { name: 'Tagged', comments: [], lhs: [fact('In', x)], actions: [fact('Seen', raw('GetTime-rsp'))], rhs: [fact('Out', raw('static string'))] };
  const lemma: TItem = { k: 'lemma', lemma: { name: 'seen', comments: [], trace: 'exists-trace', formula: ex([tv('i')], at(fact('Seen', raw('tag_tee-key')), 'i')) } };
  const p = problems(theory({ rules: [bad], items: [lemma] }));
  for (const c of ['GetTime-rsp', 'static string', 'tag_tee-key']) assert.match(p, new RegExp(`"${c}" is not letters, digits and _`));
  assert.equal(tconst('tag_tee-key').k === 'const' && (tconst('tag_tee-key') as { name: string }).name, 'tag_tee_key');
  for (const proto of PROTOCOLS) for (const variant of [undefined, ...proto.variants.map((vv) => vv.id)]) {
      const code = exportTamarin(targetOf(proto, variant)).text.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
      for (const m of code.matchAll(/'([^'\n]*)'/g)) assert.match(m[1]!, /^[A-Za-z0-9_]+$/, `${proto.name} ${variant ?? ''}`);
    }
});

test('KU (construction knowledge) is accepted in a [sources] lemma only', () => {
  const ku = (sources: boolean): TItem => ({ k: 'lemma', lemma: { name: 'typing', comments: [], trace: 'all-traces', sources, formula: all([mv('s'), tv('i')], imp(at(fact('Secret', tvar('s')), 'i'), ex([tv('j')], at(fact('KU', tvar('s')), 'j')))) } });
  assert.deepEqual(theoryProblems(theory({ items: [ku(true)] })), []);
  assert.match(problems(theory({ items: [ku(false)] })), /KU stands only in a \[sources\] lemma/);
});
