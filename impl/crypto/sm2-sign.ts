/**
 * The SM2 digital signature algorithm (GB/T 32918.2-2016 §6–7; GM/T 0003.2-2012;
 * ISO/IEC 14888-3:2018), generic over a noble Weierstrass point constructor and a hash, so
 * the same code signs on the recommended curve (sm2-curve.ts) and on the example curve of
 * GB/T 32918.2 Appendix A that its known answers use.
 *
 *   Z_A = H(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)        (GB/T 32918.2 §5.5)
 *   e   = H(Z_A ‖ M)                                               (§6.1 A1–A2)
 *   r   = (e + x_1) mod n, (x_1, y_1) = [k]G;  s = (1 + d)⁻¹ (k − r·d) mod n   (A3–A6)
 *
 * The signer's nonce k is either given (known-answer tests: the standard fixes it) or derived
 * deterministically as RFC 6979 §3.2 does for ECDSA, with HMAC_DRBG over the same hash (SM3):
 * GB/T 32918.2 asks only for a k uniform in [1, n−1], and a deterministic one makes seeded
 * runs replayable and spares the signer a random source. The TPM's TPM_ALG_SM2 scheme signs
 * a digest e the caller formed (TPM 2.0 Part 1 §C / Part 2 §11.2.1.4), hence the `…Digest`
 * entry points beside the message ones.
 * @module
 */
import type { WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { abytes, concatBytes } from './assert.ts';
import { HmacDrbg } from './hmac-drbg.ts';
import { CryptoError } from './suite.ts';
import { kdfHash, type NobleHash } from './tpm-kdf.ts';

/** GM/T 0009-2012 §10 default user identity, 1234567812345678 (ENTL = 128 bits). */
export const SM2_DEFAULT_ID: Uint8Array = /* @__PURE__ */ new TextEncoder().encode('1234567812345678');

/** An SM2 signature as integers; {@link Sm2Signer.encode} gives the 64-byte r‖s form. */
export interface Sm2Signature {
  readonly r: bigint;
  readonly s: bigint;
}

export interface Sm2Signer {
  /** Z_A of a public key (SEC 1 bytes) and a user identity (at most 8191 bytes: ENTL is 16 bits). */
  za(pub: Uint8Array, id?: Uint8Array): Uint8Array;
  /** e = H(Z_A ‖ M), the digest SM2 signs. */
  digest(msg: Uint8Array, pub: Uint8Array, id?: Uint8Array): Uint8Array;
  /** Sign digest `e` with private scalar `d` ∈ [1, n−2]; `k` fixed (tests) or RFC 6979-style. */
  signDigest(d: bigint, e: Uint8Array, k?: bigint): Sm2Signature;
  /** Verify (r, s) over digest `e` under public key `pub` (SEC 1 bytes); false on any malformed input. */
  verifyDigest(sig: Sm2Signature, e: Uint8Array, pub: Uint8Array): boolean;
  /** r ‖ s, each big-endian in the scalar length. */
  encode(sig: Sm2Signature): Uint8Array;
  /** The inverse of {@link encode}; null on a wrong length. */
  decode(bytes: Uint8Array): Sm2Signature | null;
}

function bytesToBigInt(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

function bigIntToBytes(x: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** An SM2 signer over the curve of `Point` with hash `hash` (SM3 for GB/T 32918). */
export function sm2Signer(Point: WeierstrassPointCons<bigint>, hash: NobleHash): Sm2Signer {
  const { a, b, Gx, Gy, n } = Point.CURVE();
  const Fn = Point.Fn;
  const len = Point.Fp.BYTES;
  const nLen = Fn.BYTES;
  const curveBytes = concatBytes(...[a, b, Gx, Gy].map((v) => bigIntToBytes(v, len)));
  const drbgHash = kdfHash(hash);

  function za(pub: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
    abytes(id, 'sm2 user id');
    if (id.length > 8191) throw new CryptoError('bad-length', `sm2 user id: at most 8191 bytes (ENTL is 16 bits), got ${id.length}`);
    const P = Point.fromBytes(pub);
    P.assertValidity();
    const entl = Uint8Array.of((id.length * 8) >>> 8, (id.length * 8) & 0xff);
    return hash(concatBytes(entl, id, curveBytes, bigIntToBytes(P.x, len), bigIntToBytes(P.y, len)));
  }

  /** RFC 6979 §3.3 HMAC_DRBG seeded with int2octets(d) ‖ bits2octets(e), candidates until one fits. */
  function* nonces(d: bigint, e: bigint): Generator<bigint> {
    const drbg = new HmacDrbg(drbgHash, bigIntToBytes(d, nLen), bigIntToBytes(Fn.create(e), nLen));
    for (;;) {
      const k = bytesToBigInt(drbg.generate(nLen));
      if (k >= 1n && k < n) yield k;
    }
  }

  function signDigest(d: bigint, eBytes: Uint8Array, kFixed?: bigint): Sm2Signature {
    // GB/T 32918.1-2016 §6.1: d ∈ [1, n−2], so that 1 + d is invertible mod n
    if (d < 1n || d > n - 2n) throw new CryptoError('bad-key', 'sm2 sign key: scalar out of range [1, n-2]');
    abytes(eBytes, 'sm2 digest');
    const e = bytesToBigInt(eBytes);
    const dInv = Fn.inv(Fn.create(1n + d));
    const candidates = kFixed === undefined ? nonces(d, e) : [kFixed][Symbol.iterator]();
    for (const k of candidates) {
      if (k < 1n || k >= n) throw new CryptoError('bad-scalar', 'sm2 sign nonce: out of range [1, n-1]');
      const x1 = Point.BASE.multiply(k).x; // A4
      const r = Fn.create(e + x1); // A5
      if (r === 0n || r + k === n) continue;
      const s = Fn.mul(dInv, Fn.create(k - r * d)); // A6
      if (s === 0n) continue;
      return { r, s };
    }
    throw new CryptoError('bad-scalar', 'sm2 sign nonce: the given k yields r = 0, r + k = n or s = 0');
  }

  function verifyDigest(sig: Sm2Signature, eBytes: Uint8Array, pub: Uint8Array): boolean {
    try {
      const { r, s } = sig;
      if (r < 1n || r >= n || s < 1n || s >= n) return false; // B1, B2
      if (!(eBytes instanceof Uint8Array)) return false;
      const P = Point.fromBytes(pub);
      P.assertValidity();
      const t = Fn.create(r + s); // B5
      if (t === 0n) return false;
      const X = Point.BASE.multiply(s).add(P.multiplyUnsafe(t)); // B6
      if (X.equals(Point.ZERO)) return false;
      return Fn.create(bytesToBigInt(eBytes) + X.x) === r; // B7
    } catch {
      return false;
    }
  }

  return Object.freeze({
    za,
    digest: (msg: Uint8Array, pub: Uint8Array, id?: Uint8Array) => {
      abytes(msg, 'sm2 message');
      return hash(concatBytes(za(pub, id), msg));
    },
    signDigest,
    verifyDigest,
    encode: (sig: Sm2Signature) => concatBytes(bigIntToBytes(sig.r, nLen), bigIntToBytes(sig.s, nLen)),
    decode: (bytes: Uint8Array) =>
      bytes instanceof Uint8Array && bytes.length === 2 * nLen
        ? { r: bytesToBigInt(bytes.subarray(0, nLen)), s: bytesToBigInt(bytes.subarray(nLen)) }
        : null,
  });
}
