/**
 * An attack trace of the explorer as the neutral sequence data of `impl/report/sequence.ts`
 * (what the readable text trace, the SVG and the Mermaid diagrams are drawn from): lifelines
 * per instance plus the attacker, each message either forwarded unchanged (drawn from sender to
 * receiver), intercepted (to the attacker) or built by the attacker (from it, after its
 * deductions), claims on their lifelines, the violating claim marked, compound terms a party
 * bound to a variable abbreviated by that variable (`sKey.TEE1`) with a legend, and a
 * one-paragraph summary of what the attacker did.
 * @module
 */
import { type Term, show } from '../../models/terms.ts';
import { type Abbreviator, type Candidate, abbreviator } from '../../impl/report/abbreviate.ts';
import { ATTACKER, type Lifeline, type Sequence, type SequenceEvent } from '../../impl/report/sequence.ts';
import type { Deduction } from './deduction.ts';
import type { Scenario } from './scenario.ts';
import type { Finding } from './search.ts';
import { generic } from './search.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MessageEvent = Mutable<Extract<SequenceEvent, { kind: 'message' }>>;

/**
 * What the attacker did to get a term, in words — the one wording of a deduction for the JSON
 * trace (trace.ts) and the sequence diagrams alike; `keysLead` joins the keys it opened with
 * (', ' in the sequence, ' ' in the JSON as it always read).
 */
export function deductionText(d: Deduction, sh: (t: Term) => string, msgOf: (k: number) => string, keysLead = ', '): string {
  const keys = d.keys && d.keys.length ? `${keysLead}opening it with ${d.keys.map(sh).join(', ')}` : '';
  switch (d.how) {
    case 'known':
      return `takes ${sh(d.term)} from ${msgOf(d.from!)}${keys}`;
    case 'compose':
      return `builds ${sh(d.term)}`;
    case 'dh':
      return `computes ${sh(d.term)} from the point in ${msgOf(d.from!)}${keys} and its own exponents`;
    case 'choose':
      return `chooses ${sh(d.term)} = 'g'^y with y its own`;
  }
}

/** The fresh names in a term (not the attacker's choices, not long-term values). */
function namesOf(t: Term, out = new Set<string>()): Set<string> {
  if (t.t === 'name' && t.origin === undefined) out.add(t.name);
  if (t.t === 'app') for (const a of t.args) namesOf(a, out);
  return out;
}

