/**
 * Andrew Secure RPC (Satyanarayanan 1989; Clark & Jacob 1997 §6.1.10; SPORE "Andrew Secure RPC"),
 * `succ(x)` written as the tagged tuple `<'succ', x>`:
 *
 *   1. A → B : <A, senc(na, kab)>
 *   2. B → A : senc(<<'succ', na>, nb>, kab)
 *   3. A → B : senc(<'succ', nb>, kab)
 *   4. B → A : senc(<k2, nb2>, kab)
 *
 * Verdicts the literature gives, read with the runtime's typed messages (impl/runtime/match.ts,
 * models/sorts.ts): nothing in message 4 is A's, so an old message 4 is accepted in a new run
 * (Burrows, Abadi & Needham 1989: A cannot tell that k2 is fresh) — A's agreement with B on its
 * own na fails. Clark & Jacob's type flaw — message 2 replayed as message 4, so that A takes
 * `<'succ', na>` for the key — and its mirror on message 1 (B decrypting an old message 3, or
 * any ciphertext, "into" its nonce na) need a tuple or garbage where a nonce or key is typed:
 * the runtime rejects both, and so must the explorer (they once were false attacks on AR1).
 *
 * kab is the key of client A at server B (`shared: 'ordered'`; Satyanarayanan's Kab is the
 * user's key at a file server, which no server uses as a client): A reads it as the key of
 * itself and its peer, B as the key of its peer and itself. When kab was A's own long-term key,
 * which its responder read, the key named no peer: A's run with a second peer accepted B's
 * message 4 meant for a run with A (ProVerif 2.05 and `tcv verify --runs 3` found it) — an
 * attack on that model, not on the protocol. With a symmetric k_AB (`shared: 'pair'`) an agent
 * that plays both roles answers its own challenge: `--runs 3` finds that reflection
 * (test/properties/explorer/per-pair-keys.test.ts); SPORE's Andrew RPC has fixed client and
 * server roles, where it cannot happen.
 * @module
 */
import { type Protocol, agent, lt } from '../protocol.ts';
import { roleMachine } from '../role.ts';
import { claim, fresh, match, recv, send } from '../steps.ts';
import { c, sdec, senc, tup, v } from '../terms.ts';

const self = agent('self');
const peer = agent('peer');
const kab = v('kab', 'symkey');
const na = v('na', 'nonce');
const nb = v('nb', 'nonce');
const k2 = v('k2', 'symkey');
const nb2 = v('nb2', 'nonce');
const succ = (x: typeof na) => tup(c('succ'), x);

const initiator = roleMachine({
  role: 'A',
  party: 'A',
  initial: 'start',
  knows: [self, peer, kab],
  transitions: [
    { label: 'a.msg1', from: 'start', to: 'wait2', trigger: 'START', steps: [fresh(na), send('B', 'msg1', tup(self, senc(na, kab)))] },
    {
      label: 'a.msg3',
      from: 'wait2',
      to: 'wait4',
      trigger: 'MSG',
      steps: [recv('B', 'msg2', v('ct2', 'ct')), match(tup(succ(na), nb), sdec(v('ct2', 'ct'), kab), 'decrypt msg2'), send('B', 'msg3', senc(succ(nb), kab))],
    },
    {
      label: 'a.done',
      from: 'wait4',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('B', 'msg4', v('ct4', 'ct')),
        match(tup(k2, nb2), sdec(v('ct4', 'ct'), kab), 'decrypt msg4'),
        claim('Commit', 'key', peer, tup(self, peer, k2, nb2)),
        claim('Commit', 'fresh', peer, tup(self, peer, na, k2)),
        claim('Secret', 'k2', peer, k2),
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
      steps: [recv('A', 'msg1', tup(peer, v('ct1', 'ct'))), match(na, sdec(v('ct1', 'ct'), kab), 'decrypt msg1'), fresh(nb), send('A', 'msg2', senc(tup(succ(na), nb), kab))],
    },
    {
      label: 'b.msg4',
      from: 'wait3',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('A', 'msg3', v('ct3', 'ct')),
        match(succ(nb), sdec(v('ct3', 'ct'), kab), 'decrypt msg3'),
        fresh(k2),
        fresh(nb2),
        claim('Running', 'key', peer, tup(peer, self, k2, nb2)),
        claim('Running', 'fresh', peer, tup(peer, self, na, k2)),
        claim('Secret', 'k2', peer, k2),
        send('A', 'msg4', senc(tup(k2, nb2), kab)),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

export const andrewRpc: Protocol = {
  name: 'andrew-rpc',
  title: 'Andrew Secure RPC (an old message 4 is accepted again)',
  source: 'Satyanarayanan 1989; Burrows, Abadi & Needham 1989; Clark & Jacob 1997; SPORE',
  roles: [
    // kab: the key of client A at server B (one per ordered pair of agents)
    { role: 'A', machine: initiator, agents: { self: 'A', peer: 'B' }, initiator: true, knows: { kab: lt('kab', 'self', 'peer', 'symkey') } },
    { role: 'B', machine: responder, agents: { self: 'B', peer: 'A' }, initiator: false, knows: { kab: lt('kab', 'peer', 'self', 'symkey') } },
  ],
  longTerm: [{ name: 'kab', owner: 'A', sort: 'symkey', shared: 'ordered' }],
  deployment: { A: 'a1', B: 'b1' },
  properties: [
    { id: 'AR1', kind: 'non-injective-agreement', statement: 'If A accepts k2 from B, B sent k2 (with nb2) to A.', tag: 'key', commit: 'A', running: 'B' },
    { id: 'AR2', kind: 'secrecy', statement: 'The new key k2 stays secret.', tag: 'k2' },
    {
      id: 'AR3',
      kind: 'non-injective-agreement',
      statement: "If A accepts k2 in its run with na, B sent k2 in a run with A's na (fails: message 4 holds nothing of A's; an old one is replayed).",
      tag: 'fresh',
      commit: 'A',
      running: 'B',
      expected: 'attack',
      // with the ordered per-pair key k_AB the replay needs two sessions of both A and B: holds at
      // `--runs 3`, attack at `--runs 4` (measured after the re-model; was 2 with lt(kab, A))
      attackFromRuns: 4,
    },
  ],
  variants: [],
};
