/**
 * Yahalom (Burrows, Abadi & Needham 1989, who report it; Clark & Jacob 1997 §6.3.6; SPORE
 * "Yahalom") with a key server S:
 *
 *   1. A → B : A, na
 *   2. B → S : B, senc(<A, na, nb>, kbs)
 *   3. S → A : senc(<B, kab, na, nb>, kas), senc(<A, kab>, kbs)
 *   4. A → B : senc(<A, kab>, kbs), senc(nb, kab)
 *
 * Verdicts the literature gives: the key stays secret (Paulson, "Relations between secrets: two
 * formal analyses of the Yahalom protocol", JCS 2001, proves it, and that nb stays secret, which
 * B's guarantee rests on). A knows B ran with it on <na, nb> — S only encrypts B's nonces for A
 * after decrypting them from B — and B knows A used kab with it in this run (nb under kab, which
 * only A and S have; S never encrypts under kab): injective agreement both ways holds. The
 * known weakness is the key's confirmation to A: B accepts kab only with the last message, so
 * nothing tells A that B holds kab. That is not stated as a property: it fails in every run, the
 * honest one included (no attacker needed), which the runtime's honest run would report as a
 * failure. We know of no published attack on this version with typed messages; the attacks in
 * the literature are on BAN's modified Yahalom (Syverson 1994) and on receivers that take a
 * nonce pair for a key.
 * @module
 */
import { type Protocol, agent } from '../protocol.ts';
import { roleMachine } from '../role.ts';
import { serverSetup } from './server-setup.ts';
import { claim, fresh, match, recv, send } from '../steps.ts';
import { sdec, senc, tup, v } from '../terms.ts';
import { replaceSteps } from '../edits.ts';

const self = agent('self');
const peer = agent('peer');
const a = agent('a');
const b = agent('b');
const k = v('k', 'symkey'); // the long-term key shared with the server
const ka = v('ka', 'symkey');
const kb = v('kb', 'symkey');
const na = v('na', 'nonce');
const nb = v('nb', 'nonce');
const kab = v('kab', 'symkey');
const tkt = v('tkt', 'ct'); // B's part of message 3, which A forwards unread

const initiator = roleMachine({
  role: 'A',
  party: 'A',
  initial: 'start',
  knows: [self, peer, k],
  transitions: [
    { label: 'a.msg1', from: 'start', to: 'wait3', trigger: 'START', steps: [fresh(na), send('B', 'msg1', tup(self, na))] },
    {
      label: 'a.msg4',
      from: 'wait3',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('S', 'msg3', tup(v('ct3', 'ct'), tkt)),
        match(tup(peer, kab, na, nb), sdec(v('ct3', 'ct'), k), 'decrypt msg3'),
        claim('Commit', 'nonces', peer, tup(self, peer, na, nb)),
        claim('Running', 'key', peer, tup(self, peer, kab, nb)),
        claim('Secret', 'kab', peer, kab),
        send('B', 'msg4', tup(tkt, senc(nb, kab))),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

const responder = roleMachine({
  role: 'B',
  party: 'B',
  initial: 'wait1',
  knows: [self, peer, k],
  transitions: [
    {
      label: 'b.msg2',
      from: 'wait1',
      to: 'wait4',
      trigger: 'MSG',
      steps: [
        recv('A', 'msg1', tup(peer, na)),
        fresh(nb),
        claim('Running', 'nonces', peer, tup(peer, self, na, nb)),
        send('S', 'msg2', tup(self, senc(tup(peer, na, nb), k))),
      ],
    },
    {
      label: 'b.done',
      from: 'wait4',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('A', 'msg4', tup(v('ct4a', 'ct'), v('ct4b', 'ct'))),
        match(tup(peer, kab), sdec(v('ct4a', 'ct'), k), 'decrypt ticket'),
        match(nb, sdec(v('ct4b', 'ct'), kab), 'decrypt nb'),
        claim('Commit', 'key', peer, tup(peer, self, kab, nb)),
        claim('Secret', 'kab', peer, kab),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

const server = roleMachine({
  role: 'S',
  party: 'S',
  initial: 'wait2',
  knows: [self, a, b, ka, kb],
  transitions: [
    {
      label: 's.msg3',
      from: 'wait2',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('B', 'msg2', tup(b, v('ct2', 'ct'))),
        match(tup(a, na, nb), sdec(v('ct2', 'ct'), kb), 'decrypt msg2'),
        fresh(kab),
        send('A', 'msg3', tup(senc(tup(b, kab, na, nb), ka), senc(tup(a, kab), kb))),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

export const yahalom: Protocol = {
  name: 'yahalom',
  title: 'Yahalom (the key stays secret; agreement both ways)',
  source: 'Burrows, Abadi & Needham 1989; Clark & Jacob 1997 §6.3.6; SPORE; Paulson 2001',
  ...serverSetup({ A: initiator, B: responder, S: server }, 'symkey'),
  properties: [
    { id: 'YA1', kind: 'secrecy', statement: 'The session key kab stays secret (A and B).', tag: 'kab' },
    { id: 'YA2', kind: 'injective-agreement', statement: 'If A completes with B, B ran with A on <A, B, na, nb>, once.', tag: 'nonces', commit: 'A', running: 'B' },
    { id: 'YA3', kind: 'injective-agreement', statement: 'If B completes with A, A ran with B on <A, B, kab, nb>, once.', tag: 'key', commit: 'B', running: 'A' },
  ],
  variants: [
    {
      id: 'no-nonce-check',
      title: "B does not decrypt nb under kab: it accepts the server's ticket alone, which holds nothing fresh of B's",
      // the ticket senc(<A, kab>, kbs) names no nonce: B's only evidence of A, and of the key's
      // freshness, is nb under kab — without it B completes on a ticket A never used
      breaks: ['YA3'],
      edit: replaceSteps(['B'], (s) => s.op === 'match' && s.label === 'decrypt nb', () => []),
    },
  ],
};
