/**
 * Needham–Schroeder public key (1978) and Lowe's fix NSL (1995), with `aenc`/`adec` and `match`.
 *
 *   1. I → R : aenc(<na, I>, pk(R))
 *   2. R → I : aenc(<na, nb>, pk(I))          NSL: aenc(<na, nb, R>, pk(I))
 *   3. I → R : aenc(nb, pk(R))
 *
 * Lowe's attack on NSPK: I talks to the attacker E, which re-encrypts message 1 for R; R
 * believes it talks to I, and nb leaks. Each role names its intended peer as an agent variable
 * (`peer`), so the judge knows whom a claim is about; the responder compares the identity in
 * message 1 with it.
 * @module
 */
import { type Protocol, agent, lt } from '../protocol.ts';
import { replaceSteps } from '../edits.ts';
import { roleMachine } from '../role.ts';
import { claim, fresh, match, recv, send } from '../steps.ts';
import { adec, aenc, pk, tup, v } from '../terms.ts';

const self = agent('self');
const peer = agent('peer');
const sk = v('sk', 'skey');
const pkPeer = v('pkPeer', 'point');
const na = v('na', 'nonce');
const nb = v('nb', 'nonce');

function initiator(lowe: boolean) {
  const ct2 = v('ct2', 'ct');
  return roleMachine({
    role: 'I',
    party: 'I',
    initial: 'start',
    knows: [self, peer, sk, pkPeer],
    transitions: [
      { label: 'i.msg1', from: 'start', to: 'wait2', trigger: 'START', steps: [fresh(na), send('R', 'msg1', aenc(tup(na, self), pkPeer))] },
      {
        label: 'i.msg3',
        from: 'wait2',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('R', 'msg2', ct2),
          match(lowe ? tup(na, nb, peer) : tup(na, nb), adec(ct2, sk), 'decrypt msg2'),
          claim('Commit', 'init', peer, tup(self, peer, na, nb)),
          claim('Running', 'resp', peer, tup(self, peer, na, nb)),
          claim('Secret', 'na', peer, na),
          send('R', 'msg3', aenc(nb, pkPeer)),
          claim('Finish', 'run', null, self),
        ],
      },
    ],
  });
}

function responder(lowe: boolean) {
  const ct1 = v('ct1', 'ct');
  const ct3 = v('ct3', 'ct');
  return roleMachine({
    role: 'R',
    party: 'R',
    initial: 'wait1',
    knows: [self, peer, sk, pkPeer],
    transitions: [
      {
        label: 'r.msg2',
        from: 'wait1',
        to: 'wait3',
        trigger: 'MSG',
        steps: [
          recv('I', 'msg1', ct1),
          match(tup(na, peer), adec(ct1, sk), 'decrypt msg1'),
          fresh(nb),
          claim('Running', 'init', peer, tup(peer, self, na, nb)),
          send('I', 'msg2', aenc(lowe ? tup(na, nb, self) : tup(na, nb), pkPeer)),
        ],
      },
      {
        label: 'r.done',
        from: 'wait3',
        to: 'done',
        trigger: 'MSG',
        steps: [recv('I', 'msg3', ct3), match(nb, adec(ct3, sk), 'decrypt msg3'), claim('Commit', 'resp', peer, tup(peer, self, na, nb)), claim('Secret', 'nb', peer, nb), claim('Finish', 'run', null, self)],
      },
    ],
  });
}

function nsProtocol(lowe: boolean): Protocol {
  const verdict = lowe ? 'holds' : 'attack';
  // Lowe's man in the middle takes two runs: A's with E, and B's with A (`tcv verify --runs 2`
  // finds it, `--runs 1` cannot)
  const attackFrom = lowe ? {} : { attackFromRuns: 2 };
  return {
    name: lowe ? 'nsl' : 'nspk',
    title: lowe ? 'Needham–Schroeder–Lowe public key (holds)' : "Needham–Schroeder public key (Lowe's attack)",
    source: lowe ? 'Lowe 1996, "Breaking and fixing the Needham-Schroeder public-key protocol"' : 'Needham & Schroeder 1978; Lowe 1995',
    roles: [
      { role: 'I', machine: initiator(lowe), agents: { self: 'I', peer: 'R' }, initiator: true, knows: { sk: lt('sk', 'self'), pkPeer: pk(lt('sk', 'peer')) } },
      { role: 'R', machine: responder(lowe), agents: { self: 'R', peer: 'I' }, initiator: false, knows: { sk: lt('sk', 'self'), pkPeer: pk(lt('sk', 'peer')) } },
    ],
    longTerm: [{ name: 'sk', owner: 'I', sort: 'skey', reveal: 'RevealSk' }],
    deployment: { I: 'a1', R: 'b1' },
    properties: [
      { id: 'NS1', kind: 'secrecy', statement: 'The responder nonce nb stays secret.', tag: 'nb', expected: verdict, ...attackFrom },
      { id: 'NS2', kind: 'non-injective-agreement', statement: 'If R completes with I, I ran with R on <I, R, na, nb>.', tag: 'resp', commit: 'R', running: 'I', expected: verdict, ...attackFrom },
      { id: 'NS3', kind: 'secrecy', statement: 'The initiator nonce na stays secret (the initiator only talks to whom it chose).', tag: 'na' },
      { id: 'NS4', kind: 'non-injective-agreement', statement: 'If I completes with R, R ran with I on <I, R, na, nb>.', tag: 'init', commit: 'I', running: 'R' },
    ],
    variants: [
      {
        // a variant that adds a claim, and the property that reads it
        id: 'responder-na',
        title: 'R, when it completes, also believes na secret between it and I (broken by the same man in the middle in NSPK)',
        breaks: lowe ? [] : ['NS5'],
        edit: replaceSteps(['R'], (s) => s.op === 'claim' && s.event === 'Commit' && s.tag === 'resp', (s) => [s, claim('Secret', 'na-r', peer, na)]),
        properties: [{ id: 'NS5', kind: 'secrecy', statement: 'The initiator nonce na stays secret, as the responder believes.', tag: 'na-r', expected: verdict, ...attackFrom }],
      },
      {
        id: 'any-peer',
        title: "NS4 judged with any peer (Lowe's attack seen from A: A, running with E, takes B's nb as E's)",
        breaks: [],
        edit: () => ({}),
        // Lowe's honest-peer reading (NS4) holds for both; with any peer, NSPK's initiator that
        // talks to E completes on B's nb, which E never had: E relayed B's message 2 (NSL's
        // message 2 names B, so it cannot be relayed)
        properties: [{ id: 'NS6', kind: 'non-injective-agreement', statement: 'NS4 with any peer: if I completes with the attacker\'s agent, the attacker had na and nb.', tag: 'init', commit: 'I', running: 'R', peers: 'any', expected: verdict }],
      },
    ],
  };
}

export const nspk = nsProtocol(false);
export const nsl = nsProtocol(true);
