/**
 * One symbol table (issue 14, item 5): normalisation, stuck destructors, the equations' text,
 * Tamarin's and ProVerif's declarations and the runtime's dispatch are all derived from
 * models/terms.ts `SYMBOLS`. A copy of the table with a made-up symmetric wrap/unwrap pair
 * added shows up in every derived artefact, and a runtime without an implementation of a
 * symbol refuses to start (a type error for SYMBOLS itself, checked below with ts-expect-error).
 * @module
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { symbolicTerm } from '../support/arbitraries.ts';
import assert from 'node:assert/strict';
import { type FunctionSymbol, type SymbolInfo, type SymbolTable, type Term, SYMBOLS, aenc, adec, exp, G, name, pk, sdec, senc, sign, verify, show, v } from '../../models/terms.ts';
import { EQUATIONS, equationsOf, hasStuckDestructor, normalize, tableProblems, theoryOf } from '../../models/equations.ts';
import { BUILTIN_FUNCTIONS, tamarinBuiltinFunctions } from '../../proofs-export/tamarin/names.ts';
import { REDUCIBLE } from '../../proofs-export/tamarin/term.ts';
import { PV_SIGNATURE, proverifSignature } from '../../proofs-export/proverif/functions.ts';
import { type Primitive, PRIMITIVES, checkImplementations, missingImplementations } from '../../impl/runtime/primitives.ts';

const raw = (f: string, ...args: Term[]): Term => ({ t: 'app', f: f as FunctionSymbol, args });
const M = v('m');
const K = v('k');
const WRAP: SymbolInfo = { arity: 2, public: true, role: 'constructor', tamarin: 'symmetric-encryption', sort: 'ct', kind: 'bytes' };
const UNWRAP: SymbolInfo = {
  arity: 2,
  public: true,
  role: 'destructor',
  tamarin: 'symmetric-encryption',
  sort: 'msg',
  kind: null,
  rules: [{ lhs: raw('unwrap', raw('wrap', M, K), K) as never, rhs: M }],
};
const EXTENDED: SymbolTable = { ...SYMBOLS, wrap: WRAP, unwrap: UNWRAP };
const a = name('a', 'nonce');
const k1 = name('k1', 'digest');
const k2 = name('k2', 'digest');

test('the table is well formed: every rule headed by its symbol, arities kept, rhs variables bound, every destructor has a rule', () => {
  assert.deepEqual(tableProblems(SYMBOLS), []);
  assert.deepEqual(tableProblems(EXTENDED), []);
  // and the check can fail
  const broken: SymbolTable = { ...SYMBOLS, unwrap: { ...UNWRAP, rules: [{ lhs: raw('unwrap', raw('wrap', M)) as never, rhs: K }] }, lone: { ...UNWRAP, rules: undefined } };
  const problems = tableProblems(broken);
  assert.ok(tableProblems({ ...EXTENDED, unwrap: { ...UNWRAP, rules: [{ lhs: raw('unwrap', raw('wrap', M, K)) as never, rhs: M }] } }).some((p) => p.includes('unwrap takes 2 arguments, has 1')));
  assert.ok(problems.some((p) => p.includes('unknown symbol wrap')), problems.join('; '));
  assert.ok(problems.some((p) => p.includes('k is not bound')), problems.join('; '));
  assert.ok(problems.some((p) => p.startsWith('lone: a destructor without a rule')), problems.join('; '));
});

test('the equations text is derived from the rules (the same four equations as before the table held them)', () => {
  assert.deepEqual(EQUATIONS, [
    { lhs: 'verify(sign(m, sk), m, pk(sk))', rhs: 'true', builtin: 'signing' },
    { lhs: 'sdec(senc(m, k), k)', rhs: 'm', builtin: 'symmetric-encryption' },
    { lhs: 'adec(aenc(m, pk(sk)), sk)', rhs: 'm', builtin: 'asymmetric-encryption' },
    { lhs: '(b^x)^y', rhs: 'b^(x*y)', builtin: 'diffie-hellman' },
  ]);
  assert.deepEqual(equationsOf(EXTENDED).at(-1), { lhs: 'unwrap(wrap(m, k), k)', rhs: 'm', builtin: 'symmetric-encryption' });
});

test('normalize applies each rule, and only with matching keys', () => {
  const sk = name('sk', 'skey');
  const other = name('sk2', 'skey');
  assert.equal(show(normalize(verify(sign(a, sk), a, pk(sk)))), 'true');
  assert.equal(show(normalize(verify(sign(a, sk), a, pk(other)))), 'verify(sign(~a, ~sk), ~a, pk(~sk2))');
  assert.equal(show(normalize(sdec(senc(a, k1), k1))), '~a');
  assert.equal(show(normalize(sdec(senc(a, k1), k2))), 'sdec(senc(~a, ~k1), ~k2)');
  assert.equal(show(normalize(adec(aenc(a, pk(sk)), sk))), '~a');
  assert.equal(show(normalize(adec(aenc(a, pk(sk)), other))), 'adec(aenc(~a, pk(~sk)), ~sk2)');
  // DH: towers fold, exponents commute
  const x = name('x', 'skey');
  const y = name('y', 'skey');
  const z = name('z', 'skey');
  assert.equal(show(normalize(exp(exp(exp(G, z), x), y))), show(normalize(exp(exp(exp(G, y), z), x))));
  assert.equal(show(normalize(exp(exp(G, y), x))), "'g'^(~x*~y)");
  // nested: a reduct that itself reduces
  assert.equal(show(normalize(sdec(sdec(senc(senc(a, k2), k1), k1), k2))), '~a');
});

test('hasStuckDestructor: a destructor application left after normalising', () => {
  assert.equal(hasStuckDestructor(normalize(sdec(senc(a, k1), k1))), false);
  assert.equal(hasStuckDestructor(normalize(senc(sdec(a, k1), k2))), true);
  assert.equal(hasStuckDestructor(normalize(senc(a, k1))), false);
});

test('a symbol added to a copy of the table: normalisation and stuck destructors', () => {
  const theory = theoryOf(EXTENDED);
  const t = raw('unwrap', raw('wrap', a, k1), k1);
  assert.equal(show(theory.normalize(t)), '~a');
  assert.equal(show(theory.normalize(raw('unwrap', raw('wrap', a, k1), k2))), 'unwrap(wrap(~a, ~k1), ~k2)');
  assert.equal(theory.hasStuckDestructor(raw('h', raw('unwrap', a, k1))), true);
  assert.ok(theory.destructors.has('unwrap'));
  // the real table knows nothing of it: the term stays as it is, and is not stuck there
  assert.equal(show(normalize(t)), 'unwrap(wrap(~a, ~k1), ~k1)');
  assert.equal(hasStuckDestructor(t), false);
});

test('a symbol added to a copy of the table: Tamarin builtin functions', () => {
  const fns = tamarinBuiltinFunctions(EXTENDED);
  assert.deepEqual(fns['wrap'], { builtin: 'symmetric-encryption', arity: 2, reducible: false });
  assert.deepEqual(fns['unwrap'], { builtin: 'symmetric-encryption', arity: 2, reducible: true });
  assert.equal(BUILTIN_FUNCTIONS['unwrap'], undefined);
  // the real table's: every builtin-declared symbol printed by name; destructors reducible
  for (const [f, info] of Object.entries(SYMBOLS)) {
    if (info.tamarin === 'functions' || ['tuple', 'exp', 'mult'].includes(f)) assert.equal(BUILTIN_FUNCTIONS[f], undefined, f);
    else assert.deepEqual(BUILTIN_FUNCTIONS[f], { builtin: info.tamarin, arity: info.arity, reducible: info.role === 'destructor' }, f);
  }
  assert.deepEqual([...REDUCIBLE].sort(), ['adec', 'fst', 'getMessage', 'revealVerify', 'sdec', 'snd', 'inv', 'verify'].sort());
});

test('a symbol added to a copy of the table: ProVerif fun and reduc declarations', () => {
  const sig = proverifSignature(EXTENDED);
  assert.deepEqual(sig.functions['wrap'], { arity: 2, result: 'bitstring' });
  assert.ok(sig.destructors.includes('unwrap'));
  const r = sig.reducs.find((x) => x.f === 'unwrap');
  assert.deepEqual(r && { vars: r.vars, needs: r.needs }, { vars: ['m', 'k'], needs: ['wrap'] });
  assert.equal(PV_SIGNATURE.reducs.find((x) => x.f === 'unwrap'), undefined);
  assert.deepEqual(PV_SIGNATURE.reducs.map((x) => [x.f, x.vars.join(','), x.needs.join(',')]), [
    ['verify', 'm,sk', 'sign,pk'],
    ['sdec', 'm,k', 'senc'],
    ['adec', 'm,sk', 'aenc,pk'],
  ]);
});

test('the runtime has an implementation of every symbol, and refuses a table with one it lacks', () => {
  assert.deepEqual(missingImplementations(SYMBOLS, PRIMITIVES), []);
  assert.deepEqual(missingImplementations(EXTENDED, PRIMITIVES), ['wrap', 'unwrap']);
  assert.throws(() => checkImplementations(EXTENDED, PRIMITIVES), /no implementation of 'wrap', 'unwrap'/);
  const stub: Primitive = (arg) => arg(0);
  assert.doesNotThrow(() => checkImplementations(EXTENDED, { ...PRIMITIVES, wrap: stub, unwrap: stub }));
  // for SYMBOLS itself a missing entry is a compile-time error (npm run typecheck fails if it is not)
  const { h: _h, ...withoutH } = PRIMITIVES;
  // @ts-expect-error — 'h' is missing
  const incomplete: { readonly [F in FunctionSymbol]: Primitive } = withoutH;
  assert.deepEqual(missingImplementations(SYMBOLS, incomplete), ['h']);
});

test('normalize (derived) is idempotent, and a theory built afresh from the table agrees with it', () => {
  const fresh = theoryOf({ ...SYMBOLS });
  const reducible = (t: Term): boolean =>
    t.t === 'app' && ((SYMBOLS[t.f].rules ?? []).some((r) => matchesRoot(r.lhs, t)) || t.args.some(reducible));
  fc.assert(
    fc.property(symbolicTerm, (t) => {
      const n = normalize(t);
      assert.equal(show(normalize(n)), show(n));
      assert.equal(show(fresh.normalize(t)), show(n));
      assert.equal(reducible(n), false, `a rule still applies in ${show(n)}`);
    }),
    { seed: 20261203, numRuns: 400 },
  );
});

function matchesRoot(p: Term, t: Term, s = new Map<string, string>()): boolean {
  if (p.t === 'var') {
    const b = s.get(p.name);
    if (b === undefined) s.set(p.name, show(t));
    return b === undefined || b === show(t);
  }
  return p.t === 'app' && t.t === 'app' && p.f === t.f && p.args.length === t.args.length && p.args.every((a, i) => matchesRoot(a, t.args[i]!, s));
}
