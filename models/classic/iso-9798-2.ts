/**
 * ISO/IEC 9798-2 three-pass mutual authentication with a shared symmetric key (ISO/IEC 9798-2
 * §5.2.2; Clark & Jacob 1997 §6.2 "ISO symmetric key three-pass mutual authentication"; SPORE
 * "ISO symmetric key three-pass mutual authentication"), the optional text fields left out:
 *
 *   1. A → B : ra
 *   2. B → A : rb, senc(<rb, ra, B>, kab)
 *   3. A → B : senc(<ra, rb>, kab)
 *
 * kab is the key A and B share, symmetric (`shared: 'pair'`, k_AB = k_BA). The identifier B in
 * message 2 is what the standard adds against reflection: without it (variant `no-identifier`)
 * an agent that also plays the responder is made to answer its own challenge — the attacker,
 * as B, starts a session with A's own ra, A's responder run encrypts <ra', ra>, which A's
 * initiator run takes as B's message 2, and A's message 3 completes the responder run too (Clark
 * & Jacob §4.3 "reflection"). The attack needs one agent in both roles: fixed roles (the
 * default bound) cannot show it, `--runs 2` does (`VariantDecl.runs`).
 * @module
 */
import { type Protocol, agent, lt } from '../protocol.ts';
import { roleMachine } from '../role.ts';
import { claim, fresh, match, recv, send } from '../steps.ts';
import { type Term, sdec, senc, tup, v } from '../terms.ts';
import { replaceSteps } from '../edits.ts';

const self = agent('self');
const peer = agent('peer');
const kab = v('kab', 'symkey');
const ra = v('ra', 'nonce');
const rb = v('rb', 'nonce');
const ct2 = v('ct2', 'ct');
const ct3 = v('ct3', 'ct');

// message 2's plaintext: B's identifier closes reflection (the responder writes its own name,
// the initiator expects its peer's)
const msg2 = (b: Term) => tup(rb, ra, b);

const initiator = roleMachine({
  role: 'A',
  party: 'A',
  initial: 'start',
  knows: [self, peer, kab],
  transitions: [
    { label: 'a.msg1', from: 'start', to: 'wait2', trigger: 'START', steps: [fresh(ra), send('B', 'msg1', ra)] },
    {
      label: 'a.msg3',
      from: 'wait2',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('B', 'msg2', tup(rb, ct2)),
        match(msg2(peer), sdec(ct2, kab), 'decrypt msg2'),
        claim('Commit', 'a', peer, tup(self, peer, ra, rb)),
        claim('Running', 'b', peer, tup(self, peer, ra, rb)),
        send('B', 'msg3', senc(tup(ra, rb), kab)),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

const responder = roleMachine({
  role: 'B',
  party: 'B',
  initial: 'wait1',
  knows: [self, peer, kab],
  transitions: [
    {
      label: 'b.msg2',
      from: 'wait1',
      to: 'wait3',
      trigger: 'MSG',
      steps: [recv('A', 'msg1', ra), fresh(rb), claim('Running', 'a', peer, tup(peer, self, ra, rb)), send('A', 'msg2', tup(rb, senc(msg2(self), kab)))],
    },
    {
      label: 'b.done',
      from: 'wait3',
      to: 'done',
      trigger: 'MSG',
      steps: [recv('A', 'msg3', ct3), match(tup(ra, rb), sdec(ct3, kab), 'decrypt msg3'), claim('Commit', 'b', peer, tup(peer, self, ra, rb)), claim('Finish', 'run', null, self)],
    },
  ],
});

export const iso9798: Protocol = {
  name: 'iso-9798-2',
  title: 'ISO/IEC 9798-2 three-pass mutual authentication, shared key (the identifier in message 2 stops reflection)',
  source: 'ISO/IEC 9798-2 §5.2.2; Clark & Jacob 1997; SPORE',
  roles: [
    { role: 'A', machine: initiator, agents: { self: 'A', peer: 'B' }, initiator: true, knows: { kab: lt('kab', 'self', 'peer', 'symkey') } },
    { role: 'B', machine: responder, agents: { self: 'B', peer: 'A' }, initiator: false, knows: { kab: lt('kab', 'self', 'peer', 'symkey') } },
  ],
  longTerm: [{ name: 'kab', owner: 'A', sort: 'symkey', shared: 'pair' }],
  deployment: { A: 'a1', B: 'b1' },
  properties: [
    { id: 'ISO1', kind: 'non-injective-agreement', statement: 'If A completes with B, B ran with A on <A, B, ra, rb>.', tag: 'a', commit: 'A', running: 'B' },
    { id: 'ISO2', kind: 'non-injective-agreement', statement: 'If B completes with A, A ran with B on <A, B, ra, rb>.', tag: 'b', commit: 'B', running: 'A' },
  ],
  variants: [
    {
      id: 'no-identifier',
      title: "message 2 without B's identifier: A answers its own challenge (reflection, --runs 2)",
      // both directions: A's responder run completes on A's own message 3 too
      breaks: ['ISO1', 'ISO2'],
      runs: 2,
      edit: replaceSteps(
        ['A', 'B'],
        (s) => (s.op === 'match' && s.label === 'decrypt msg2') || (s.op === 'send' && s.label === 'msg2'),
        (s) => [s.op === 'match' ? { ...s, pattern: tup(rb, ra) } : s.op === 'send' ? { ...s, t: tup(rb, senc(tup(rb, ra), kab)) } : s],
      ),
    },
  ],
};
