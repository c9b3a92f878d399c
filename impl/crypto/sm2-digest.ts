/**
 * SM2 over a digest the caller already computed, with byte-level keys and r||s signatures — the
 * counterpart of ecdsa-digest.ts for a TPM engine in TCM mode (TPM 2.0 Part 3 §20.2 TPM2_Sign and
 * §20.1 TPM2_VerifySignature take the digest e; GB/T 32918.2 §6.1 A4–A7 sign it). Thin wrappers
 * over the tcm suite's signer (tcm-sm2.ts `sm2`): the same code, the same deterministic nonce.
 * @module
 */
import { abytes } from './assert.ts';
import { CryptoError } from './suite.ts';
import { sm2, tcmSm2 } from './tcm-sm2.ts';

const toBig = (b: Uint8Array) => BigInt('0x' + (Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('') || '0'));

/** r||s over `e` with the scalar `sk` (checked to be a valid SM2 private key). */
export function sm2SignDigest(sk: Uint8Array, e: Uint8Array): Uint8Array {
  abytes(sk, 'sm2SignDigest key', [32], 'bad-key');
  abytes(e, 'sm2SignDigest digest');
  if (!tcmSm2.isValidScalar(sk)) throw new CryptoError('bad-key', 'sm2SignDigest: not an SM2 private key');
  return sm2.encode(sm2.signDigest(toBig(sk), e));
}

/** Verify r||s over `e` under the uncompressed point `pub`; false (never throws) on malformed input. */
export function sm2VerifyDigest(sig: Uint8Array, e: Uint8Array, pub: Uint8Array): boolean {
  try {
    const rs = sm2.decode(sig);
    if (!rs || e.length === 0 || !tcmSm2.isValidPoint(pub)) return false;
    return sm2.verifyDigest(rs, e, pub);
  } catch {
    return false;
  }
}

/** e = SM3(Z_A ‖ M) with the standard user id (GB/T 32918.2 §6.1 A1–A2; GM/T 0009 §10). */
export function sm2MessageDigest(msg: Uint8Array, pub: Uint8Array): Uint8Array {
  return sm2.digest(msg, pub);
}
