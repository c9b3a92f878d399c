/**
 * The judge (`judge.ts`) applied at one symbolic state: claims and reveals of the trace so far,
 * derivability from the attacker's knowledge there, equality of data with the attacker's open
 * choices made generic.
 * @module
 */
import type { PropertyDecl } from '../../models/protocol.ts';
import { normalize } from '../../models/equations.ts';
import { type Term, attackerChoice, mapTerm, termEquals } from '../../models/terms.ts';
import { type Solution, type SolveContext, derivable } from './deduction.ts';
import type { SymState } from './execute.ts';
import { type RevealRecord, type Violation, judge } from './judge.ts';
import { type Subst, resolve } from './unify.ts';

export interface Finding {
  readonly prop: PropertyDecl;
  readonly violation: Violation;
  readonly state: SymState;
  /** secrecy: how the attacker derives the secret */
  readonly goal: Solution | null;
}

/** The attacker's open choices replaced by distinct values of its own, then normalised: a
 * choice that makes two data different is always available to it. */
export function generic(t: Term, s: Subst): Term {
  return normalize(mapTerm(resolve(t, s), (u) => (u.t === 'var' ? attackerChoice(u) : u)));
}

/** The judge's verdict on one property at a state: the violation (with, for secrecy, how the
 * attacker derives the secret), or null. */
export function judgeAt(prop: PropertyDecl, st: SymState, ctx: SolveContext): Finding | null {
  let goal: Solution | null = null;
  ctx.know = st.know;
  const v = judge(prop, {
    claims: st.claims,
    reveals: st.steps.flatMap((s, k): RevealRecord[] => (s.reveal ? [{ step: k, event: s.reveal.event, agent: s.reveal.agent }] : [])),
    derivable: (t) => {
      goal = derivable(t, st.know.length, st.cons, st.s, ctx);
      return goal !== null;
    },
    equal: (a, b) => termEquals(generic(a, st.s), generic(b, st.s)),
  });
  return v ? { prop, violation: v, state: st, goal } : null;
}
