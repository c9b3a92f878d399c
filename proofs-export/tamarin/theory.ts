/**
 * A protocol (or one of its variants) as a Tamarin theory: the walk of its machines
 * (`../walk.ts`), set-up and reveal rules, one start rule per role, one rule per transition,
 * the restrictions the rules rely on, one lemma per property and the executability lemma.
 * `exportTamarin` returns the tree and its text; the text is what `tcv export` writes.
 * @module
 */
import type { Protocol } from '../../models/protocol.ts';
import type { Target } from '../../models/target.ts';
import { SYMBOLS, type FunctionSymbol, varsOf } from '../../models/terms.ts';
import { stepTerms } from '../../models/steps.ts';
import { type ProtocolWalk, walkTarget } from '../walk.ts';
import { tagWalk } from '../typing-tags.ts';
import type { Term } from '../../models/terms.ts';
import { type TFunction, type TItem, type TLemma, type TRestriction, type TRule, not, type TTerm, type Theory, all, and, at, ex, fact, imp, mv, or, tv, tvar, subterms } from './ast.ts';
import { BUILTIN_FUNCTIONS, VarNames, constIdent, ident } from './names.ts';
import { ExportError, spthyTerm } from './term.ts';
import { type ExportContext, stuckAction, tagConst, transitionRules } from './rules.ts';
import { setupRules, startRule } from './setup.ts';
import { executabilityLemma, helperSecrecyLemma, propertyLemma } from './lemmas.ts';
import { printTheory } from './print.ts';

/** The builtins in the order Tamarin's manual lists them; a theory declares those it uses. */
const BUILTIN_ORDER = ['diffie-hellman', 'hashing', 'signing', 'symmetric-encryption', 'asymmetric-encryption'];

export function theoryName(target: Target): string {
  const { base: p, variant } = target;
  return ident(variant === undefined ? p.name : `${p.name}_${variant.id}`);
}

function signature(rules: readonly TRule[]): { builtins: string[]; functions: TFunction[] } {
  const builtins = new Set<string>();
  const functions = new Map<string, number>();
  for (const r of rules)
    for (const f of [...r.lhs, ...r.actions, ...r.rhs])
      for (const a of f.args)
        for (const t of subterms(a)) {
          if (t.k === 'exp' || t.k === 'mult') builtins.add('diffie-hellman');
          if (t.k !== 'app') continue;
          const info = SYMBOLS[t.f as FunctionSymbol];
          if (info && info.tamarin === 'functions') functions.set(t.f, info.arity);
          else if (info) builtins.add(info.tamarin);
          else if (BUILTIN_FUNCTIONS[t.f]) builtins.add(BUILTIN_FUNCTIONS[t.f]!.builtin);
          else functions.set(t.f, t.args.length);
        }
  builtins.delete('pairing');
  return {
    builtins: BUILTIN_ORDER.filter((b) => builtins.has(b)).concat([...builtins].filter((b) => !BUILTIN_ORDER.includes(b)).sort()),
    functions: [...functions.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, arity]) => ({ name, arity })),
  };
}

/** Model constants and claim tags that would meet in one Tamarin spelling (`constIdent`). */
function constantClashes(w: ProtocolWalk): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  const note = (raw: string) => {
    const k = constIdent(raw);
    const prev = seen.get(k);
    if (prev === undefined) seen.set(k, raw);
    else if (prev !== raw) out.push(`'${prev}' and '${raw}' are both '${k}' in Tamarin`);
  };
  const visit = (t: Term) => {
    if (t.t === 'const') note(t.name);
    if (t.t === 'app') t.args.forEach(visit);
  };
  for (const r of w.roles) {
    note(r.decl.role);
    for (const t of r.transitions)
      for (const s of t.steps) {
        stepTerms(s).forEach(visit);
        if (s.op === 'claim') note(`tag_${s.tag}`);
        if (s.op === 'store') note(s.slot);
      }
    Object.values(r.decl.knows).forEach(visit);
  }
  for (const l of w.protocol.longTerm) [l.name, ...(l.reveal ? [l.reveal] : [])].forEach(note);
  return out;
}

