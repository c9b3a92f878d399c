/**
 * The well-formedness checker of a whole theory: the rule checks (`check-rules.ts`), the
 * formula checks (`check-formulas.ts`) and what only the whole theory shows:
 * - each fact name (compared case-insensitively, as Tamarin does) has one arity and one
 *   persistence across rules, lemmas and restrictions;
 * - every fact consumed on a left side is produced on some right side (Fr/In aside);
 * - every action a lemma or restriction mentions is an action of some rule;
 * - names are unique (rules; lemmas and restrictions), no declared function redeclares a
 *   builtin or reserved name, every applied symbol is declared with its arity;
 * - public constants: letters, digits and `_` only (Tamarin 1.7's lexer; 1.9 is laxer), in
 *   rules and in formulas, and no two that differ only in case;
 * - a rule whose In pattern matches an encryption under a KDFa 'CFB' key has its `_stuck`
 *   companion: CFB decrypts any ciphertext, so the pattern alone claims an authentication the
 *   runtime does not have (Tamarin 1.7.1 verified provisioning M3.2's P3.2 on that pattern).
 * `tcv export` and the tests run it on every export; an empty list means well formed.
 * @module
 */
import { type TFact, type Theory, subterms } from './ast.ts';
import { BUILTIN_FUNCTIONS, CONST_RE, IDENT_RE, RESERVED_WORDS } from './names.ts';
import { isCfbKey } from './term.ts';
import { constantsOf, ruleApplications, ruleProblems } from './check-rules.ts';
import { formulaFacts, formulaProblems, looseKU } from './check-formulas.ts';

const SPECIAL = new Set(['fr', 'in', 'out', 'k']);

