/**
 * Differential tests: the native suite (OpenSSL via node:crypto) and the noble suite compute
 * the same bytes for every deterministic function — hash, HMAC, KDFa, KDFe, scalars from seeds,
 * s·G, s·P (compressed or not), x-coordinates, point and scalar validity, RFC 6979 signatures,
 * AES-128-CFB, AES-256-GCM — refuse the same malformed inputs with the same error code, and
 * each verifies the other's signatures (and those of OpenSSL's own random-nonce ECDSA).
 * Each property is a function of two suites; the last tests give it a broken native suite
 * (y of s·P not disambiguated; random-nonce signatures) and require a counterexample.
 * @module
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytes, printable } from '../../support/arbitraries.ts';
import { CryptoError, type CryptoSuite, nativeP256, tpm2P256 } from '../../../impl/crypto/index.ts';

const SEED = 20261203;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const label = printable(0, 12);
const scalar = bytes(48, 48).map((s) => tpm2P256.scalarFromSeed(s));
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const be32 = (x: bigint) => Uint8Array.from(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'));

/** The outcome of `f` as a comparable string: the hex of the bytes, or the CryptoError code. */
function outcome(f: () => Uint8Array | boolean | null): string {
  try {
    const v = f();
    return v instanceof Uint8Array ? `bytes ${hex(v)}` : String(v);
  } catch (e) {
    if (e instanceof CryptoError) return `CryptoError ${e.code}`;
    return `other ${(e as Error).name}`;
  }
}

/** The properties, each over two suites (run as fc.check so a broken suite's counterexample is a value). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the properties have different argument tuples
function properties(a: CryptoSuite, b: CryptoSuite): Record<string, fc.IProperty<any>> {
  const same = (f: (s: CryptoSuite) => Uint8Array | boolean | null) => outcome(() => f(a)) === outcome(() => f(b));
  return {
    hash: fc.property(bytes(0, 300), (d) => same((s) => s.hash(d))),
    hmac: fc.property(bytes(0, 130), bytes(0, 200), (k, d) => same((s) => s.hmac(k, d))),
    kdfa: fc.property(bytes(0, 40), label, bytes(0, 40), bytes(0, 40), fc.integer({ min: 1, max: 2100 }), (k, l, u, v, bits) => same((s) => s.kdfa(k, l, u, v, bits))),
    kdfe: fc.property(bytes(0, 40), label, bytes(0, 40), bytes(0, 40), fc.integer({ min: 1, max: 2100 }), (z, l, u, v, bits) => same((s) => s.kdfe(z, l, u, v, bits))),
    scalarFromSeed: fc.property(bytes(0, 80), (seed) => same((s) => s.scalarFromSeed(seed))),
    ecdh: fc.property(scalar, scalar, fc.boolean(), (x, y, compressed) => {
      const Y = a.basePointMul(y);
      const Yc = compressed ? Uint8Array.of(2 + ((Y[64] as number) & 1), ...Y.subarray(1, 33)) : Y;
      // s·G, s·P, the shared secret both ways round, and publicKey agree
      return same((s) => s.basePointMul(y)) && same((s) => s.pointMul(Yc, x)) && same((s) => s.pointX(s.pointMul(s.basePointMul(x), y))) && same((s) => s.publicKey(x));
    }),
    points: fc.property(scalar, fc.nat(65 * 8 - 1), fc.constantFrom(0x00, 0x02, 0x03, 0x04, 0x06, 0x07), fc.boolean(), (x, bit, prefix, shorten) => {
      const Q = a.basePointMul(x);
      const flipped = Q.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
      const other = Uint8Array.of(prefix, ...(shorten ? Q.subarray(1, 33) : Q.subarray(1)));
      return [Q, flipped, other].every((p) => same((s) => s.isValidPoint(p)) && same((s) => s.pointX(p)) && same((s) => s.pointMul(p, x)));
    }),
    scalars: fc.property(fc.oneof(bytes(0, 40), fc.constantFrom(0n, 1n, N - 2n, N - 1n, N, N + 1n, (1n << 256n) - 1n).map(be32)), (d) => same((s) => s.isValidScalar(d)) && same((s) => s.basePointMul(d))),
    sign: fc.property(scalar, bytes(0, 200), (x, m) => same((s) => s.sign(x, m))),
    crossVerify: fc.property(scalar, bytes(0, 100), fc.nat(511), (x, m, bit) => {
      const pub = a.publicKey(x);
      const [sa, sb] = [a.sign(x, m), b.sign(x, m)];
      const bad = sb.slice();
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
      return a.verify(sb, m, pub) && b.verify(sa, m, pub) && !a.verify(bad, m, pub) && !b.verify(bad, m, pub);
    }),
    cfb: fc.property(bytes(16, 16), bytes(16, 16), bytes(0, 300), (k, iv, d) => {
      const c = a.cfbEncrypt(k, iv, d);
      return same((s) => s.cfbEncrypt(k, iv, d)) && hex(b.cfbDecrypt(k, iv, c)) === hex(d) && same((s) => s.cfbDecrypt(k, iv, d));
    }),
    gcm: fc.property(bytes(32, 32), bytes(12, 12), bytes(0, 300), fc.option(bytes(0, 40), { nil: undefined }), fc.nat(), (k, n, d, aad, at) => {
      const c = b.aeadEncrypt(k, n, d, aad);
      const bad = c.slice();
      bad[at % bad.length] = (bad[at % bad.length] as number) ^ 1;
      return same((s) => s.aeadEncrypt(k, n, d, aad)) && hex(a.aeadDecrypt(k, n, c, aad)!) === hex(d) && same((s) => s.aeadDecrypt(k, n, bad, aad));
    }),
    malformed: fc.property(bytes(0, 40), bytes(0, 20), fc.integer({ min: -2, max: 2 ** 20 }), (k, iv, bits) => {
      return same((s) => s.cfbEncrypt(k, iv, iv)) && same((s) => s.aeadEncrypt(k, iv, iv)) && same((s) => s.aeadDecrypt(k, iv, k)) && same((s) => s.kdfa(k, 'K', iv, iv, bits)) && same((s) => s.sign(k, iv)) && same((s) => s.verify(k, iv, k));
    }),
  };
}

/** Few runs for the curve properties (noble's point multiplications are milliseconds each). */
const RUNS: Record<string, number> = { ecdh: 40, points: 40, scalars: 60, sign: 40, crossVerify: 25 };

