/**
 * Otway–Rees (1987) with a key server S (Clark & Jacob 1997 §6.3.3; SPORE "Otway Rees"):
 *
 *   1. A → B : M, A, B, senc(<na, <M, A, B>>, kas)
 *   2. B → S : M, A, B, senc(<na, <M, A, B>>, kas), senc(<nb, <M, A, B>>, kbs)
 *   3. S → B : M, senc(<na, kab>, kas), senc(<nb, kab>, kbs)
 *   4. B → A : M, senc(<na, kab>, kas)
 *
 * M is the run identifier and <M, A, B> the session identifier the nonces are bound to, written
 * as one group: that is where the literature's type flaw lives. A receiver that does not check
 * what it takes for a key accepts its own message-1 ciphertext, replayed as message 4, with
 * kab := <M, A, B>, which travelled in the clear (Clark & Jacob §6.3.3, after Boyd; SPORE; a
 * second one on B's side with its message-2 ciphertext as message 3). Under the runtime's typed
 * messages a key is 32 bytes and a tuple cannot be one (models/sorts.ts), so the base holds
 * OR1; variant `untyped-key` (kab of sort `msg`: no check) is the literature's receiver, and the
 * explorer finds the attack there.
 *
 * The other verdicts, with typed messages: the key stays secret (Paulson, "The inductive approach
 * to verifying cryptographic protocols", JCS 1998, proved it for Otway–Rees); S passes on a key
 * only after decrypting both parties' ciphertexts for the same <M, A, B>, so each of A and B
 * knows the other ran with it on M (non-injective agreement). A has no key confirmation: nothing
 * A receives comes from B after B accepted kab (the attacker forwards message 3's first part to
 * A itself), so A's agreement with B on kab fails (OR4) — Otway–Rees authenticates the key,
 * it does not confirm it (Boyd & Mathuria, "Protocols for authentication and key
 * establishment", 2003, §3.3).
 *
 * OR2 and OR3 assume A ≠ B, as the literature does (and the default bound, where each role has
 * its own agent). An agent that talks to itself breaks both: A's and B's parts for the server
 * have the same form <nonce, <M, A, B>> under the same key when A = B, so the attacker hands S
 * A's own message-1 ciphertext as B's part (or B's as A's) and A (or B) completes with no run of
 * the other role. ProVerif 2.05 finds it on the export (OR2, OR3 false) and so does
 * `tcv verify otway-rees --runs 2` (any agent in any role): declared with `attackFromRuns: 2`
 * (holds under `--sessions`, attack from `--runs 2`).
 * @module
 */
import { type Protocol, agent } from '../protocol.ts';
import { roleMachine } from '../role.ts';
import { serverSetup } from './server-setup.ts';
import { claim, fresh, match, recv, send } from '../steps.ts';
import { type Term, type Var, sdec, senc, tup, v } from '../terms.ts';
import { replaceSteps } from '../edits.ts';

const self = agent('self');
const peer = agent('peer');
const a = agent('a');
const b = agent('b');
const k = v('k', 'symkey'); // the long-term key shared with the server
const ka = v('ka', 'symkey');
const kb = v('kb', 'symkey');
const m = v('m', 'nonce');
const na = v('na', 'nonce');
const nb = v('nb', 'nonce');
const kab = v('kab', 'symkey');

/** The session identifier <M, A, B> a party's nonce is bound to (messages 1 and 2). */
const sessionId = (x: Term, y: Term) => tup(m, x, y);
/** What the server says to each party (message 3): its nonce and the key. */
const keyFor = (n: Var, key: Term) => tup(n, key);

