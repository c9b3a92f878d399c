/**
 * Two reductions of the search over steps no other step can see (see `search.ts`).
 *
 * Final silent steps. A transition that sends nothing the attacker does not already have (no
 * message, or only attacker-built ones: `known-sends.ts`), claims no Running and no Secret
 * that a property of this search reads (the judge reads no other), and ends its instance (no
 * transition leaves its target) changes nothing any other step can see: not what the attacker
 * can derive, not a later step of its instance, not another claim's verdict (only its own
 * Commits are judged, against Running claims already in the trace and reveals, which a later
 * position only adds). Its checks may fix attacker choices, which only makes the rest of a
 * trace less general. So for a trace A·S·B, the trace A·B (explored, or covered by the
 * partial-order reduction, which applies to the system without these steps) shows every
 * violation by a claim of A or B, at least as generally; and S's own violation shows at the
 * state A·S, which is judged: S is evaluated at every state where it is enabled, as a leaf.
 * Only its Commits are judged there: it adds nothing derivable and no Secret claim, and its
 * bindings only narrow the instantiations of A, so a secret derivable at A·S is derivable at A
 * already. A leaf without a Commit claim a property of this search judges (its tag and its
 * commit role) has nothing to judge and is not taken at all. Not so for a Commit judged by
 * injective agreement: a later Commit can take its Running claim, so a step with one is always
 * continued.
 *
 * Silent steps inside a run. A transition that does not end its instance but is otherwise as
 * silent as a leaf (nothing new for the attacker, no claim a property reads) changes nothing
 * another instance can see; only its own instance's next step depends on it. So for a trace
 * A·S·B·N (N the instance's next step), A·B·S·N is a trace too and at least as general (S's
 * input is made knowing more, B's steps never saw S), with the same claims at every state
 * (a state A·S·B' judges what A·B' does, bindings aside, which only narrow); and A·S·B alone
 * shows nothing A·B does not. S is therefore taken only together with the next step of its
 * instance, as one step (chains of them likewise, up to a depth). The compound step's input,
 * for the partial-order reduction, is both inputs.
 * @module
 */
import type { PropertyDecl } from '../../models/protocol.ts';
import type { TransitionSpec } from '../../models/steps.ts';
import { type Var, tup } from '../../models/terms.ts';
import type { SolveContext } from './deduction.ts';
import { type Successor, type SymState, execTransition } from './execute.ts';
import { reads } from './judge.ts';
import { knownSends } from './known-sends.ts';
import type { Scenario } from './scenario.ts';
import { resolve } from './unify.ts';

/** How a transition of an instance is taken: a final silent step whose Commits are judged
 * (`commits`), one with nothing to judge (`nothing`), a silent step inside a run (`silent`), or
 * an ordinary step (null). */
export type LeafKind = 'commits' | 'nothing' | 'silent' | null;

/** A successor, and whether it is a leaf (judged where enabled, never continued). */
export interface StepResult {
  readonly succ: Successor;
  readonly leaf: boolean;
}

/** The successors of the search's states by one transition of one instance, with both
 * reductions applied when `leaves` is on. */
export function silentStepper(scen: Scenario, props: readonly PropertyDecl[], ctx: SolveContext, leaves: boolean): (st: SymState, i: number, t: TransitionSpec) => StepResult[] {
  const leafMemo = new Map<string, LeafKind>();
  const sendsKnown = new Map<number, (t: TransitionSpec) => boolean>();
  const leafKind = (i: number, t: TransitionSpec): LeafKind => {
    const { label, role, env } = scen.instances[i]!;
    const k = `${label}|${t.label}|${t.from}`;
    let r = leafMemo.get(k);
    if (r === undefined) {
      const def = scen.roles.get(role)!;
      let known = sendsKnown.get(i);
      if (!known) sendsKnown.set(i, (known = knownSends(def.transitions, def.initial, env, scen.knowledge)));
      const final = !def.transitions.some((u) => u.from === t.to);
      const quiet =
        t.steps.every((x) => !(x.op === 'claim' && (x.event === 'Running' || x.event === 'Secret' || x.event === 'Oops') && props.some((p) => reads(p, x.event, role, x.tag)))) &&
        (t.steps.every((x) => x.op !== 'send') || known(t));
      // its Commits matter only if a property of this search judges them; one judged by
      // injective agreement competes with later Commits for the same Running claims: a later
      // step can see it, so the step is no leaf
      const judged = (x: (typeof t.steps)[number], kind?: PropertyDecl['kind']) =>
        x.op === 'claim' && x.event === 'Commit' && props.some((p) => (!kind || p.kind === kind) && reads(p, 'Commit', role, x.tag));
      const commits = t.steps.some((x) => judged(x));
      if (!quiet || t.steps.some((x) => judged(x, 'injective-agreement'))) r = null;
      else if (final) r = commits ? 'commits' : 'nothing';
      else r = commits ? null : 'silent';
      leafMemo.set(k, r);
    }
    return r;
  };

  const successors = (st: SymState, i: number, t: TransitionSpec, depth = 0): StepResult[] => {
    const kind = leaves ? leafKind(i, t) : null;
    if (kind === 'nothing') return [];
    ctx.know = st.know;
    const first = execTransition(st, i, t, ctx);
    if (kind !== 'silent' || depth >= 8) return first.map((succ) => ({ succ, leaf: kind === 'commits' }));
    const def = scen.roles.get(st.insts[i]!.role)!;
    const old = new Set(st.cons.map((c) => (c.t as Var).name));
    const out: StepResult[] = [];
    for (const s1 of first)
      for (const u of def.transitions) {
        if (u.from !== t.to) continue;
        for (const x of successors(s1.state, i, u, depth + 1)) {
          const next = x.succ.state;
          const both = s1.recvTerm && x.succ.recvTerm ? tup(s1.recvTerm, x.succ.recvTerm) : (s1.recvTerm ?? x.succ.recvTerm);
          out.push({ succ: { state: next, free: next.cons.some((c) => !old.has((c.t as Var).name)), recvTerm: both && resolve(both, next.s) }, leaf: x.leaf });
        }
      }
    return out;
  };
  return (st, i, t) => successors(st, i, t);
}
