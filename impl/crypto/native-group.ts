/**
 * The P-256 group operations of the native suite, by OpenSSL through node:crypto's ECDH
 * object (prime256v1 = NIST P-256, FIPS 186-5 / SEC 2 §2.4.2). Same contract and the same
 * boundary checks as ec-group.ts, so both P-256 suites agree byte for byte:
 *
 * - s·G: `setPrivateKey(s)` then the public key, uncompressed (SEC 1 v2 §2.3.3).
 * - s·P for any P: Node exposes only x(s·P) (`computeSecret`, the ECDH shared secret of
 *   SP 800-56A §5.7.1.2), so the full point is rebuilt: OpenSSL decompresses x into Q with
 *   even y (SEC 1 §2.3.4), and the sign of y is the one for which x(Q + P) equals
 *   x((s+1)·P), the latter a second OpenSSL ECDH. The check needs no inversion (three field
 *   multiplications, below); Q + P and −Q + P never share an x (that would need 2P or 2Q = O).
 * - Point decoding: OpenSSL's `EC_POINT_oct2point` checks x, y < p and the curve equation but
 *   also accepts the hybrid form 0x06/0x07, which noble and this project refuse; so the prefix
 *   and the length are checked here first (0x02/0x03 with 33 bytes, 0x04 with 65).
 * - scalarFromSeed: RFC 9380 expand_message_xmd over OpenSSL's SHA-256 and the FIPS 186-4
 *   §B.4.1 reduction (noble's two pure helpers), the same derivation as the noble suite.
 * @module
 */
import { createECDH, ECDH } from 'node:crypto';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import { abytes, concatBytes } from './assert.ts';
import { bytesToBigInt, pointReaders } from './ec-group.ts';
import { nativeSha256, plain } from './native-bytes.ts';
import { CryptoError, type CryptoErrorCode } from './suite.ts';

const CURVE = 'prime256v1';
/** P-256 field prime p and group order n (SEC 2 §2.4.2). */
export const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const SCALAR_LEN = 32;
const POINT_LEN = 65;
const MIN_SEED_LEN = 16; // as ec-group.ts: a caller cannot pass a toy seed by mistake
const SEED_DST = 'TEE-TPM-CHANNEL-V1-P256-SCALAR-FROM-SEED'; // the noble suite's tag: the same scalars

/** One ECDH object reused: node:crypto is synchronous here and JavaScript single-threaded. */
const ecdh = createECDH(CURVE);

