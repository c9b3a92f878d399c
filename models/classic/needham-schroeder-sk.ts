/**
 * Needham–Schroeder symmetric key (1978) with a key server S, and the Denning–Sacco replay.
 *
 *   1. A → S : <A, B, na>
 *   2. S → A : senc(<na, B, kab, senc(<kab, A>, kbs)>, kas)
 *   3. A → B : senc(<kab, A>, kbs)
 *   4. B → A : senc(nb, kab)
 *   5. A → B : senc(h(nb), kab)          (nb − 1 in the original)
 *
 * The compromise of an old session key is modelled explicitly: at its end the initiator leaks
 * kab (`oops`, as in Paulson's and Scyther's models), naming its session <kab, nb>. NSSK2 is
 * secrecy "unless this session's key leaked": a Secret claim whose session was revealed is not
 * judged, so the leak at the end of an honest run is no attack, and the Denning–Sacco replay —
 * B's new session <kab, nb'> on an old session's revealed kab — is. Nothing in message 3 tells
 * B that kab is fresh, so the attacker replays an old message 3 with a leaked kab to a new B
 * session and completes it (Denning & Sacco 1981): B commits with no matching run of A.
 * @module
 */
import { type Protocol, agent } from '../protocol.ts';
import { roleMachine } from '../role.ts';
import { serverSetup } from './server-setup.ts';
import { claim, fresh, match, oops, recv, send } from '../steps.ts';
import { h, sdec, senc, tup, v } from '../terms.ts';

const self = agent('self');
const peer = agent('peer');
const a = agent('a');
const b = agent('b');
const k = v('k', 'digest'); // the long-term key shared with the server
const ka = v('ka', 'digest');
const kb = v('kb', 'digest');
const na = v('na', 'nonce');
const nb = v('nb', 'nonce');
const kab = v('kab', 'nonce');
const tkt = v('tkt', 'ct');

const initiator = roleMachine({
  role: 'A',
  party: 'A',
  initial: 'start',
  knows: [self, peer, k],
  transitions: [
    { label: 'a.msg1', from: 'start', to: 'wait2', trigger: 'START', steps: [fresh(na), send('S', 'msg1', tup(self, peer, na))] },
    {
      label: 'a.msg3',
      from: 'wait2',
      to: 'wait4',
      trigger: 'MSG',
      steps: [recv('S', 'msg2', v('ct2', 'ct')), match(tup(na, peer, kab, tkt), sdec(v('ct2', 'ct'), k), 'decrypt msg2'), send('B', 'msg3', tkt)],
    },
    {
      label: 'a.msg5',
      from: 'wait4',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('B', 'msg4', v('ct4', 'ct')),
        match(nb, sdec(v('ct4', 'ct'), kab), 'decrypt msg4'),
        claim('Running', 'resp', peer, tup(self, peer, kab, nb)),
        claim('Secret', 'kab', peer, kab, tup(kab, nb)),
        send('B', 'msg5', senc(h(nb), kab)),
        // the session is over; its key is compromised (the Denning–Sacco assumption)
        ...oops('kab', peer, kab, tup(kab, nb)),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

const responder = roleMachine({
  role: 'B',
  party: 'B',
  initial: 'wait3',
  knows: [self, peer, k],
  transitions: [
    {
      label: 'b.msg4',
      from: 'wait3',
      to: 'wait5',
      trigger: 'MSG',
      steps: [recv('A', 'msg3', v('ct3', 'ct')), match(tup(kab, peer), sdec(v('ct3', 'ct'), k), 'decrypt msg3'), fresh(nb), send('A', 'msg4', senc(nb, kab))],
    },
    {
      label: 'b.done',
      from: 'wait5',
      to: 'done',
      trigger: 'MSG',
      steps: [recv('A', 'msg5', v('ct5', 'ct')), match(h(nb), sdec(v('ct5', 'ct'), kab), 'decrypt msg5'), claim('Commit', 'resp', peer, tup(peer, self, kab, nb)), claim('Secret', 'kab', peer, kab, tup(kab, nb)), claim('Finish', 'run', null, self)],
    },
  ],
});

const server = roleMachine({
  role: 'S',
  party: 'S',
  initial: 'wait1',
  knows: [self, a, b, ka, kb],
  transitions: [
    {
      label: 's.msg2',
      from: 'wait1',
      to: 'done',
      trigger: 'MSG',
      steps: [recv('A', 'msg1', tup(a, b, na)), fresh(kab), send('A', 'msg2', senc(tup(na, b, kab, senc(tup(kab, a), kb)), ka)), claim('Finish', 'run', null, self)],
    },
  ],
});

export const nssk: Protocol = {
  name: 'nssk',
  title: 'Needham–Schroeder symmetric key (Denning–Sacco replay of an old session key)',
  source: 'Needham & Schroeder 1978; Denning & Sacco 1981',
  ...serverSetup({ A: initiator, B: responder, S: server }, 'digest'),
  properties: [
    {
      id: 'NSSK1',
      kind: 'non-injective-agreement',
      statement: 'If B completes with A, A ran with B on <A, B, kab, nb> (fails: an old kab is replayed).',
      tag: 'resp',
      commit: 'B',
      running: 'A',
      expected: 'attack',
      // the old session to its end (A, S, B: A's Oops comes after B's msg4) and a new run of B
      // the old msg3 is replayed to: four runs (`tcv verify nssk --runs 4`; at 3 it holds)
      attackFromRuns: 4,
    },
    {
      id: 'NSSK2',
      kind: 'secrecy',
      statement: "kab stays secret unless this session's key leaked (fails: B accepts an old session's revealed key as new).",
      tag: 'kab',
      unlessOops: true,
      expected: 'attack',
      // the same four runs as NSSK1
      attackFromRuns: 4,
    },
  ],
  variants: [],
};
