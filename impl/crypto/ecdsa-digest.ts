/**
 * ECDSA P-256 over a digest the caller already computed (TPM 2.0 Part 3 §20.2 TPM2_Sign and
 * §20.1 TPM2_VerifySignature take the digest, not the message; the suite's sign/verify hash the
 * message themselves). A digest longer than the curve order is truncated to its leftmost 256
 * bits (FIPS 186-5 §6.4.1), which noble does for prehash: false.
 * @module
 */
import { p256 } from '@noble/curves/nist.js';
import { abytes } from './assert.ts';

/** r||s over `digest` with the scalar `sk` (RFC 6979 nonce, as the suite's sign). */
export function ecdsaSignDigest(sk: Uint8Array, digest: Uint8Array): Uint8Array {
  abytes(sk, 'ecdsaSignDigest key', [32], 'bad-key');
  abytes(digest, 'ecdsaSignDigest digest');
  return p256.sign(digest, sk, { prehash: false, lowS: false, format: 'compact' });
}

/** Verify r||s over `digest`; false (never throws) on any malformed input. */
export function ecdsaVerifyDigest(sig: Uint8Array, digest: Uint8Array, pub: Uint8Array): boolean {
  try {
    if (sig.length !== 64 || digest.length === 0) return false;
    return p256.verify(sig, digest, pub, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}