/** The generated sources lemma (rules.ts `sourceActions`): a value a role learns from the
 * plaintext of a received encryption was known to the attacker before, or the encryption is
 * one an honest rule sent. Tamarin proves it first, by induction, and uses it to resolve the
 * partial deconstructions that otherwise keep nspk, nsl and nssk from terminating (manual
 * §"Sources lemmas"; Tamarin's own NSPK3 example has the same shape, written by hand). */
function sourcesLemma(): TLemma {
  const x = tvar('x');
  const c = tvar('c');
  return {
    name: 'received_plaintexts',
    comments: ['sources (typing) lemma, generated: every value learnt from a received encryption was known to the attacker before, or the encryption was sent by an honest rule', 'expected: holds (Tamarin: verified; proved first, by induction, and used for the others)'],
    trace: 'all-traces',
    sources: true,
    formula: all(
      [mv('x'), mv('c'), tv('i')],
      imp(at(fact('RecvEnc', x, c), 'i'), or(ex([tv('j')], and(at(fact('KU', x), 'j'), { k: 'before', a: 'j', b: 'i' })), ex([tv('j')], and(at(fact('SentEnc', c), 'j'), { k: 'before', a: 'j', b: 'i' })))),
    ),
  };
}

/** For each destructor a `_stuck` rule applies (rules.ts `transitionRules`): its ciphertext is
 * not one the destructor's equation reduces (`sdec(senc(m, k), k) = m`, models/terms.ts
 * SYMBOLS), written as no `StuckSdec(senc(m, k), k)` action at all. Tamarin matches the guard
 * as the rule's ciphertext gets instantiated, which ends that case. */
function stuckRestrictions(rules: readonly TRule[]): TRestriction[] {
  const out: TRestriction[] = [];
  for (const [f, info] of Object.entries(SYMBOLS)) {
    const name = stuckAction(f);
    if (!info.rules || !rules.some((r) => r.actions.some((a) => a.name === name))) continue;
    for (const eq of info.rules) {
      if (eq.lhs.t !== 'app') continue;
      const vars = [...new Set(eq.lhs.args.flatMap((a) => varsOf(a).map((x) => x.name)))];
      const args = eq.lhs.args.map((a) => spthyTerm(a, (n) => tvar(n), `restriction ${name}`));
      out.push({
        name: `Stuck_${f}`,
        comments: [`a _stuck rule's ${f}: its ciphertext is not one ${f} decrypts (${f} keeps the stuck term only then)`],
        formula: not(ex([...vars.map(mv), tv('i')], at(fact(name, ...args), 'i'))),
      });
    }
  }
  return out;
}

export interface TamarinExport {
  readonly theory: Theory;
  readonly text: string;
}

/** Export a resolved target (its variant applied) as a Tamarin theory. Throws `ModelError` for
 * a model that is not well formed and `ExportError` for something Tamarin cannot express. */
