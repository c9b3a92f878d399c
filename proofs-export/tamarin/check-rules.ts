/**
 * Well-formedness of single rules, as Tamarin 1.7 checks it (lib/theory/src/Theory/Tools/
 * Wellformedness.hs), made a little stricter where that keeps the check simple:
 * - `Fr`/`In` only on the left, `Out` only on the right, never as actions; each of arity 1;
 *   `Fr` of a fresh (or message) variable; `K`/`KU`/`KD` nowhere in a rule;
 * - every variable of the actions and the right side is bound on the left or is public
 *   (a fresh variable must come from `Fr` or an earlier fact);
 * - no reducible symbol, `^` or `*` on the left (Tamarin abstracts such subterms away, and the
 *   variables under them count as unbound), no `*` on the right;
 * - within a rule, one sort and one capitalization per variable name (`x`/`~x`, `e`/`E`);
 * - identifiers are identifiers, fact names start upper-case, variables are not reserved words.
 * @module
 */
import { type TFact, type TRule, type TTerm, subterms, termVars } from './ast.ts';
import { BUILTIN_FUNCTIONS, IDENT_RE, RESERVED_FACTS, RESERVED_WORDS } from './names.ts';
import { printFact } from './print.ts';
import { hasReducible } from './term.ts';

const isSpecial = (f: TFact, n: string) => f.name.toLowerCase() === n;

export function ruleProblems(r: TRule): string[] {
  const out: string[] = [];
  const at = `rule ${r.name}`;
  if (!IDENT_RE.test(r.name)) out.push(`${at}: '${r.name}' is not an identifier`);
  const all = [...r.lhs, ...r.actions, ...r.rhs];
  for (const f of all) {
    if (!/^[A-Z][A-Za-z0-9_]*$/.test(f.name)) out.push(`${at}: fact name '${f.name}' must be an identifier starting with an upper-case letter`);
    if (['k', 'ku', 'kd'].includes(f.name.toLowerCase())) out.push(`${at}: reserved fact ${printFact(f)} in a rule`);
    if (['fr', 'in', 'out'].some((n) => isSpecial(f, n)) && (f.args.length !== 1 || f.persistent)) out.push(`${at}: ${printFact(f)} must be linear with one argument`);
  }
  for (const f of r.lhs) if (isSpecial(f, 'out')) out.push(`${at}: Out on the left side: ${printFact(f)}`);
  for (const f of r.rhs) if (isSpecial(f, 'fr') || isSpecial(f, 'in')) out.push(`${at}: ${f.name} on the right side: ${printFact(f)}`);
  for (const f of r.actions) if (RESERVED_FACTS.has(f.name.toLowerCase())) out.push(`${at}: reserved fact as an action: ${printFact(f)}`);
  for (const f of r.lhs)
    if (isSpecial(f, 'fr')) {
      const a = f.args[0];
      if (!a || a.k !== 'var' || a.sort === 'pub') out.push(`${at}: ${printFact(f)}: Fr takes a fresh variable`);
    }
  const frVars = r.lhs.filter((f) => isSpecial(f, 'fr')).map((f) => f.args[0]);
  if (new Set(frVars.map((v) => v && v.k === 'var' ? v.name : '?')).size !== frVars.length) out.push(`${at}: two Fr facts of the same variable`);

  // left side: no reducible symbols, so that binding is syntactic
  for (const f of r.lhs)
    for (const a of f.args) if (hasReducible(a)) out.push(`${at}: left side ${printFact(f)} contains a reducible symbol, ^ or * (Tamarin would treat its variables as unbound)`);
  for (const f of r.rhs) for (const a of f.args) if (subterms(a).some((t) => t.k === 'mult')) out.push(`${at}: * on the right side: ${printFact(f)}`);

  // binding: right side and actions only use variables of the left side (public ones excepted)
  const key = (v: { name: string; sort: string }) => `${v.sort}:${v.name}`;
  const bound = new Set(r.lhs.flatMap((f) => f.args.flatMap((a) => termVars(a).map(key))));
  const unbound = new Set<string>();
  for (const f of [...r.actions, ...r.rhs])
    for (const a of f.args)
      for (const v of termVars(a))
        if (v.sort !== 'pub' && !bound.has(key(v))) unbound.add(`${v.sort === 'fresh' ? '~' : ''}${v.name}`);
  for (const u of unbound) out.push(`${at}: variable ${u} is not bound on the left side${u.startsWith('~') ? ' (a fresh value needs Fr)' : ''}`);

  // one sort and one capitalization per variable name
  const byLower = new Map<string, Set<string>>();
  for (const f of all)
    for (const a of f.args)
      for (const v of termVars(a)) {
        const s = byLower.get(v.name.toLowerCase()) ?? new Set<string>();
        s.add(key(v));
        byLower.set(v.name.toLowerCase(), s);
        if (!IDENT_RE.test(v.name)) out.push(`${at}: variable '${v.name}' is not an identifier`);
        if (RESERVED_WORDS.has(v.name) || v.name in BUILTIN_FUNCTIONS) out.push(`${at}: variable '${v.name}' is a reserved name`);
      }
  for (const [n, s] of byLower) if (s.size > 1) out.push(`${at}: variable ${n} used with different sorts or capitalizations (${[...s].join(', ')})`);
  return out;
}

/** Every function application of a rule (to check against the signature). */
export function ruleApplications(r: TRule): { f: string; arity: number }[] {
  const out: { f: string; arity: number }[] = [];
  for (const fa of [...r.lhs, ...r.actions, ...r.rhs])
    for (const a of fa.args) for (const t of subterms(a)) if (t.k === 'app') out.push({ f: t.f, arity: t.args.length });
  return out;
}

/** Public constants of a term. */
export function constantsOf(t: TTerm): string[] {
  return subterms(t).flatMap((s) => (s.k === 'const' ? [s.name] : []));
}
