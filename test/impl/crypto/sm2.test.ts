/**
 * SM2 of the tcm suite: the signature examples of GM/T 0003.5 Annex A (recommended curve, user
 * id 1234567812345678) and GB/T 32918.2 Appendix A (its example curve), deterministic
 * signing and its failure cases, SM2 ECDH cross-checked against Node's OpenSSL SM2 curve, and
 * the TPM salted-session secret (ECDH + KDFe over SM3) agreeing on both sides.
 * @module
 */
import assert from 'node:assert/strict';
import { createECDH, createHash, createHmac, getCurves } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytes } from '../../support/arbitraries.ts';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { CryptoError, SM2_DEFAULT_ID, sm2, sm3, tcmSm2 as suite, tpm2P256 } from '../../../impl/crypto/index.ts';
import { sm2Signer } from '../../../impl/crypto/sm2-sign.ts';
import { ascii, field, hex, readRecords, toHex } from './vector-files.ts';

const SEED = 0x5e2;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const big = (h: string) => BigInt('0x' + h);
const be32 = (x: bigint) => hex(x.toString(16).padStart(64, '0'));
const isCryptoError = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;
const flipBit = (b: Uint8Array, bit: number) => b.map((x, i) => (i === bit >> 3 ? x ^ (1 << (bit & 7)) : x));

// GM/T 0003.5-2012 Annex A and GB/T 32918.2-2016 Appendix A: test/vectors/gmt-0003/README.md
const records = readRecords('gmt-0003/sm2-signature-examples.txt');
const rec = (curve: string) => {
  const r = records.find((x) => x['Curve'] === curve);
  assert.ok(r, `vector ${curve}`);
  return r;
};

describe('SM2 signature, GM/T 0003.5-2012 Annex A (recommended curve)', () => {
  const v = rec('sm2p256v1');
  const d = hex(field(v, 'd'));
  const pub = hex('04' + field(v, 'xA') + field(v, 'yA'));
  const msg = hex(field(v, 'Message'));

  it('public key, Z_A with the standard id and the digest e', () => {
    assert.equal(toHex(hex(field(v, 'ID'))), toHex(SM2_DEFAULT_ID));
    assert.equal(toHex(suite.publicKey(d)), toHex(pub));
    assert.equal(toHex(sm2.za(pub)), toHex(hex(field(v, 'ZA'))));
    assert.equal(toHex(sm2.digest(msg, pub)), toHex(hex(field(v, 'e'))));
    assert.equal(toHex(suite.basePointMul(hex(field(v, 'k')))), toHex(hex('04' + field(v, 'x1') + field(v, 'y1'))));
  });

  it('the signature (r, s) with the Annex nonce k, and it verifies', () => {
    const sig = sm2.signDigest(big(field(v, 'd')), hex(field(v, 'e')), big(field(v, 'k')));
    assert.equal(toHex(sm2.encode(sig)), toHex(hex(field(v, 'r') + field(v, 's'))));
    assert.equal(suite.verify(sm2.encode(sig), msg, pub), true);
  });

  it('the Annex signature fails after any flipped bit, another user id, or as ECDSA', () => {
    const rs = hex(field(v, 'r') + field(v, 's'));
    for (const bit of [0, 7, 255, 256, 300, 511]) assert.equal(suite.verify(flipBit(rs, bit), msg, pub), false, `sig bit ${bit}`);
    assert.equal(suite.verify(rs, flipBit(msg, 0), pub), false, 'message bit');
    assert.equal(suite.verify(rs, msg, suite.publicKey(suite.scalarFromSeed(new Uint8Array(32)))), false, 'other key');
    const e2 = sm2.digest(msg, pub, ascii('ALICE123@YAHOO.COM'));
    assert.equal(sm2.verifyDigest(sm2.decode(rs)!, e2, pub), false, 'Z_A with another id');
    assert.equal(tpm2P256.verify(rs, msg, pub), false, 'not an ECDSA signature (nor a P-256 key)');
  });
});