const initiator = roleMachine({
  role: 'A',
  party: 'A',
  initial: 'start',
  knows: [self, peer, k],
  transitions: [
    {
      label: 'a.msg1',
      from: 'start',
      to: 'wait4',
      trigger: 'START',
      steps: [
        fresh(m),
        fresh(na),
        claim('Running', 'run-b', peer, sessionId(self, peer)),
        send('B', 'msg1', tup(m, self, peer, senc(tup(na, sessionId(self, peer)), k))),
      ],
    },
    {
      label: 'a.done',
      from: 'wait4',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('B', 'msg4', tup(m, v('ct4', 'ct'))),
        match(keyFor(na, kab), sdec(v('ct4', 'ct'), k), 'decrypt msg4'),
        claim('Commit', 'run-a', peer, sessionId(self, peer)),
        claim('Commit', 'key', peer, tup(self, peer, kab)),
        claim('Secret', 'kab', peer, kab),
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
      to: 'wait3',
      trigger: 'MSG',
      steps: [
        recv('A', 'msg1', tup(m, peer, self, v('ct1', 'ct'))),
        fresh(nb),
        claim('Running', 'run-a', peer, sessionId(peer, self)),
        send('S', 'msg2', tup(m, peer, self, v('ct1', 'ct'), senc(tup(nb, sessionId(peer, self)), k))),
      ],
    },
    {
      label: 'b.msg4',
      from: 'wait3',
      to: 'done',
      trigger: 'MSG',
      steps: [
        recv('S', 'msg3', tup(m, v('ct3a', 'ct'), v('ct3b', 'ct'))),
        match(keyFor(nb, kab), sdec(v('ct3b', 'ct'), k), 'decrypt msg3'),
        claim('Commit', 'run-b', peer, sessionId(peer, self)),
        claim('Running', 'key', peer, tup(peer, self, kab)),
        claim('Secret', 'kab', peer, kab),
        send('A', 'msg4', tup(m, v('ct3a', 'ct'))),
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
        recv('B', 'msg2', tup(m, a, b, v('ct1', 'ct'), v('ct2', 'ct'))),
        // both ciphertexts name the same session <M, A, B>
        match(tup(na, sessionId(a, b)), sdec(v('ct1', 'ct'), ka), 'decrypt A part'),
        match(tup(nb, sessionId(a, b)), sdec(v('ct2', 'ct'), kb), 'decrypt B part'),
        fresh(kab),
        send('B', 'msg3', tup(m, senc(keyFor(na, kab), ka), senc(keyFor(nb, kab), kb))),
        claim('Finish', 'run', null, self),
      ],
    },
  ],
});

/** A receiver that takes whatever message 4 (A) or message 3 (B) holds beside its nonce for the
 * key, without checking it is one: kab of sort `msg`. */
const untypedKey = (role: 'A' | 'B', label: string) =>
  replaceSteps(
    [role],
    (s) => s.op === 'match' && s.label === label,
    (s) => (s.op === 'match' ? [{ ...s, pattern: keyFor(role === 'A' ? na : nb, v('kab', 'msg')) }] : [s]),
  );

export const otwayRees: Protocol = {
  name: 'otway-rees',
  title: 'Otway–Rees (the type flaw needs an untyped key; no key confirmation for A)',
  source: 'Otway & Rees 1987; Clark & Jacob 1997 §6.3.3; SPORE; Paulson 1998; Boyd & Mathuria 2003',
  ...serverSetup({ A: initiator, B: responder, S: server }, 'symkey'),
  properties: [
    { id: 'OR1', kind: 'secrecy', statement: 'The session key kab stays secret (A and B).', tag: 'kab' },
    // holds with A ≠ B (the sessions bound); from two runs an agent may talk to itself (above)
    { id: 'OR2', kind: 'non-injective-agreement', statement: 'If A completes with B, B ran with A on the session <M, A, B>.', tag: 'run-a', commit: 'A', running: 'B', attackFromRuns: 2 },
    { id: 'OR3', kind: 'non-injective-agreement', statement: 'If B completes with A, A ran with B on the session <M, A, B>.', tag: 'run-b', commit: 'B', running: 'A', attackFromRuns: 2 },
    {
      id: 'OR4',
      kind: 'non-injective-agreement',
      statement: 'If A accepts kab for B, B accepted kab for A (fails: no key confirmation; message 4 may come straight from message 3).',
      tag: 'key',
      commit: 'A',
      running: 'B',
      expected: 'attack',
    },
  ],
  variants: [
    {
      id: 'untyped-key',
      title: "A and B take whatever sits beside their nonce for the key: A's own message 1 replayed as message 4 gives kab = <M, A, B> (type flaw)",
      // A, fed its own message 1 as message 4, completes with no run of B at all (OR2), and B,
      // fed its own message-2 ciphertext as message 3, with no run of A (OR3): both of Clark &
      // Jacob's type-flaw attacks, each in one session
      breaks: ['OR1', 'OR2', 'OR3'],
      edit: (machines) => ({ ...untypedKey('A', 'decrypt msg4')(machines), ...untypedKey('B', 'decrypt msg3')(machines) }),
    },
  ],
};
