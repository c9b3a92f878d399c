/**
 * Node's OpenSSL bindings (node:crypto) for the native suite: SHA-256 and HMAC-SHA256 as a
 * {@link KdfHash}, and the conversion of the Buffers node:crypto returns into plain
 * Uint8Arrays. Every suite returns plain Uint8Arrays: a Buffer is a subclass whose `equals`,
 * `slice` (a view, not a copy) and `deepStrictEqual` behave differently, and a small Buffer
 * may be a window into Node's shared 8 KiB pool, so `.buffer` would expose other data.
 * @module
 */
import { createHmac, hash as nodeHash } from 'node:crypto';
import type { KdfHash, NobleHash } from './tpm-kdf.ts';

/** A plain Uint8Array with the bytes of `b`: a view when `b` owns its whole ArrayBuffer, else a copy. */
export function plain(b: Buffer): Uint8Array {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.byteLength) return new Uint8Array(b.buffer, 0, b.byteLength);
  return new Uint8Array(b);
}

/** SHA-256 (FIPS 180-4) by OpenSSL, shaped like a noble hash for RFC 9380 expand_message_xmd. */
export const nativeSha256: NobleHash = Object.assign((data: Uint8Array) => plain(nodeHash('sha256', data, 'buffer') as unknown as Buffer), {
  outputLen: 32,
  blockLen: 64,
  create(): never {
    throw new Error('nativeSha256: incremental hashing is not provided');
  },
});

/** SHA-256 and HMAC-SHA256 (RFC 2104) by OpenSSL, for hash-methods.ts and the TPM KDFs. */
export const nativeSha256Kdf: KdfHash = Object.freeze({
  outputLen: 32,
  hash: nativeSha256,
  hmac: (key: Uint8Array, data: Uint8Array) => plain(createHmac('sha256', key).update(data).digest()),
});
