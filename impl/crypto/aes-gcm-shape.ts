/**
 * The input checks of the suites' AES-256-GCM AEAD (NIST SP 800-38D: 96-bit IV §5.2.1.1,
 * 128-bit tag §5.2.1.2), shared by the noble (tpm2-p256.ts) and OpenSSL (native-p256.ts)
 * suites so both refuse exactly the same inputs: encryption throws a CryptoError naming the
 * bad argument; decryption answers null for any malformed input, as for a wrong tag.
 * @module
 */
import { abytes } from './assert.ts';

export const GCM_KEY_LEN = 32; // AES-256
export const GCM_NONCE_LEN = 12;
export const GCM_TAG_LEN = 16;

/** Throws on a key, nonce, data or aad the AEAD cannot take (the encrypt side). */
export function checkAeadInputs(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): void {
  abytes(key, 'aes-gcm key', [GCM_KEY_LEN], 'bad-key');
  abytes(nonce, 'aes-gcm nonce', [GCM_NONCE_LEN]);
  abytes(data, 'aes-gcm data');
  if (aad !== undefined) abytes(aad, 'aes-gcm aad');
}

/** Whether a decryption's inputs are well formed (a sealed value holds at least the tag). */
export function aeadOpenable(key: unknown, nonce: unknown, data: unknown, aad?: unknown): boolean {
  return (
    key instanceof Uint8Array && key.length === GCM_KEY_LEN &&
    nonce instanceof Uint8Array && nonce.length === GCM_NONCE_LEN &&
    data instanceof Uint8Array && data.length >= GCM_TAG_LEN &&
    (aad === undefined || aad instanceof Uint8Array)
  );
}