/** The sequence of a (minimised) finding; `omitted` steps of the path found were left out. */
export function traceSequence(scen: Scenario, f: Finding, omitted = 0): Sequence {
  const st = f.state;
  const g = (t: Term) => generic(t, st.s);
  const label = (i: number) => (st.insts[i] ?? scen.instances[i]!).label;

  // lifelines in the order the instances first act, then the attacker
  const order: number[] = [];
  for (const s of st.steps) if (s.inst >= 0 && !order.includes(s.inst)) order.push(s.inst);
  const lifelines: Lifeline[] = order.map((i) => {
    const inst = st.insts[i] ?? scen.instances[i]!;
    return { id: inst.label, detail: Object.entries(inst.agents).map(([k, v]) => `${k}=${v}`).join(', ') };
  });
  lifelines.push({ id: ATTACKER, detail: 'attacker: network, agent E' });

  // every compound value a party bound, named after its variable and instance
  const candidates: Candidate[] = order.flatMap((i) =>
    Object.entries((st.insts[i] ?? scen.instances[i]!).env).map(([x, t]) => ({ name: `${x}.${label(i)}`, term: g(t) })),
  );
  const ab = abbreviator(candidates);

  const origin = new Map<number, string>();
  st.steps.forEach((s, k) => {
    for (const m of s.sends) origin.set(m.know, `${label(s.inst)}'s ${m.label} (step ${k + 1})`);
    if (s.reveal) origin.set(s.reveal.know, `the ${s.reveal.event} of step ${k + 1}`);
  });
  const msgOf = (k: number) => origin.get(k) ?? 'its initial knowledge';

  const vc = f.violation.claim;
  const events: (SequenceEvent | MessageEvent)[] = [];
  // sent messages not yet delivered as they are, by printed term
  const inFlight = new Map<string, MessageEvent>();
  const delivered = new Set<string>();
  const sentSoFar: { printed: string; what: string }[] = [];
  const phrases: { step: number; text: string }[] = [];
  let forwards = 0;

  const talksToE = order.filter((i) => Object.entries((st.insts[i] ?? scen.instances[i]!).agents).some(([k, v]) => k !== 'self' && v === ATTACKER));
  for (const i of talksToE) phrases.push({ step: 0, text: `is the peer of ${label(i)} (${(st.insts[i] ?? scen.instances[i]!).agents['self']}), which runs a session with E` });

  st.steps.forEach((s, k) => {
    const n = k + 1;
    if (s.reveal) {
      events.push({ kind: 'reveal', step: n, text: `learns ${ab.show(g(s.reveal.value), false)} (${s.reveal.event} of ${s.reveal.agent})` });
      phrases.push({ step: n, text: `compromises ${s.reveal.agent} (${s.reveal.event}, step ${n})` });
      return;
    }
    const me = label(s.inst);
    events.push({ kind: 'step', step: n, on: me, transition: s.transition, violating: vc.step === k });
    if (s.recv) {
      const term = g(s.recv.term);
      const key = show(term);
      const earlier = inFlight.get(key);
      if (earlier && !delivered.has(key)) {
        // the attacker passed it on unchanged: one arrow from its sender
        earlier.how = 'forwarded';
        earlier.to = me;
        earlier.receivedAt = n;
        delivered.add(key);
        forwards++;
      } else {
        const used = new Set<string>();
        const said = new Set<string>();
        // the fresh values of other instances in the message, and where the attacker saw them first
        for (const nm of namesOf(term)) {
          if (nm.endsWith(`.${me}`)) continue;
          const at = sentSoFar.find((x) => x.printed.includes(`~${nm}`));
          if (at) used.add(at.what);
        }
        for (const d of s.deductions) {
          if (d.how === 'compose' && d.term.t === 'app' && d.term.f === 'tuple') continue;
          // building the whole message is what the arrow says
          if (d.how === 'compose' && show(g(d.term)) === key) continue;
          const noise = d.how === 'known' && !origin.has(d.from!) && !(d.keys && d.keys.length);
          if (d.from !== undefined && origin.has(d.from)) used.add(origin.get(d.from)!);
          const text = deductionText(d, (t) => ab.show(g(t), false), msgOf);
          if (said.has(text)) continue; // the solver may note one deduction twice
          said.add(text);
          events.push({ kind: 'deduction', step: n, text, noise });
        }
        const replay = earlier && delivered.has(key);
        if (replay) events.push({ kind: 'deduction', step: n, text: `replays ${earlier.from}'s ${earlier.label} of step ${earlier.step}`, noise: false });
        const body = ab.show(term);
        const chose = [...body.matchAll(/\bE\.[A-Za-z]\w*/g)].map((m) => m[0]);
        phrases.push({
          step: n,
          text: replay
            ? `replays ${earlier.from}'s ${earlier.label} of step ${earlier.step} to ${me} (step ${n})`
            : `builds ${me}'s ${s.recv.label} (step ${n})${used.size ? ` from ${[...used].join(', ')}` : ''}${chose.length ? `, choosing ${[...new Set(chose)].join(', ')}` : ''}`,
        });
        events.push({ kind: 'message', step: n, from: ATTACKER, to: me, label: s.recv.label, term: body, how: 'built', violating: vc.step === k });
      }
    }
    for (const c of s.claims) {
      const violating = vc.step === k && c.inst === vc.inst && c.event === vc.event && c.tag === vc.tag;
      events.push({ kind: 'claim', step: n, on: me, text: `${c.event}(${c.tag}${c.peer ? `, ${ab.show(g(c.peer), false)}` : ''}, ${ab.show(g(c.data), false)})`, violating });
    }
    for (const m of s.sends) {
      // to E as a party (its peer is E), or intercepted on its way (until it is seen delivered)
      const ev: MessageEvent = { kind: 'message', step: n, from: me, to: ATTACKER, label: m.label, term: ab.show(g(m.term)), how: talksToE.includes(s.inst) ? 'sent' : 'intercepted' };
      events.push(ev);
      const key = show(g(m.term));
      if (!inFlight.has(key)) inFlight.set(key, ev);
      sentSoFar.push({ printed: key, what: `${me}'s ${m.label} (step ${n})` });
    }
  });
  if (f.goal) {
    const from = [...new Set(f.goal.notes.flatMap((d) => (d.from !== undefined && origin.has(d.from) ? [origin.get(d.from)!] : [])))];
    phrases.push({ step: Infinity, text: `derives the secret at the end${from.length ? ` from ${from.join(', ')}` : ''}` });
  }
  for (const e of events) if (e.kind === 'message' && e.how === 'intercepted') phrases.push({ step: e.step, text: `intercepts ${e.from}'s ${e.label} (step ${e.step})` });
  if (!phrases.some((p) => /^(builds|replays|compromises)/.test(p.text))) phrases.push({ step: -1, text: `forwards every message unchanged (${forwards})` });
  phrases.sort((a, b) => a.step - b.step);
  const derivation = f.goal ? [...new Set(f.goal.notes.map((d) => deductionText(d, (t) => ab.show(generic(t, f.goal!.s), false), msgOf)))] : [];
  const summary = `The attacker ${phrases.map((p) => p.text).join('; ')}.`;
  return {
    title: `attack on ${f.prop.id} (${f.prop.kind})`,
    kind: 'attack',
    lifelines,
    legend: ab.legend(),
    summary,
    violations: [{ property: f.prop.id, why: f.violation.why, step: vc.step + 1 }],
    events: events as SequenceEvent[],
    derivation,
    omitted,
  };
}
