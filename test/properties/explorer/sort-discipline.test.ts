import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Sort, type Term, G, c, exp, h, name, pk, sdec, senc, sign, tup, v } from '../../../models/terms.ts';
import { EMPTY, FreshVars, unify } from '../../../properties/explorer/unify.ts';
import { matchPattern } from '../../../impl/runtime/match.ts';
import { EvalFailure } from '../../../impl/runtime/evaluate.ts';
import { SUITES } from '../../../impl/crypto/index.ts';
import { seededRandom } from '../../../impl/crypto/random.ts';
import { type Value, bytesV, constV, tupleV } from '../../../impl/wire/value.ts';
import { andrewRpc } from '../../../models/classic/andrew-rpc.ts';
import { CLASSIC_PROTOCOLS as CLASSIC } from '../../../models/classic/index.ts';
import { explore } from '../../../properties/explorer/search.ts';
import { ProtocolRun } from '../../../impl/runtime/session.ts';
import { targetOf } from '../../../models/target.ts';

const SORTS: Sort[] = ['msg', 'nonce', 'const', 'agent', 'skey', 'point', 'sig', 'digest', 'ct', 'bool'];
const deps = { suite: SUITES.tpm2, rng: seededRandom(1) };
const n = name('n', 'nonce');
const x = name('x', 'skey');
const b32 = bytesV(new Uint8Array(32).fill(3));
const point: Value = { k: 'point', b: new Uint8Array(65) };
// a term of each kind the explorer meets, with a value of the same kind the runtime receives
const SAMPLES: [string, Term, Value][] = [
  ['a public constant', c('succ'), constV('succ')],
  ['an agent name', c('a1'), constV('a1')],
  ["the generator 'g'", G, constV('g')],
  ['a nonce', n, b32],
  ['a tagged tuple', tup(c('succ'), n), tupleV([constV('succ'), b32])],
  ['a hash', h(n), b32],
  ['a ciphertext', senc(n, n), b32],
  ['a public key', pk(x), point],
  ['a DH share', exp(G, x), point],
  ['a signature', sign(n, x), { k: 'sig', b: new Uint8Array(64) }],
  ['a scalar', x, { k: 'scalar', b: new Uint8Array(32).fill(1) }],
];

function runtimeAccepts(sort: Sort, value: Value): boolean {
  try {
    matchPattern(v('y', sort), value, {}, deps, 'test');
    return true;
  } catch (e) {
    if (e instanceof EvalFailure && e.code === 'type') return false;
    throw e;
  }
}
const explorerAccepts = (sort: Sort, t: Term) => unify(v('y', sort), t, EMPTY, new FreshVars()).length > 0;

test('one sort discipline: the explorer binds a received variable exactly to what the runtime accepts', () => {
  for (const sort of SORTS)
    for (const [what, term, value] of SAMPLES)
      assert.equal(explorerAccepts(sort, term), runtimeAccepts(sort, value), `a ${sort} variable and ${what}`);
});

test('a typed variable takes a decryption only as an encryption of a value of its sort', () => {
  const k = name('k', 'digest');
  const ct = v('ct', 'ct');
  // the receiver decrypts `ct` into its nonce: the ciphertext must be senc(nonce, k)
  const [s] = unify(v('na', 'nonce'), sdec(ct, k), EMPTY, new FreshVars());
  assert.ok(s);
  const bound = s.get('ct')!;
  assert.equal(bound.t === 'app' && bound.f, 'senc');
  // ... so a recorded senc(<'succ', n>, k) cannot be decrypted into it
  assert.equal(unify(v('na', 'nonce'), sdec(senc(tup(c('succ'), n), k), k), EMPTY, new FreshVars()).length, 0);
  assert.equal(unify(v('na', 'nonce'), sdec(senc(c('succ'), k), k), EMPTY, new FreshVars()).length, 0);
  // an untyped variable still takes any plaintext
  assert.equal(unify(v('m', 'msg'), sdec(senc(tup(c('succ'), n), k), k), EMPTY, new FreshVars()).length, 1);
});

test("Andrew RPC: A's own message 3 reflected as message 4 is rejected by the runtime, and the explorer finds no attack on AR1 or AR2", () => {
  // the runtime: A decrypts <'succ', nb> where it expects <k2, nb2> with k2 a key (bytes)
  const run = new ProtocolRun(andrewRpc, { seed: 3 });
  run.start();
  for (let i = 0; i < 10 && !run.network.pending().some((e) => e.label === 'msg3'); i++) run.deliver(run.deliverable()[0]!.id);
  const m3 = run.network.pending().find((e) => e.label === 'msg3')!;
  const fake = run.network.inject('B', 'A', 'msg4', m3.bytes, m3.session);
  run.deliver(fake.id);
  const a = run.partyStates().find((p) => p.role === 'A')!;
  assert.equal(a.state, 'failed');
  assert.equal(a.failure?.code, 'type', JSON.stringify(a.failure));
  // the explorer: the same rule, so no attack where the model declares none
  const r = explore(targetOf(andrewRpc, undefined, { sessions: 1 }));
  for (const id of ['AR1', 'AR2']) assert.equal(r.verdicts.get(id)!.verdict, andrewRpc.properties.find((p) => p.id === id)!.expected ?? 'holds', id);
});

test('NSSK1: no attack at one session (A would have to decrypt junk into its nonce nb), the Denning–Sacco replay at two', () => {
  const nssk = CLASSIC.find((p) => p.name === 'nssk')!;
  assert.equal(explore(targetOf(nssk, undefined, { sessions: 1 }), { properties: ['NSSK1'] }).verdicts.get('NSSK1')!.verdict, 'holds');
  assert.equal(explore(targetOf(nssk, undefined, { sessions: 2 }), { properties: ['NSSK1'] }).verdicts.get('NSSK1')!.verdict, nssk.properties.find((p) => p.id === 'NSSK1')!.expected);
});