describe('SM2 signature, GB/T 32918.2-2016 Appendix A (example curve)', () => {
  const v = rec('example-fp256');
  const Point = weierstrass({
    p: big(field(v, 'p')), a: big(field(v, 'a')), b: big(field(v, 'b')),
    Gx: big(field(v, 'Gx')), Gy: big(field(v, 'Gy')), n: big(field(v, 'n')), h: 1n,
  });
  const signer = sm2Signer(Point, sm3);
  const d = big(field(v, 'd'));
  const pub = Point.BASE.multiply(d).toBytes(false);
  const id = hex(field(v, 'ID'));
  const msg = hex(field(v, 'Message'));

  it('Z_A of user ALICE123@YAHOO.COM', () => {
    assert.equal(new TextDecoder().decode(id), 'ALICE123@YAHOO.COM');
    assert.equal(toHex(signer.za(pub, id)), toHex(hex(field(v, 'ZA'))));
  });

  it('the signature (r, s) with the appendix nonce k, and it verifies', () => {
    const e = signer.digest(msg, pub, id);
    const sig = signer.signDigest(d, e, big(field(v, 'k')));
    assert.equal(toHex(signer.encode(sig)), toHex(hex(field(v, 'r') + field(v, 's'))));
    assert.equal(signer.verifyDigest(sig, e, pub), true);
    assert.equal(signer.verifyDigest({ r: sig.r, s: sig.s ^ 1n }, e, pub), false);
  });
});

