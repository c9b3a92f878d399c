/**
 * An honest run of the runtime (`impl/runtime/report.ts`) as the neutral sequence data: a
 * lifeline per role (and per outside addressee such as host storage), an arrow per message in
 * the order sent, labelled with the message label, its size on the wire and the term the
 * sender's machine builds (in the machine's own variable names: `senc(S, kCFB)`), and each
 * role's claims placed after the step that made them. The steps are found by walking each
 * role's machine (`roleOf`) with the messages it received, in order: an honest run delivers
 * every message in the order sent.
 * @module
 */
import type { Protocol } from '../../models/protocol.ts';
import { roleOf } from '../../models/role.ts';
import type { Step, TransitionSpec } from '../../models/steps.ts';
import { show } from '../../models/terms.ts';
import type { RunReport } from '../runtime/report.ts';
import type { Lifeline, Sequence, SequenceEvent } from './sequence.ts';

/** The sequence of an honest run of `protocol` (the variant's protocol for a variant's run). */
export function honestSequence(protocol: Protocol, r: RunReport): Sequence {
  const roles = protocol.roles.map((x) => ({ decl: x, def: roleOf(x.machine) }));
  const ids = [...new Set([...roles.map((x) => x.decl.role), ...r.messages.flatMap((m) => [m.from, m.to])])];
  const agentOf = (role: string) => r.parties.find((p) => p.role === role)?.agent ?? '';
  const lifelines: Lifeline[] = ids.map((id) => ({ id, detail: roles.some((x) => x.decl.role === id) ? `${roles.find((x) => x.decl.role === id)!.def.party} @ ${agentOf(id)}` : 'outside the protocol' }));

  // each role's transitions in the order it took them: START (initiators), then one per message
  const state = new Map(roles.map((x) => [x.decl.role, x.def.initial]));
  const claimsLeft = new Map(roles.map((x) => [x.decl.role, r.claims.filter((c) => c.role === x.decl.role)]));
  const take = (role: string, pick: (t: TransitionSpec) => boolean): TransitionSpec | undefined => {
    const def = roles.find((x) => x.decl.role === role)?.def;
    const t = def?.transitions.find((x) => x.from === state.get(role) && pick(x));
    if (t) state.set(role, t.to);
    return t;
  };
  const sendTerm = new Map<string, string>(); // sender:label → the machine's term
  for (const { decl, def } of roles)
    for (const t of def.transitions) for (const s of t.steps) if (s.op === 'send') sendTerm.set(`${decl.role}:${s.label}`, show(s.t));

  const events: SequenceEvent[] = [];
  let n = 0;
  const claimsOf = (role: string, t: TransitionSpec) => {
    const cs = t.steps.filter((s): s is Extract<Step, { op: 'claim' }> => s.op === 'claim');
    const left = claimsLeft.get(role)!;
    for (const c of cs) {
      const k = left.findIndex((x) => x.event === c.event && x.tag === c.tag);
      const made = k >= 0 ? left.splice(k, 1)[0]! : null;
      events.push({ kind: 'claim', step: n, on: role, text: `${c.event}(${c.tag})${made ? ` = ${made.show.length > 60 ? made.show.slice(0, 59) + '…' : made.show}` : ''}`, violating: false });
    }
  };
  for (const { decl } of roles) {
    if (!decl.initiator) continue;
    const t = take(decl.role, (x) => x.trigger === 'START');
    if (!t) continue;
    n++;
    events.push({ kind: 'step', step: n, on: decl.role, transition: t.label, violating: false });
    claimsOf(decl.role, t);
  }
  const sentAt = new Map<number, number>();
  for (const m of r.messages) {
    const sn = sentAt.get(m.id) ?? Math.max(n, 1);
    events.push({ kind: 'message', step: sn, from: m.from, to: m.to, label: `${m.label} (${m.size} B)`, term: sendTerm.get(`${m.from}:${m.label}`) ?? '', how: 'sent' });
    if (m.status !== 'delivered') continue;
    const t = take(m.to, (x) => x.steps.some((s) => s.op === 'recv' && s.label === m.label));
    if (!t) continue;
    n++;
    events.push({ kind: 'step', step: n, on: m.to, transition: t.label, violating: false });
    claimsOf(m.to, t);
    // the messages this step sent are the next ones from this role
    let k = r.messages.indexOf(m) + 1;
    for (const s of t.steps) {
      if (s.op !== 'send') continue;
      while (k < r.messages.length && !(r.messages[k]!.from === m.to && r.messages[k]!.label === s.label)) k++;
      if (k < r.messages.length) sentAt.set(r.messages[k]!.id, n);
    }
  }
  return {
    title: `${r.protocol}${r.variant ? ` ${r.variant}` : ''}: honest run${r.seed !== null ? `, seed ${r.seed}` : ''} (${r.ok ? 'every party finished, every claim consistent' : 'did not complete'})`,
    kind: 'honest',
    lifelines,
    legend: [],
    summary: null,
    violations: [],
    events,
    derivation: [],
    omitted: 0,
  };
}