describe('native-p256 (OpenSSL) against tpm2-p256 (noble): the same bytes', () => {
  for (const [name, prop] of Object.entries(properties(tpm2P256, nativeP256))) {
    it(name, () => fc.assert(prop, { seed: SEED, numRuns: RUNS[name] ?? 200 }));
  }

  it('fixed edges: x = p and x = p + 1 are refused by both; the point at infinity and the hybrid form too', () => {
    const G = tpm2P256.basePointMul(be32(1n));
    for (const p of [Uint8Array.of(0x02, ...be32(P)), Uint8Array.of(0x03, ...be32(P + 1n)), Uint8Array.of(0x04, ...be32(P), ...G.subarray(33)), Uint8Array.of(0x00), Uint8Array.of(0x06 | ((G[64] as number) & 1), ...G.subarray(1))]) {
      assert.equal(nativeP256.isValidPoint(p), false, hex(p));
      assert.equal(tpm2P256.isValidPoint(p), false, hex(p));
    }
    // 1·P = P and (n-1)·P = −P: the native reconstruction's special case
    const Q = tpm2P256.basePointMul(be32(12345n));
    for (const d of [1n, N - 1n, 2n, N - 2n]) assert.equal(hex(nativeP256.pointMul(Q, be32(d))), hex(tpm2P256.pointMul(Q, be32(d))), String(d));
  });

  it("both verify OpenSSL's own ECDSA (random nonce) and refuse it over another message", () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = publicKey.export({ format: 'jwk' });
    const pub = Uint8Array.of(0x04, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url'));
    for (let i = 0; i < 5; i++) {
      const m = Buffer.from(`message ${i}`);
      const sig = new Uint8Array(nodeSign('sha256', m, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
      for (const s of [tpm2P256, nativeP256]) {
        assert.equal(s.verify(sig, m, pub), true, s.name);
        assert.equal(s.verify(sig, Buffer.from(`message ${i + 1}`), pub), false, s.name);
      }
    }
  });
});

describe('the differential properties catch a broken native suite', () => {
  const check = (broken: CryptoSuite, name: string) => fc.check(properties(tpm2P256, broken)[name]!, { seed: SEED, numRuns: 40 });

  it('s·P with y not disambiguated (always the even root): ecdh fails', () => {
    const evenY: CryptoSuite = {
      ...nativeP256,
      pointMul: (p, s) => {
        const q = nativeP256.pointMul(p, s);
        return (q[64] as number) & 1 ? Uint8Array.of(0x04, ...q.subarray(1, 33), ...be32(P - BigInt('0x' + hex(q.subarray(33))))) : q;
      },
    };
    assert.equal(check(evenY, 'ecdh').failed, true);
  });

  it("OpenSSL's random-nonce ECDSA as sign: sign fails, cross-verification still holds", () => {
    const randomNonce: CryptoSuite = {
      ...nativeP256,
      sign: (sk, msg) => {
        const d = Buffer.from(sk).toString('base64url');
        const pub = nativeP256.publicKey(sk);
        const key = { kty: 'EC', crv: 'P-256', d, x: Buffer.from(pub.subarray(1, 33)).toString('base64url'), y: Buffer.from(pub.subarray(33)).toString('base64url') };
        return new Uint8Array(nodeSign('sha256', msg, { key, format: 'jwk', dsaEncoding: 'ieee-p1363' }));
      },
    };
    assert.equal(check(randomNonce, 'sign').failed, true);
    assert.equal(check(randomNonce, 'crossVerify').failed, false);
  });
});
