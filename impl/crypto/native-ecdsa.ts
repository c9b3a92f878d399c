/**
 * ECDSA P-256 / SHA-256 for the native suite (FIPS 186-5 §6.4), deterministic as the suite
 * interface requires: the nonce is RFC 6979 §3.2's (HMAC_DRBG over HMAC-SHA256, by OpenSSL),
 * R = k·G is OpenSSL's (ECDH `setPrivateKey(k)`), and only s = k⁻¹(e + r·d) mod n is bigint
 * arithmetic here. Node's `crypto.sign` cannot do this: OpenSSL 3.0 draws a random nonce, and
 * Node does not pass OpenSSL ≥ 3.2's `nonce-type` parameter; a random-nonce signature would
 * differ from the noble suite's on every run and break seeded replays. Verification is
 * OpenSSL's own (`crypto.verify`, IEEE P1363 r||s), so each suite checks the other's work.
 * low-s is not enforced (as the noble suite: RFC 6979 §A.2.5 signatures are high-s).
 * @module
 */
import { createECDH, createPublicKey, type KeyObject, verify as nodeVerify } from 'node:crypto';
import { invert } from '@noble/curves/abstract/modular.js';
import { abytes, concatBytes } from './assert.ts';
import { bytesToBigInt } from './ec-group.ts';
import { nativeSha256Kdf } from './native-bytes.ts';
import { P256_N, scalarBytes, toPoint, toScalar } from './native-group.ts';

const SIG_LEN = 64;
const ecdh = createECDH('prime256v1');
/** DER SubjectPublicKeyInfo header of an uncompressed P-256 key (RFC 5480 §2: id-ecPublicKey, prime256v1). */
const SPKI_P256 = Uint8Array.from(Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'));

const hmac = nativeSha256Kdf.hmac;
const modN = (a: bigint) => ((a % P256_N) + P256_N) % P256_N;

/** RFC 6979 §3.2 steps b–h with qlen = hlen = 256: the candidate nonces, in order. */
function* rfc6979Nonces(x: Uint8Array, h1: Uint8Array): Generator<bigint> {
  let V: Uint8Array = new Uint8Array(32).fill(0x01);
  let K: Uint8Array = new Uint8Array(32);
  K = hmac(K, concatBytes(V, Uint8Array.of(0x00), x, h1));
  V = hmac(K, V);
  K = hmac(K, concatBytes(V, Uint8Array.of(0x01), x, h1));
  V = hmac(K, V);
  for (;;) {
    V = hmac(K, V);
    const k = bytesToBigInt(V);
    if (k >= 1n && k < P256_N) yield k;
    K = hmac(K, concatBytes(V, Uint8Array.of(0x00)));
    V = hmac(K, V);
  }
}

/** r||s over SHA-256(msg) with the scalar `sk` (32 bytes in [1, n-1]; else CryptoError('bad-key')). */
export function nativeSign(sk: Uint8Array, msg: Uint8Array): Uint8Array {
  const d = toScalar(sk, 'sign key', 'bad-key');
  abytes(msg, 'sign msg');
  const e = modN(bytesToBigInt(nativeSha256Kdf.hash(msg))); // bits2int then mod n (bits2octets, §2.3.4)
  for (const k of rfc6979Nonces(sk, scalarBytes(e))) {
    ecdh.setPrivateKey(scalarBytes(k));
    const r = modN(bytesToBigInt(ecdh.getPublicKey().subarray(1, 33)));
    if (r === 0n) continue;
    const s = modN(invert(k, P256_N) * (e + r * d));
    if (s === 0n) continue;
    return concatBytes(scalarBytes(r), scalarBytes(s));
  }
  throw new Error('unreachable: the RFC 6979 nonce stream is infinite');
}

/** The public key as an OpenSSL key object (no cache: a run's keys are fresh, and a cache would flatter a replay). */
function publicKeyObject(pub: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(concatBytes(SPKI_P256, pub)), format: 'der', type: 'spki' });
}

/** OpenSSL ECDSA verify of r||s over SHA-256(msg); false (never throws) on any malformed input. */
export function nativeVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  try {
    if (!(sig instanceof Uint8Array) || sig.length !== SIG_LEN) return false;
    if (!(msg instanceof Uint8Array)) return false;
    const key = publicKeyObject(toPoint(pub, 'verify key'));
    return nodeVerify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}
