/**
 * The partial-order reduction's test (see `search.ts`): after a step L, a step C of another
 * instance that commutes with it — C's input is derivable without L's outputs and mentions none
 * of L's inputs — and leaves no attacker choice open may be skipped, since the order C·L is
 * explored instead and is at least as general (C's inputs are fixed, and L's open choices are
 * made knowing more).
 * @module
 */
import { type Term, mapTerm } from '../../models/terms.ts';
import { type SolveContext, solve } from './deduction.ts';
import type { SymState } from './execute.ts';
import { resolve } from './unify.ts';


/** Is the received message `m` of the step that led to `st` derivable from the knowledge before
 * the previous step (`knowFrom` entries), without fixing any open choice? A null `m` (no input)
 * always is. Reads of the levels it compares are reported to the visited set. */
export function independent(st: SymState, m: Term | null, knowFrom: number, ctx: SolveContext): boolean {
  if (!m) return true;
  const levels = new Map(st.cons.map((c) => [(c.t as { name: string }).name, c.lvl]));
  const vars: string[] = [];
  mapTerm(m, (u) => (u.t === 'var' && vars.push(u.name), u));
  if (vars.some((x) => (levels.get(x) ?? 0) >= knowFrom)) return false;
  for (const x of vars) if (levels.has(x)) ctx.levelRead?.(x, null);
  ctx.know = st.know;
  const sols = solve([...st.cons, { lvl: knowFrom, t: m }], st.s, ctx);
  // the same state, not a more specific one: no open choice gets fixed
  return sols.some((sol) => st.cons.every((c) => resolve(c.t, sol.s).t === 'var'));
}