export function scalarBytes(x: bigint): Uint8Array {
  const out = new Uint8Array(SCALAR_LEN);
  for (let i = SCALAR_LEN - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** The scalar as a bigint in [1, n-1], or a CryptoError with `code` (ec-group.ts's wording). */
export function toScalar(s: unknown, what: string, code: CryptoErrorCode): bigint {
  abytes(s, what, [SCALAR_LEN], code);
  const x = bytesToBigInt(s);
  if (x < 1n || x >= P256_N) throw new CryptoError(code, `${what}: scalar out of range [1, n-1]`);
  return x;
}

/** A SEC 1 point (33 or 65 bytes, on the curve, not infinity) as 0x04||X||Y, or CryptoError('bad-point'). */
export function toPoint(p: unknown, what: string): Uint8Array {
  if (!(p instanceof Uint8Array)) throw new CryptoError('bad-point', `${what}: expected Uint8Array`);
  const form = p.length === 33 && (p[0] === 0x02 || p[0] === 0x03) ? 'compressed' : p.length === POINT_LEN && p[0] === 0x04 ? 'uncompressed' : null;
  if (form === null) throw new CryptoError('bad-point', `${what}: not a valid P-256 point (expected 33 bytes 02/03||X or 65 bytes 04||X||Y, got ${p.length} bytes)`);
  try {
    const u = plain(ECDH.convertKey(p, CURVE, undefined, undefined, 'uncompressed') as Buffer);
    return form === 'uncompressed' ? p : u;
  } catch {
    throw new CryptoError('bad-point', `${what}: not a valid P-256 point (not on the curve or a coordinate ≥ p)`);
  }
}

function mulBase(d: bigint): Uint8Array {
  ecdh.setPrivateKey(scalarBytes(d));
  return plain(ecdh.getPublicKey(null, 'uncompressed'));
}

/** x(d·P) by OpenSSL ECDH, P uncompressed and valid. */
function mulX(P: Uint8Array, d: bigint): bigint {
  ecdh.setPrivateKey(scalarBytes(d));
  return bytesToBigInt(ecdh.computeSecret(P));
}

const mod = (a: bigint) => ((a % P256_P) + P256_P) % P256_P;

/** d·P (P uncompressed and valid, d in [1, n-1]) as 0x04||X||Y; see the module comment. */
function mulPoint(P: Uint8Array, d: bigint): Uint8Array {
  const xP = bytesToBigInt(P.subarray(1, 33));
  const yP = bytesToBigInt(P.subarray(33));
  const x = mulX(P, d);
  const xBytes = scalarBytes(x);
  const negate = (q: Uint8Array) => concatBytes(q.subarray(0, 33), scalarBytes(P256_P - bytesToBigInt(q.subarray(33))));
  // P has prime order n, so x(d·P) = x(P) means d·P = ±P, i.e. d = 1 or d = n-1
  if (x === xP) return d === 1n ? P.slice() : negate(P);
  const Q = plain(ECDH.convertKey(concatBytes(Uint8Array.of(0x02), xBytes), CURVE, undefined, undefined, 'uncompressed') as Buffer);
  const yQ = bytesToBigInt(Q.subarray(33));
  const x3 = mulX(P, d + 1n); // d + 1 < n here (d = n-1 was the case above)
  // x(Q + P) = λ² − xQ − xP with λ = (yP − yQ)/(xP − xQ) (SEC 1 §2.2.1); multiplied out by (xP − xQ)²
  const dx2 = mod((xP - x) * (xP - x));
  const same = mod(x3 * dx2) === mod((yP - yQ) * (yP - yQ) - (x + xP) * dx2);
  return same ? Q : negate(Q);
}

export const nativeGroup = Object.freeze({
  scalarLen: SCALAR_LEN,
  pointLen: POINT_LEN,
  /** RFC 9380 §5.3.1 expand_message_xmd(seed, DST, 48) then (c mod (n−1)) + 1 (FIPS 186-4 §B.4.1). */
  scalarFromSeed(seed: Uint8Array): Uint8Array {
    abytes(seed, 'scalarFromSeed seed');
    if (seed.length < MIN_SEED_LEN) throw new CryptoError('bad-length', `scalarFromSeed seed: expected at least ${MIN_SEED_LEN} bytes, got ${seed.length}`);
    return mapHashToField(expand_message_xmd(seed, SEED_DST, SCALAR_LEN + 16, nativeSha256 as Parameters<typeof expand_message_xmd>[3]), P256_N);
  },
  isValidScalar(s: Uint8Array): boolean {
    if (!(s instanceof Uint8Array) || s.length !== SCALAR_LEN) return false;
    const x = bytesToBigInt(s);
    return x >= 1n && x < P256_N;
  },
  basePointMul: (s: Uint8Array) => mulBase(toScalar(s, 'basePointMul scalar', 'bad-scalar')),
  pointMul(p: Uint8Array, s: Uint8Array): Uint8Array {
    const P = toPoint(p, 'pointMul point');
    return mulPoint(P, toScalar(s, 'pointMul scalar', 'bad-scalar'));
  },
  ...pointReaders(toPoint, POINT_LEN, SCALAR_LEN),
  publicKey: (sk: Uint8Array) => mulBase(toScalar(sk, 'publicKey key', 'bad-key')),
});
