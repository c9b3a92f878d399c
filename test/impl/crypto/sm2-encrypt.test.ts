/**
 * SM2 public-key encryption (GB/T 32918.4-2016; impl/crypto/sm2-encrypt.ts) against the
 * standard's example on the recommended curve: GM/T 0003.5-2012 Annex C = GB/T 32918.5-2017
 * Annex C (d, M = "encryption standard", k, C1, C3, C2), as reproduced in OpenSSL
 * test/sm2_internal_test.c — test/vectors/gmt-0003/sm2-encryption-example.txt. Each known answer
 * is paired with what must fail (a flipped ciphertext bit, another key, a C1 off the curve).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { seededRandom, tcmSm2 } from '../../../impl/crypto/index.ts';
import { sm2Decrypt, sm2Encrypt } from '../../../impl/crypto/sm2-encrypt.ts';

const v = Object.fromEntries(
  readFileSync(new URL('../../vectors/gmt-0003/sm2-encryption-example.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.includes(' = ') && !l.startsWith('#'))
    .map((l) => l.split(' = ') as [string, string]),
) as Record<string, string>;
const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

test('GM/T 0003.5 Annex C: SM2 encryption of "encryption standard" gives C1 ‖ C3 ‖ C2 of the standard', () => {
  const d = h(v['d']!);
  const pub = tcmSm2.publicKey(d);
  const msg = new TextEncoder().encode(v['Message']!);
  const c = sm2Encrypt(pub, msg, () => h(v['k']!));
  const want = Buffer.concat([Buffer.from('04', 'hex'), Buffer.from(v['x1']!, 'hex'), Buffer.from(v['y1']!, 'hex'), Buffer.from(v['C3']!, 'hex'), Buffer.from(v['C2']!, 'hex')]).toString('hex');
  assert.equal(Buffer.from(c).toString('hex'), want.toLowerCase());
  assert.equal(new TextDecoder().decode(sm2Decrypt(d, c)!), v['Message']);
  // what must fail: a flipped bit in C2 or C3, another private key, C1 moved off the curve
  for (const at of [c.length - 1, 70]) {
    const bad = c.slice();
    bad[at]! ^= 1;
    assert.equal(sm2Decrypt(d, bad), null);
  }
  assert.equal(sm2Decrypt(tcmSm2.scalarFromSeed(new Uint8Array(32).fill(1)), c), null);
  const offCurve = c.slice();
  offCurve[10]! ^= 1;
  assert.equal(sm2Decrypt(d, offCurve), null);
});

test('SM2 encryption round-trips for random keys and messages (seeded)', () => {
  const rng = seededRandom(32918);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 100 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (m, seed) => {
      const d = tcmSm2.scalarFromSeed(seed);
      const c = sm2Encrypt(tcmSm2.publicKey(d), m, rng);
      assert.equal(c.length, 65 + 32 + m.length);
      assert.deepEqual(sm2Decrypt(d, c), m);
    }),
    { seed: 32918, numRuns: 40 },
  );
});