export function exportTamarin(target: Target): TamarinExport {
  const { base: p, variant } = target;
  const walk = tagWalk(walkTarget(target));
  const protocol = walk.protocol;
  const clashes = constantClashes(walk);
  if (clashes.length) throw new ExportError(`${p.name}: constants that Tamarin's lexer cannot tell apart: ${clashes.join('; ')}`);
  const ctx: ExportContext = { protocol, names: new VarNames(['tid', 'A', 'kind', 'role', 'actor', 'peer']), stateSorts: new Map(), ruleNames: new Set() };
  const items: TItem[] = [];
  const rules: TRule[] = [];
  const addRules = (title: string, lines: string[], rs: TRule[]) => {
    items.push({ k: 'section', section: { title, lines } });
    for (const r of rs) items.push({ k: 'rule', rule: r });
    rules.push(...rs);
  };
  addRules('Long-term set-up and compromise', ['One value per long-term name and agent (LtkUnique); Reveal rules are the declared compromise events.'], setupRules(ctx));
  for (const rw of walk.roles) {
    const rs = [startRule(ctx, rw), ...rw.transitions.flatMap((t) => transitionRules(ctx, rw, t))];
    addRules(`Role ${rw.decl.role} (party ${rw.def.party}${rw.decl.initiator ? ', initiator' : ''})`, [`machine '${rw.def.role}', states: ${rw.states.join(', ')}`], rs);
  }
  const x = tvar('x');
  const y = tvar('y');
  items.push({ k: 'section', section: { title: 'Restrictions', lines: [] } });
  if (rules.some((r) => r.actions.some((a) => a.name === 'Eq')))
    items.push({
      k: 'restriction',
      restriction: { name: 'Equality', comments: ['a check step: both sides are equal modulo the equational theory'], formula: all([mv('x'), mv('y'), tv('i')], imp(at(fact('Eq', x, y), 'i'), { k: 'eq', l: x, r: y })) },
    });
  if (rules.some((r) => r.actions.some((a) => a.name === 'LtkGen'))) {
    const n = tvar('n');
    const A = tvar('A');
    items.push({
      k: 'restriction',
      restriction: {
        name: 'LtkUnique',
        comments: ['each agent has one value of each long-term name'],
        formula: all(
          [mv('n'), mv('A'), mv('x'), mv('y'), tv('i'), tv('j')],
          imp({ k: 'and', fs: [at(fact('LtkGen', n, A, x), 'i'), at(fact('LtkGen', n, A, y), 'j')] }, { k: 'same', a: 'i', b: 'j' }),
        ),
      },
    });
  }
  for (const r of stuckRestrictions(rules)) items.push({ k: 'restriction', restriction: r });
  items.push({ k: 'section', section: { title: 'Properties', lines: ['One lemma per property of the protocol, then the executability lemma.'] } });
  if (rules.some((r) => r.actions.some((a) => a.name === 'RecvEnc'))) items.push({ k: 'lemma', lemma: sourcesLemma() });
  const stated = new Set(protocol.properties.filter((x) => x.kind === 'secrecy' || x.kind === 'forward-secrecy').map((x) => (tagConst(x.tag) as { name: string }).name));
  const claimed = rules.flatMap((r) => r.actions.flatMap((a) => (a.name === 'Secret' && a.args[1]?.k === 'const' ? [a.args[1].name] : [])));
  for (const tag of claimed.filter((t, i, a) => a.indexOf(t) === i && !stated.has(t)).sort()) items.push({ k: 'lemma', lemma: helperSecrecyLemma(protocol, tag.replace(/^tag_/, '')) });
  for (const prop of protocol.properties) items.push({ k: 'lemma', lemma: propertyLemma(protocol, prop, rules, variant) });
  const finishes: { role: string; tag: string }[] = [];
  for (const r of rules)
    for (const a of r.actions)
      if (a.name === 'Finish') {
        const [role, tag] = a.args as [TTerm & { k: 'const' }, TTerm & { k: 'const' }];
        if (!finishes.some((f) => f.role === role.name)) finishes.push({ role: role.name, tag: tag.name });
      }
  items.push({ k: 'lemma', lemma: executabilityLemma(protocol, finishes) });
  const theory: Theory = {
    name: theoryName(target),
    comments: [
      `${p.title} — ${p.source}`,
      ...(variant ? [`variant ${variant.id}: ${variant.title}${variant.breaks.length ? ` (breaks ${variant.breaks.join(', ')})` : ''}`] : []),
      'Generated by `tcv export` from the protocol machines (models/); do not edit: edit the model.',
      'Notes: <a, b, c> is right-nested pairs here (n-ary in the model); received values are untyped',
      "(the runtime checks their sort); Tamarin's DH theory adds inverses the model does not have.",
    ],
    ...signature(rules),
    items,
  };
  return { theory, text: printTheory(theory) };
}
