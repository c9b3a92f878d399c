/**
 * Signed Diffie–Hellman, without and with the peer identities inside the signatures.
 *
 *   1. I → R : <I, 'g'^x>
 *   2. R → I : <'g'^y, sign(<'g'^x, 'g'^y>, skR)>          ids: sign(<'g'^x, 'g'^y, I>, skR)
 *   3. I → R : sign(<'g'^y, 'g'^x>, skI)                   ids: sign(<'g'^y, 'g'^x, R>, skI)
 *
 * Without identities the attacker E, running as I's chosen peer, forwards R's signature:
 * I believes it shares the key with E, R believes it shares it with I… or, symmetrically, E
 * presents an honest initiator's signature as its own (the identity-misbinding attack on
 * agreement, Diffie, van Oorschot & Wiener 1992). With the identities signed it holds.
 * @module
 */
import { type Protocol, agent, lt } from '../protocol.ts';
import { roleMachine } from '../role.ts';
import { check, claim, fresh, let_, recv, send } from '../steps.ts';
import { G, TRUE, exp, h, pk, sign, tup, v, verify } from '../terms.ts';

const self = agent('self');
const peer = agent('peer');
const sk = v('sk', 'skey');
const pkPeer = v('pkPeer', 'point');
const x = v('x', 'skey');
const y = v('y', 'skey');
const X = v('X', 'point');
const Y = v('Y', 'point');
const s2 = v('s2', 'sig');
const s3 = v('s3', 'sig');
const key = v('key', 'digest');

function dh(ids: boolean): Protocol {
  const initiator = roleMachine({
    role: 'I',
    party: 'I',
    initial: 'start',
    knows: [self, peer, sk, pkPeer],
    transitions: [
      { label: 'i.msg1', from: 'start', to: 'wait2', trigger: 'START', steps: [fresh(x), let_(X, exp(G, x)), send('R', 'msg1', tup(self, X))] },
      {
        label: 'i.msg3',
        from: 'wait2',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('R', 'msg2', tup(Y, s2)),
          check('signature of R', verify(s2, ids ? tup(X, Y, self) : tup(X, Y), pkPeer), TRUE, "R's signature over both shares"),
          let_(key, h(exp(Y, x))),
          claim('Commit', 'init', peer, tup(self, peer, X, Y)),
          claim('Running', 'resp', peer, tup(self, peer, X, Y)),
          claim('Secret', 'key', peer, key),
          send('R', 'msg3', sign(ids ? tup(Y, X, peer) : tup(Y, X), sk)),
          claim('Finish', 'run', null, self),
        ],
      },
    ],
  });
  const responder = roleMachine({
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
        steps: [recv('I', 'msg1', tup(peer, X)), fresh(y), let_(Y, exp(G, y)), claim('Running', 'init', peer, tup(peer, self, X, Y)), send('I', 'msg2', tup(Y, sign(ids ? tup(X, Y, peer) : tup(X, Y), sk)))],
      },
      {
        label: 'r.done',
        from: 'wait3',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('I', 'msg3', s3),
          check('signature of I', verify(s3, ids ? tup(Y, X, self) : tup(Y, X), pkPeer), TRUE, "I's signature over both shares"),
          let_(key, h(exp(X, y))),
          claim('Commit', 'resp', peer, tup(peer, self, X, Y)),
          claim('Secret', 'key', peer, key),
          claim('Finish', 'run', null, self),
        ],
      },
    ],
  });
  const knows = { sk: lt('sk', 'self'), pkPeer: pk(lt('sk', 'peer')) };
  return {
    name: ids ? 'signed-dh-ids' : 'signed-dh',
    title: ids ? 'signed Diffie–Hellman with the peer identities signed (holds)' : 'signed Diffie–Hellman without identities (attack on agreement)',
    source: 'Diffie, van Oorschot & Wiener 1992 (station-to-station); ISO 9798-3 style',
    roles: [
      { role: 'I', machine: initiator, agents: { self: 'I', peer: 'R' }, initiator: true, knows },
      { role: 'R', machine: responder, agents: { self: 'R', peer: 'I' }, initiator: false, knows },
    ],
    longTerm: [{ name: 'sk', owner: 'I', sort: 'skey', reveal: 'RevealSk' }],
    deployment: { I: 'a1', R: 'b1' },
    properties: [
      { id: 'DH1', kind: 'secrecy', statement: 'The DH key stays secret.', tag: 'key' },
      {
        id: 'DH2',
        kind: 'non-injective-agreement',
        statement: 'If I completes with R, R ran with I on <I, R, shares> (fails without identities).',
        tag: 'init',
        commit: 'I',
        running: 'R',
        expected: ids ? 'holds' : 'attack',
        // an honest run talking to E and the run E relays it to: two (`--runs 2`)
        ...(ids ? {} : { attackFromRuns: 2 }),
      },
      {
        id: 'DH3',
        kind: 'non-injective-agreement',
        statement: 'If R completes with I, I ran with R on <I, R, shares> (fails without identities).',
        tag: 'resp',
        commit: 'R',
        running: 'I',
        expected: ids ? 'holds' : 'attack',
        // an honest run talking to E and the run E relays it to: two (`--runs 2`)
        ...(ids ? {} : { attackFromRuns: 2 }),
      },
    ],
    variants: [],
  };
}

export const signedDh = dh(false);
export const signedDhIds = dh(true);
