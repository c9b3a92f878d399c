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
 * of its solutions, within a work budget (per replay and per minimisation, in steps executed, so
 * the trace shown does not depend on the machine's speed).
 * @module
 */
import { type Deduction, newSolveContext } from './deduction.ts';
import { type SymState, type TraceStep, execReveal, execTransition, initialState } from './execute.ts';
import { reads } from './judge.ts';
import type { Scenario } from './scenario.ts';
import { type Finding, judgeAt } from './search.ts';
import { FreshVars } from './unify.ts';

/** Symbolic steps one replay may execute across its branches, per step of its schedule: a
 * replay that finds the attack mostly takes each step once; one that does not would otherwise
 * try every combination of the solver's answers. */
const REPLAY_BUDGET_PER_STEP = 3;
/** Symbolic steps all the replays of one minimisation may execute, per step of the path found:
 * the cost of a shorter trace stays a small part of a search's. */
const MINIMISE_BUDGET_PER_STEP = 20;

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
export function replay(scen: Scenario, f: Finding, schedule: readonly TraceStep[], budget = { steps: REPLAY_BUDGET_PER_STEP * schedule.length }, shared: ReplayCache = newReplayCache()): Finding | null {
  const ctx = newSolveContext(shared.fresh);
  if (f.prop.peers === 'any') ctx.attackerHad = true; // the search's claims record `had` too
  let work = Math.min(budget.steps, REPLAY_BUDGET_PER_STEP * schedule.length);
  // `path`: the steps taken so far, each with the solution chosen, which determine the state
  const go = (st: SymState, k: number, path: string): Finding | null => {
    if (ctx.budget.cut) return null;
    if (k === schedule.length) return judgeAt(f.prop, st, ctx);
    const step = schedule[k]!;
    if (step.reveal) {
      const r = scen.reveals.findIndex((x) => x.event === step.reveal!.event && x.agent === step.reveal!.agent);
      return r < 0 || st.revealed.includes(r) ? null : go(execReveal(st, r, scen.reveals[r]!), k + 1, `${path}|R${r}`);
    }
    const key = `${path}|${step.inst}:${step.transition}`;
    let next = shared.steps.get(key);
    if (!next) {
      if (work <= 0) return null;
      work--;
      budget.steps--;
      const inst = st.insts[step.inst];
      const spec = inst && scen.roles.get(inst.role)!.transitions.find((t) => t.label === step.transition && t.from === inst.state);
      ctx.know = st.know;
      next = spec ? execTransition(st, step.inst, spec, ctx).map((x) => x.state) : [];
      shared.steps.set(key, next);
    }
    for (const [i, n] of next.entries()) {
      const found = go(n, k + 1, `${key}#${i}`);
      if (found) return found;
    }
    return null;
  };
  return go(initialState(scen), 0, '');
}

/** What the replays of one minimisation share: the successors of each step taken after the
 * same steps with the same solutions (schedules that differ late share their prefix), and the
 * fresh variables (so states made by one replay never reuse a name another makes). */
export interface ReplayCache {
  readonly fresh: FreshVars;
  readonly steps: Map<string, readonly SymState[]>;
}

export function newReplayCache(): ReplayCache {
  return { fresh: new FreshVars(), steps: new Map() };
}

/** The finding with only the steps its attack uses (re-executed; see the module comment), how
 * many steps of the path found were left out, and the steps kept (of the path found). `hint`:
 * steps kept for another property violated on the same path, taken as they are if they violate
 * this one too (properties broken by one path mostly share their attack). */
export function minimise(scen: Scenario, f: Finding, hint?: readonly TraceStep[]): { finding: Finding; omitted: number; kept: readonly TraceStep[] } {
  const all = f.state.steps;
  const budget = { steps: MINIMISE_BUDGET_PER_STEP * all.length };
  const shared = newReplayCache();
  const hinted = hint && replay(scen, f, hint, budget, shared);
  if (hinted) return { finding: hinted, omitted: all.length - hint!.length, kept: hint! };
  let best = f;
  let kept = all;
  const closure = attackSteps(f).map((k) => all[k]!);
  if (closure.length < all.length) {
    const r = replay(scen, f, closure, budget, shared);
    if (r) {
      best = r;
      kept = closure;
    }
  }
  // then each step, with its instance's later steps
  for (let k = 0; k < kept.length && budget.steps > 0; k++) {
    const drop = kept[k]!;
    const rest = kept.filter((s, j) => j !== k && !(j > k && drop.inst >= 0 && s.inst === drop.inst));
    const r = replay(scen, f, rest, budget, shared);
    if (r) {
      best = r;
      kept = rest;
      k--;
    }
  }
  return { finding: best, omitted: all.length - kept.length, kept };
}
