/**
 * CCITT X.509 (1), the one-message version (Clark & Jacob 1997, "A survey of authentication
 * protocol literature", §6.6.5 "CCITT X.509"; SPORE "CCITT X.509 (1)"), timestamp left out:
 *
 *   1. A → B : A, m, sign(m, skA)      m = <'x509', na, B, xa, aenc(ya, pk(B))>
 *
 * The encrypted `aenc(ya, pk(B))` occurs twice in the sent term: in `m` and inside the
 * signature over `m`. Symbolically it is one term; so at run time it must be one ciphertext (a
 * step evaluates each distinct subterm once, impl/runtime/evaluate.ts StepMemo), or B's check of
 * the signature fails on every honest run.
 *
 * Verdicts the literature gives: ya stays secret; B agrees with an honest A on what it received
 * (A signed it); without the timestamp Ta nothing is fresh, so a recorded message is accepted
 * again (no injective agreement). Burrows, Abadi and Needham's attack — the attacker signs A's
 * `aenc(ya, pk(B))` as its own — is about B's belief that the attacker's agent knows ya: no
 * attack on agreement with an honest peer (X2 holds), an attack with any peer (X4 of the variant `any-peer`, `peers: 'any'`).
 * @module
 */
import { type Protocol, agent, lt } from '../protocol.ts';
import { roleMachine } from '../role.ts';
import { TRUE, adec, aenc, c, pk, sign, tup, v, verify } from '../terms.ts';
import { check, claim, fresh, match, recv, send } from '../steps.ts';

const self = agent('self');
const peer = agent('peer');
const sk = v('sk', 'skey');
const pkPeer = v('pkPeer', 'point');
const na = v('na', 'nonce');
const xa = v('xa', 'nonce');
const ya = v('ya', 'nonce');
const ct = v('ct', 'ct');
const sg = v('sg', 'sig');

const sender = roleMachine({
  role: 'A',
  party: 'A',
  initial: 'start',
  knows: [self, peer, sk, pkPeer],
  transitions: [
    {
      label: 'a.msg1',
      from: 'start',
      to: 'done',
      trigger: 'START',
      steps: [
        fresh(na),
        fresh(xa),
        fresh(ya),
        claim('Running', 'b', peer, tup(self, peer, na, xa, ya)),
        claim('Secret', 'ya', peer, ya),
        send('B', 'msg1', tup(self, tup(c('x509'), na, peer, xa, aenc(ya, pkPeer)), sign(tup(c('x509'), na, peer, xa, aenc(ya, pkPeer)), sk))),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

const receiver = roleMachine({
  role: 'B',
  party: 'B',
  initial: 'wait1',
  knows: [self, peer, sk, pkPeer],
  transitions: [
    {
      label: 'b.done',
      from: 'wait1',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('A', 'msg1', tup(peer, tup(c('x509'), na, self, xa, ct), sg)),
        check('signature of A', verify(sg, tup(c('x509'), na, self, xa, ct), pkPeer), TRUE, "A's signature over the message, the ciphertext included"),
        match(ya, adec(ct, sk), 'decrypt ya'),
        claim('Commit', 'b', peer, tup(peer, self, na, xa, ya)),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

const knows = { sk: lt('sk', 'self'), pkPeer: pk(lt('sk', 'peer')) };

export const ccittX509: Protocol = {
  name: 'ccitt-x509',
  title: 'CCITT X.509 (1), one message, no timestamp (replay)',
  source: 'CCITT X.509 (1988); Burrows, Abadi & Needham 1989; Clark & Jacob 1997; SPORE',
  roles: [
    { role: 'A', machine: sender, agents: { self: 'A', peer: 'B' }, initiator: true, knows },
    { role: 'B', machine: receiver, agents: { self: 'B', peer: 'A' }, initiator: false, knows },
  ],
  longTerm: [{ name: 'sk', owner: 'A', sort: 'skey', reveal: 'RevealSk' }],
  deployment: { A: 'a1', B: 'b1' },
  properties: [
    { id: 'X1', kind: 'secrecy', statement: 'ya, encrypted for B, stays secret.', tag: 'ya' },
    { id: 'X2', kind: 'non-injective-agreement', statement: 'If B accepts from A, A sent it to B with these na, xa, ya.', tag: 'b', commit: 'B', running: 'A' },
    {
      id: 'X3',
      kind: 'injective-agreement',
      statement: 'Each message B accepts from A was sent once (fails: no timestamp, a recorded message is accepted again).',
      tag: 'b',
      commit: 'B',
      running: 'A',
      expected: 'attack',
      // A's one run and two runs of B accepting the same message: three (`--runs 3`)
      attackFromRuns: 3,
    },
  ],
  variants: [
    {
      id: 'any-peer',
      title: "X2 judged with any peer (BAN's attack: E signs A's aenc(ya, pk(B)) as its own)",
      breaks: [],
      edit: () => ({}),
      properties: [
        {
          id: 'X4',
          kind: 'non-injective-agreement',
          statement: "X2 with any peer: if B accepts from the attacker's agent, the attacker knew na, xa and ya (fails: BAN's attack — E signs A's aenc(ya, pk(B)) as its own).",
          tag: 'b',
          commit: 'B',
          running: 'A',
          peers: 'any',
          expected: 'attack',
        },
      ],
    },
  ],
};