describe('SM2 signing in the suite', () => {
  const seeds = bytes(16, 48);

  it('deterministic (RFC 6979-style nonce over HMAC-SM3), verifies, and binds message and key', () => {
    fc.assert(
      fc.property(seeds, seeds, fc.uint8Array({ maxLength: 200 }), (s1, s2, m) => {
        const sk = suite.scalarFromSeed(s1);
        const pub = suite.publicKey(sk);
        const sig = suite.sign(sk, m);
        const other = suite.publicKey(suite.scalarFromSeed(s2));
        return (
          sig.length === suite.sigLen &&
          toHex(sig) === toHex(suite.sign(sk, m)) &&
          suite.verify(sig, m, pub) &&
          !suite.verify(sig, Uint8Array.of(...m, 0), pub) &&
          (toHex(other) === toHex(pub) || !suite.verify(sig, m, other))
        );
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('private scalars are [1, n-2]: n-2 signs, n-1 is refused (1 + d must be invertible)', () => {
    assert.equal(suite.isValidScalar(be32(N - 2n)), true);
    assert.equal(suite.isValidScalar(be32(N - 1n)), false);
    assert.throws(() => suite.sign(be32(N - 1n), ascii('x')), isCryptoError('bad-key'));
    assert.equal(suite.verify(suite.sign(be32(N - 2n), ascii('x')), ascii('x'), suite.publicKey(be32(N - 2n))), true);
    // the P-256 suite's range is [1, n-1] of its own n
    assert.equal(tpm2P256.isValidScalar(be32(0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550n)), true);
  });

  it('scalarFromSeed lands in [1, n-2] and depends on the seed', () => {
    fc.assert(
      fc.property(seeds, (s) => {
        const k = suite.scalarFromSeed(s);
        return suite.isValidScalar(k) && toHex(k) !== toHex(suite.scalarFromSeed(Uint8Array.of(...s, 1)));
      }),
      { seed: SEED, numRuns: 100 },
    );
    assert.throws(() => suite.scalarFromSeed(new Uint8Array(15)), isCryptoError('bad-length'));
  });

  it('verify returns false (never throws) on garbage', () => {
    const pub = suite.publicKey(suite.scalarFromSeed(new Uint8Array(16)));
    for (const [s, m, p] of [
      [new Uint8Array(63), ascii('x'), pub],
      [new Uint8Array(64), ascii('x'), pub],
      [hex('ff'.repeat(64)), ascii('x'), pub],
      [new Uint8Array(64).fill(1), 'x', pub],
      [new Uint8Array(64).fill(1), ascii('x'), hex('04' + '00'.repeat(64))],
    ] as [Uint8Array, Uint8Array, Uint8Array][]) {
      assert.equal(suite.verify(s, m, p), false);
    }
  });
});

describe('SM2 ECDH and the TPM salted-session secret over SM3', () => {
  const node = getCurves().includes('SM2');

  it('public keys and shared x-coordinates agree with OpenSSL on the SM2 curve', { skip: !node && 'no SM2 curve in this OpenSSL' }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 32 }), (sa, sb) => {
        const [a, b] = [suite.scalarFromSeed(sa), suite.scalarFromSeed(sb)];
        const ecdh = createECDH('SM2');
        ecdh.setPrivateKey(a);
        const B = suite.publicKey(b);
        return (
          toHex(ecdh.getPublicKey()) === toHex(suite.publicKey(a)) &&
          ecdh.computeSecret(B).toString('hex') === toHex(suite.pointX(suite.pointMul(B, a)))
        );
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it('refuses a point off the SM2 curve, and a P-256 point, by name', () => {
    const k = suite.scalarFromSeed(new Uint8Array(16));
    assert.throws(() => suite.pointMul(hex('04' + '11'.repeat(64)), k), (e: unknown) => isCryptoError('bad-point')(e) && /SM2/.test((e as Error).message));
    assert.throws(() => suite.pointMul(tpm2P256.publicKey(tpm2P256.scalarFromSeed(new Uint8Array(16))), k), isCryptoError('bad-point'));
  });

  it('KDFe/KDFa over SM3 match their TPM 2.0 Part 1 §11.4.10 formulas computed with OpenSSL SM3', () => {
    const z = hex('11'.repeat(32));
    const [u, v] = [hex('22'.repeat(32)), hex('33'.repeat(32))];
    const u32 = (i: number) => Buffer.from([0, 0, 0, i]);
    // KDFe: K(i) = SM3([i]32 || Z || "SECRET" || 0x00 || U || V), 2 blocks for 512 bits
    const e = [1, 2].map((i) => createHash('sm3').update(Buffer.concat([u32(i), z, Buffer.from('SECRET\0'), u, v])).digest('hex')).join('');
    assert.equal(toHex(suite.kdfe(z, 'SECRET', u, v, 512)), e);
    // KDFa: K(i) = HMAC-SM3(key, [i]32 || "ATH" || 0x00 || U || V || [bits]32)
    const a = createHmac('sm3', z).update(Buffer.concat([u32(1), Buffer.from('ATH\0'), u, v, Buffer.from([0, 0, 1, 0])])).digest('hex');
    assert.equal(toHex(suite.kdfa(z, 'ATH', u, v, 256)), a);
    assert.notEqual(toHex(tpm2P256.kdfa(z, 'ATH', u, v, 256)), a, 'the hash matters');
  });

  it('a salted session: caller and TPM derive the same salt (ECDH one-pass + KDFe, Part 1 §C.6.1)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 32 }), fc.uint8Array({ minLength: 16, maxLength: 32 }), (se, sd) => {
        const [e, d] = [suite.scalarFromSeed(se), suite.scalarFromSeed(sd)];
        const [E, Q] = [suite.publicKey(e), suite.publicKey(d)];
        const caller = suite.kdfe(suite.pointX(suite.pointMul(Q, e)), 'SECRET', suite.pointX(E), suite.pointX(Q), 256);
        const tpm = suite.kdfe(suite.pointX(suite.pointMul(E, d)), 'SECRET', suite.pointX(E), suite.pointX(Q), 256);
        const wrong = suite.kdfe(suite.pointX(suite.pointMul(E, e)), 'SECRET', suite.pointX(E), suite.pointX(Q), 256);
        return toHex(caller) === toHex(tpm) && toHex(wrong) !== toHex(tpm);
      }),
      { seed: SEED, numRuns: 20 },
    );
  });
});
