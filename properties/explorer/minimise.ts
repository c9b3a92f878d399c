/**
 * Attack traces cut down to the steps the attack uses. The search reaches a violation along a
 * path that may hold steps nothing in the attack depends on: a session started first because
 * starting early is the most general order, a run with another party that only happened to come
 * first. A trace is shown without them.
 *
 * A shorter trace is never taken on trust: each candidate schedule (the kept steps, in their
 * order) is executed again from the scenario's initial state by the same symbolic interpreter
 * and judged by the same judge, and only a schedule that violates the property again is kept.
 * The trace shown is that re-execution (its deductions made by the solver for these steps), so
 * every step in it is a step the machines take and every message is one the attacker builds.
 *
 * Candidates: first the dependency closure (`attackSteps`); then, one by one, each remaining
 * step with its instance's later steps. A replay that leaves any choice to the solver tries each
 * of its solutions, within a work budget.
 * @module
 */
import { type Deduction, type SolveContext } from './deduction.ts';
import { type SymState, type TraceStep, execReveal, execTransition, initialState } from './execute.ts';
import { reads } from './judge.ts';
import type { Scenario } from './scenario.ts';
import { type Finding, judgeAt } from './search.ts';
import { FreshVars } from './unify.ts';

/** Symbolic steps a replay may execute, across all its branches. */
const REPLAY_BUDGET = 2_000;

/**
 * The steps of a finding's trace the attack uses (indices, in order): the step of the violating
 * claim; for secrecy, the steps that gave what the attacker derives the secret from; for
 * injective agreement, the steps of every claim the property compares (a replay needs the other
 * Commit and the shared Running); and, closing over these, every earlier step of the same
 * instance and every step that sent a message (or revealed a value) a kept step's input was
 * built from.
 */
export function attackSteps(f: Finding): number[] {
  const st = f.state;
  const producer = new Map<number, number>();
  st.steps.forEach((s, k) => {
    for (const m of s.sends) producer.set(m.know, k);
    if (s.reveal) producer.set(s.reveal.know, k);
  });
  const keep = new Set<number>();
  const work: number[] = [f.violation.claim.step];
  const uses = (notes: readonly Deduction[]) => {
    for (const d of notes) if (d.from !== undefined && producer.has(d.from)) work.push(producer.get(d.from)!);
  };
  if (f.goal) uses(f.goal.notes);
  if (f.prop.kind === 'injective-agreement')
    st.steps.forEach((s, k) => {
      if (s.claims.some((c) => reads(f.prop, c.event, c.role, c.tag))) work.push(k);
    });
  while (work.length) {
    const k = work.pop()!;
    if (keep.has(k)) continue;
    keep.add(k);
    const s = st.steps[k]!;
    uses(s.deductions);
    if (s.inst >= 0) for (let j = 0; j < k; j++) if (st.steps[j]!.inst === s.inst) work.push(j);
  }
  return [...keep].sort((a, b) => a - b);
}

/**
 * Executes `schedule` (steps of a trace of this scenario, in order) from the initial state and
 * returns a violation of the finding's property at its end, or null (a step cannot be taken, no
 * branch violates the property, or the budget ran out).
 */
export function replay(scen: Scenario, f: Finding, schedule: readonly TraceStep[]): Finding | null {
  const ctx: SolveContext = { know: [], fresh: new FreshVars(), budget: { perCall: 200_000, cut: false } };
  let work = REPLAY_BUDGET;
  const go = (st: SymState, k: number): Finding | null => {
    if (ctx.budget.cut || --work < 0) return null;
    if (k === schedule.length) return judgeAt(f.prop, st, ctx);
    const step = schedule[k]!;
    if (step.reveal) {
      const r = scen.reveals.findIndex((x) => x.event === step.reveal!.event && x.agent === step.reveal!.agent);
      return r < 0 || st.revealed.includes(r) ? null : go(execReveal(st, r, scen.reveals[r]!), k + 1);
    }
    const inst = st.insts[step.inst];
    const spec = inst && scen.roles.get(inst.role)!.transitions.find((t) => t.label === step.transition && t.from === inst.state);
    if (!spec) return null;
    ctx.know = st.know;
    for (const next of execTransition(st, step.inst, spec, ctx)) {
      const found = go(next.state, k + 1);
      if (found) return found;
    }
    return null;
  };
  return go(initialState(scen), 0);
}

/** The finding with only the steps its attack uses (re-executed; see the module comment), and
 * how many steps of the path found were left out. */
export function minimise(scen: Scenario, f: Finding): { finding: Finding; omitted: number } {
  const all = f.state.steps;
  let best = f;
  let kept = all;
  const closure = attackSteps(f).map((k) => all[k]!);
  if (closure.length < all.length) {
    const r = replay(scen, f, closure);
    if (r) {
      best = r;
      kept = closure;
    }
  }
  // then each step, with its instance's later steps
  for (let k = 0; k < kept.length; k++) {
    const drop = kept[k]!;
    const rest = kept.filter((s, j) => j !== k && !(j > k && drop.inst >= 0 && s.inst === drop.inst));
    const r = replay(scen, f, rest);
    if (r) {
      best = r;
      kept = rest;
      k--;
    }
  }
  return { finding: best, omitted: all.length - best.state.steps.length };
}