export function theoryProblems(t: Theory): string[] {
  const out: string[] = [];
  if (!IDENT_RE.test(t.name)) out.push(`theory name '${t.name}' is not an identifier`);
  const rules = t.items.flatMap((i) => (i.k === 'rule' ? [i.rule] : []));
  const formulas = t.items.flatMap((i) =>
    i.k === 'lemma' ? [{ kind: 'lemma', name: i.lemma.name, f: i.lemma.formula }] : i.k === 'restriction' ? [{ kind: 'restriction', name: i.restriction.name, f: i.restriction.formula }] : [],
  );
  const sourcesLemmas = new Set(t.items.flatMap((i) => (i.k === 'lemma' && i.lemma.sources ? [i.lemma.name] : [])));
  for (const r of rules) out.push(...ruleProblems(r));
  for (const x of formulas) {
    if (!IDENT_RE.test(x.name)) out.push(`${x.kind} name '${x.name}' is not an identifier`);
    out.push(...formulaProblems(`${x.kind} ${x.name}`, x.f));
  }
  const dup = (names: string[], what: string) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n)) out.push(`two ${what} named '${n}'`);
      seen.add(n);
    }
  };
  dup(rules.map((r) => r.name), 'rules');
  dup(formulas.map((x) => x.name), 'lemmas or restrictions');

  // facts: one arity and persistence per name; consumed ones are produced; lemma actions exist
  const uses = new Map<string, Set<string>>();
  const note = (f: TFact, where: string) => {
    const k = f.name.toLowerCase();
    const s = uses.get(k) ?? new Set<string>();
    s.add(`${f.persistent ? '!' : ''}${f.name}/${f.args.length}`);
    uses.set(k, s);
    if (s.size > 1) out.push(`fact ${f.name} is used with different arities, persistence or capitalization (${[...s].join(', ')}; at ${where})`);
  };
  for (const r of rules) for (const f of [...r.lhs, ...r.actions, ...r.rhs]) note(f, `rule ${r.name}`);
  for (const x of formulas) for (const f of formulaFacts(x.f)) if (f.name.toLowerCase() !== 'k') note(f, `${x.kind} ${x.name}`);
  const produced = new Set(rules.flatMap((r) => r.rhs.map((f) => f.name)));
  for (const r of rules)
    for (const f of r.lhs)
      if (!SPECIAL.has(f.name.toLowerCase()) && !produced.has(f.name)) out.push(`rule ${r.name}: consumes ${f.name}, which no rule produces`);
  const actions = new Set(rules.flatMap((r) => r.actions.map((f) => `${f.name}/${f.args.length}`)));
  for (const x of formulas)
    for (const f of formulaFacts(x.f))
      if (f.name !== 'K' && f.name !== 'KU' && !actions.has(`${f.name}/${f.args.length}`)) out.push(`${x.kind} ${x.name}: action ${f.name}/${f.args.length} is not an action of any rule`);
      else if ((f.name === 'K' || f.name === 'KU') && f.args.length !== 1) out.push(`${x.kind} ${x.name}: ${f.name} takes one argument`);
      // KU (the attacker's construction knowledge) belongs in sources lemmas, and elsewhere
      // only as "the attacker had x before #t" (agreement with any peer)
      else if (f.name === 'KU' && !(x.kind === 'lemma' && sourcesLemmas.has(x.name)) && looseKU(x.f).length) out.push(`${x.kind} ${x.name}: KU stands only in a [sources] lemma or as 'KU(x) @ #k & #k < #t'`);

  // signature: declared functions do not redeclare; every application is declared
  const declared = new Map<string, number>();
  for (const f of t.functions) {
    if (f.name in BUILTIN_FUNCTIONS || RESERVED_WORDS.has(f.name)) out.push(`function ${f.name} redeclares a builtin or reserved name`);
    if (!IDENT_RE.test(f.name)) out.push(`function name '${f.name}' is not an identifier`);
    if (declared.has(f.name)) out.push(`function ${f.name} is declared twice`);
    declared.set(f.name, f.arity);
  }
  for (const b of builtinFunctions(t.builtins)) declared.set(b.name, b.arity);
  for (const r of rules)
    for (const a of ruleApplications(r)) {
      const ar = declared.get(a.f);
      if (ar === undefined) out.push(`rule ${r.name}: function ${a.f} is not declared (builtins: ${t.builtins.join(', ') || 'none'})`);
      else if (ar !== a.arity) out.push(`rule ${r.name}: ${a.f} applied to ${a.arity} arguments, declared with ${ar}`);
    }
  const dh = rules.some((r) => [...r.lhs, ...r.actions, ...r.rhs].some((f) => f.args.some((a) => subterms(a).some((x) => x.k === 'exp' || x.k === 'mult'))));
  if (dh && !t.builtins.includes('diffie-hellman'))
    out.push('^ is used but diffie-hellman is not a builtin');

  // public constants
  const consts = new Map<string, Set<string>>();
  for (const r of rules)
    for (const f of [...r.lhs, ...r.actions, ...r.rhs])
      for (const a of f.args)
        for (const c of constantsOf(a)) {
          if (!CONST_RE.test(c)) out.push(`rule ${r.name}: public constant ${JSON.stringify(c)} is not letters, digits and _ (Tamarin 1.7's lexer rejects it)`);
          const s = consts.get(c.toLowerCase()) ?? new Set<string>();
          s.add(c);
          consts.set(c.toLowerCase(), s);
        }
  for (const x of formulas)
    for (const f of formulaFacts(x.f))
      for (const a of f.args)
        for (const c of constantsOf(a)) if (!CONST_RE.test(c)) out.push(`${x.kind} ${x.name}: public constant ${JSON.stringify(c)} is not letters, digits and _ (Tamarin 1.7's lexer rejects it)`);
  for (const s of consts.values()) if (s.size > 1) out.push(`public constants differ only in capitalization: ${[...s].map((c) => `'${c}'`).join(', ')}`);

  const names = new Set(rules.map((r) => r.name));
  for (const r of rules.filter((x) => !/_stuck(_\d+)?$/.test(x.name)))
    if (r.lhs.some((f) => f.name === 'In' && f.args.some((a) => subterms(a).some((x) => x.k === 'app' && x.f === 'senc' && isCfbKey(x.args[1]!)))) && !names.has(`${r.name}_stuck`))
      out.push(`rule ${r.name}: its In pattern matches an encryption under a 'CFB' key, which decrypts anything, and no rule ${r.name}_stuck takes any other message`);
  return out;
}

/** The function symbols the builtins of a theory declare (pairing always; `pk` comes with
 * signing and with asymmetric-encryption). */
function builtinFunctions(builtins: readonly string[]): { name: string; arity: number }[] {
  const on = new Set(['pairing', ...builtins]);
  const out = Object.entries(BUILTIN_FUNCTIONS)
    .filter(([, b]) => on.has(b.builtin))
    .map(([name, b]) => ({ name, arity: b.arity }));
  if (on.has('asymmetric-encryption')) out.push({ name: 'pk', arity: 1 });
  return out;
}

/** Throw with every problem listed, if there is any. */
export function assertTheoryWellFormed(t: Theory): void {
  const problems = theoryProblems(t);
  if (problems.length) throw new TheoryError(t.name, problems);
}

export class TheoryError extends Error {
  constructor(
    readonly theory: string,
    readonly problems: readonly string[],
  ) {
    super(`theory ${theory} is not well formed:\n  - ${problems.join('\n  - ')}`);
  }
}
