import { test } from 'node:test';
import assert from 'node:assert/strict';
import { G, aenc, c, exp, h, hmac, name, pk, senc, sign, tup, v, verify, TRUE, sdec } from '../../../models/terms.ts';
import { type SolveContext, solve } from '../../../properties/explorer/deduction.ts';
import { EMPTY, FreshVars, resolve, unify } from '../../../properties/explorer/unify.ts';

const k = name('k', 'digest');
const k2 = name('k2', 'digest');
const n = name('n', 'nonce');
const sk = name('sk', 'skey');
const a = name('a', 'skey');
const b = name('b', 'skey');

function ctx(know: ReturnType<typeof tup>[] | any[]): SolveContext {
  return { know, fresh: new FreshVars(), budget: { perCall: 100_000, cut: false } };
}
const can = (know: any[], t: any) => solve([{ lvl: know.length, t }], EMPTY, ctx(know)).length > 0;

test('analysis: a pair and a decryption with a known key', () => {
  assert.ok(can([tup(senc(n, k), k)], n));
  assert.ok(can([tup(senc(n, k), k)], h(n)));
});

test('NOT derivable: ciphertext without its key, a hash preimage, a signing key', () => {
  assert.ok(!can([senc(n, k)], n));
  assert.ok(!can([senc(n, k), k2], n));
  assert.ok(!can([h(n)], n));
  assert.ok(!can([sign(n, sk), pk(sk)], sk));
  assert.ok(!can([sign(n, sk)], n), 'signatures do not reveal their message');
  assert.ok(!can([hmac(k, n)], hmac(k, name('m', 'nonce'))));
});

test('asymmetric decryption needs the private key', () => {
  assert.ok(can([aenc(n, pk(sk)), sk], n));
  assert.ok(!can([aenc(n, pk(sk)), pk(sk)], n));
});

test('keys behind keys, and no cyclic use of a ciphertext for its own key', () => {
  assert.ok(can([senc(k2, k), senc(n, k2), k], n));
  assert.ok(!can([senc(k, k)], k));
});

test('DH: g^(a*b) from g^a and b, not from g^a and g^b', () => {
  assert.ok(can([exp(G, a), b], exp(exp(G, b), a)));
  assert.ok(!can([exp(G, a), exp(G, b)], exp(exp(G, a), b)));
});

test('lazy intruder: a variable input stays open; a needed structure binds it', () => {
  const X = v('X$1', 'nonce');
  const sols = solve([{ lvl: 1, t: tup(X, c('l')) }], EMPTY, ctx([n]));
  assert.equal(sols.length, 1);
  assert.equal(sols[0]!.cons.length, 1, 'X stays a simple constraint');
  // a MAC under a secret key must be taken from knowledge: binds M's variable
  const Y = v('Y$2', 'nonce');
  const sols2 = solve([{ lvl: 1, t: hmac(k, Y) }], EMPTY, ctx([hmac(k, n)]));
  assert.equal(sols2.length, 1);
  assert.deepEqual(resolve(Y, sols2[0]!.s), n);
});

test('a knowledge level hides later messages', () => {
  assert.ok(!solve([{ lvl: 0, t: n }], EMPTY, ctx([n])).length);
});

test('unification: signature check narrows, stuck decryption narrows, DH base absorbs factors', () => {
  const fresh = new FreshVars();
  const S = v('S$1', 'sig');
  const [u] = unify(verify(S, n, pk(sk)), TRUE, EMPTY, fresh);
  assert.deepEqual(resolve(S, u!), sign(n, sk));
  const C = v('C$1', 'ct');
  const [w] = unify(sdec(C, k), n, EMPTY, fresh);
  assert.deepEqual(resolve(C, w!), senc(n, k));
  const P = v('P$1', 'point');
  const sols = unify(exp(P, a), exp(exp(G, b), a), EMPTY, fresh);
  assert.ok(sols.some((s) => JSON.stringify(resolve(P, s)) === JSON.stringify(exp(G, b))));
  assert.equal(unify(v('N$1', 'nonce'), tup(n, n), EMPTY, fresh).length, 0, 'typed: a nonce is not a pair');
});

// A party that "decrypts" whatever ciphertext it gets (AES-CFB: sdec never fails) and sends the
// result: the attacker picks the ciphertext. Found by the differential fuzzer (a secret sent in
// clear by an honest responder was judged secret).
test('a stuck decryption of an open choice gives the name when the attacker may pick its ciphertext', () => {
  const x = v('x$1', 'ct');
  const know = [senc(n, k), sdec(x, k)];
  // x chosen after I's ciphertext was out: x := senc(n, k), so sdec(x, k) is n
  const sols = solve([{ lvl: 1, t: x }, { lvl: 2, t: n }], EMPTY, ctx(know));
  assert.ok(sols.length > 0);
  assert.equal(JSON.stringify(resolve(x, sols[0]!.s)), JSON.stringify(senc(n, k)));
  // NOT when x had to be chosen before the ciphertext existed
  assert.equal(solve([{ lvl: 0, t: x }, { lvl: 2, t: n }], EMPTY, ctx(know)).length, 0);
  // NOT under another key
  assert.equal(solve([{ lvl: 1, t: x }, { lvl: 2, t: n }], EMPTY, ctx([senc(n, k), sdec(x, k2)])).length, 0);
});
