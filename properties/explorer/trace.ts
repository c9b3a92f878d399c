/**
 * Attack traces as data (JSON: each step's sender, receiver and term, the claims, and the
 * attacker's deductions), with the same trace as readable sequence data (`sequence`, made by
 * `trace-sequence.ts`; printed by `impl/report/text-trace.ts`, drawn by the SVG and Mermaid
 * renderers). Terms here are shown in full with `show()` after the attacker's open choices are
 * fixed to values of its own (`~x:…`).
 *
 * The finding given is usually `minimise`d first (`minimise.ts`): the steps the attack does not
 * use are left out, and `omitted` counts them.
 * @module
 */
import { type Term, show } from '../../models/terms.ts';
import type { SymState } from './execute.ts';
import type { Scenario } from './scenario.ts';
import type { Finding } from './search.ts';
import { generic } from './search.ts';
import type { Sequence } from '../../impl/report/sequence.ts';
import { deductionText, traceSequence } from './trace-sequence.ts';

export interface TraceMessage {
  readonly sender: string;
  readonly receiver: string;
  readonly label: string;
  readonly term: string;
}

export interface TraceStepData {
  readonly n: number;
  /** the instance that acts, e.g. `TEE1 (self=n1, ttp=ttp)`, or `attacker` for a compromise */
  readonly actor: string;
  readonly transition: string;
  /** the message it accepted: sender is the network (the attacker) */
  readonly received?: TraceMessage;
  readonly sent: readonly TraceMessage[];
  readonly claims: readonly string[];
  /** how the attacker made the received message (empty when it only forwarded) */
  readonly deductions: readonly string[];
}

export interface TraceData {
  readonly property: string;
  readonly violation: string;
  readonly claim: string;
  readonly steps: readonly TraceStepData[];
  /** secrecy: how the attacker derives the secret at the end */
  readonly derivation: readonly string[];
  /** steps of the path the search found that the attack does not use, left out of `steps` */
  readonly omitted: number;
  /** the same trace, readable: abbreviated terms with their legend, a summary, the arrows as
   * they happened (`impl/report/sequence.ts`); what the text trace and the diagrams show */
  readonly sequence: Sequence;
}

function actorName(scen: Scenario, st: SymState, i: number): string {
  const inst = st.insts[i] ?? scen.instances[i]!;
  return `${inst.label} (${Object.entries(inst.agents).map(([k, v]) => `${k}=${v}`).join(', ')})`;
}


/** The trace of a finding, as data; `omitted` steps of the path the search found were left out
 * of it (`minimise.ts`). */
export function traceData(scen: Scenario, f: Finding, omitted = 0): TraceData {
  const st = f.state;
  const sh = (t: Term) => show(generic(t, st.s));
  const origin = new Map<number, string>();
  st.steps.forEach((s, k) => {
    for (const m of s.sends) origin.set(m.know, `message ${m.label} of step ${k + 1}`);
    if (s.reveal) origin.set(s.reveal.know, `the ${s.reveal.event} of step ${k + 1}`);
  });
  const msgOf = (k: number) => origin.get(k) ?? 'its initial knowledge';
  const steps: TraceStepData[] = st.steps.map((s, k) => {
    if (s.reveal)
      return { n: k + 1, actor: 'attacker', transition: s.reveal.event, sent: [], claims: [], deductions: [`learns ${sh(s.reveal.value)} (${s.reveal.event} of ${s.reveal.agent})`] };
    const actor = actorName(scen, st, s.inst);
    return {
      n: k + 1,
      actor,
      transition: s.transition,
      ...(s.recv ? { received: { sender: 'network', receiver: actor, label: s.recv.label, term: sh(s.recv.term) } } : {}),
      sent: s.sends.map((m) => ({ sender: actor, receiver: `network (for ${m.to})`, label: m.label, term: sh(m.term) })),
      claims: s.claims.map((c) => `${c.event}(${c.tag}${c.peer ? `, ${sh(c.peer)}` : ''}, ${sh(c.data)})`),
      deductions: s.deductions.filter((d) => d.how !== 'compose' || d.term.t !== 'app' || d.term.f !== 'tuple').map((d) => deductionText(d, sh, msgOf, ' ')),
    };
  });
  const c = f.violation.claim;
  return {
    property: f.prop.id,
    violation: f.violation.why,
    claim: `step ${c.step + 1}: ${st.insts[c.inst]?.label ?? '?'} ${c.event}(${c.tag}, ${sh(c.data)})`,
    steps,
    derivation: f.goal ? f.goal.notes.map((d) => deductionText(d, (t) => show(generic(t, f.goal!.s)), msgOf, ' ')) : [],
    omitted,
    sequence: traceSequence(scen, f, omitted),
  };
}
