/**
 * TPM 2.0 key derivation functions, generic over the hash: KDFa (TPM 2.0 Part 1 §11.4.10.2,
 * SP 800-108 counter mode with HMAC) and KDFe (TPM 2.0 Part 1 §11.4.10.3, SP 800-56A §5.8.1
 * concatenation KDF). The TPM2 suite instantiates them with SHA-256; a TCM suite can pass SM3.
 *
 * Both produce ceil(bits/8) octets from the concatenated blocks K(1)||K(2)||…, and when `bits`
 * is not a multiple of 8 they clear the unused high-order bits of the first octet — this is
 * what the TPM reference implementation does (CryptKDFa / CryptKDFe: `stream[0] &= (1 <<
 * (bits % 8)) - 1`), and what the go-tpm and tpm-test-vectors known answers expect.
 * @module
 */
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { abits, abytes, alabel, asciiBytes, concatBytes, u32be } from './assert.ts';

/** The hash a TPM KDF is instantiated with. */
export interface KdfHash {
  /** Digest length in bytes. */
  readonly outputLen: number;
  hash(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
}

/** A noble-style hash function (`sha256`, `sha1`, `sm3`, …). */
export interface NobleHash {
  (data: Uint8Array): Uint8Array;
  readonly outputLen: number;
  readonly blockLen: number;
  create(): unknown;
}

/** Adapt a noble hash to {@link KdfHash}, using noble's RFC 2104 HMAC over it. */
export function kdfHash(h: NobleHash): KdfHash {
  return {
    outputLen: h.outputLen,
    hash: (data) => h(data),
    hmac: (key, data) => nobleHmac(h as Parameters<typeof nobleHmac>[0], key, data),
  };
}

/**
 * Largest output we derive: 2^16 octets. TPM 2.0 marshals the length as a UINT32, but
 * every TPM use (session keys, seeds, symmetric and HMAC keys) is far below this, and the
 * cap keeps a wrong argument from allocating gigabytes.
 */
export const KDF_MAX_BITS = 65536 * 8;

/** First ceil(bits/8) octets of the block stream, high bits of octet 0 masked. */
function truncateBits(stream: Uint8Array, bits: number): Uint8Array {
  const out = stream.slice(0, (bits + 7) >>> 3);
  const rem = bits % 8;
  if (rem !== 0) out[0] = (out[0] as number) & ((1 << rem) - 1);
  return out;
}

/** Run `block(i)` for i = 1, 2, … until `bits` are covered, then truncate. */
function counterStream(hashLen: number, bits: number, block: (i: Uint8Array) => Uint8Array): Uint8Array {
  const n = Math.ceil(bits / 8 / hashLen);
  const stream = new Uint8Array(n * hashLen);
  for (let i = 1; i <= n; i++) stream.set(block(u32be(i)), (i - 1) * hashLen);
  return truncateBits(stream, bits);
}

/**
 * KDFa (TPM 2.0 Part 1 §11.4.10.2):
 *   K(i) = HMAC(key, [i]_32 || label || 0x00 || contextU || contextV || [bits]_32)
 * `label` is given without its terminating NUL; exactly one 0x00 is appended (also for an
 * empty label, as the reference code does).
 */
export function kdfa(
  h: KdfHash,
  key: Uint8Array,
  label: string,
  contextU: Uint8Array,
  contextV: Uint8Array,
  bits: number,
): Uint8Array {
  abytes(key, 'kdfa key', undefined, 'bad-key');
  alabel(label);
  abytes(contextU, 'kdfa contextU');
  abytes(contextV, 'kdfa contextV');
  abits(bits, KDF_MAX_BITS);
  const tail = concatBytes(asciiBytes(label), new Uint8Array(1), contextU, contextV, u32be(bits));
  return counterStream(h.outputLen, bits, (i) => h.hmac(key, concatBytes(i, tail)));
}

/**
 * KDFe (TPM 2.0 Part 1 §11.4.10.3):
 *   K(i) = H([i]_32 || Z || label || 0x00 || partyUInfo || partyVInfo)
 * Unlike KDFa the output length is not hashed in.
 */
export function kdfe(
  h: KdfHash,
  z: Uint8Array,
  label: string,
  partyUInfo: Uint8Array,
  partyVInfo: Uint8Array,
  bits: number,
): Uint8Array {
  abytes(z, 'kdfe z', undefined, 'bad-key');
  alabel(label);
  abytes(partyUInfo, 'kdfe partyUInfo');
  abytes(partyVInfo, 'kdfe partyVInfo');
  abits(bits, KDF_MAX_BITS);
  const tail = concatBytes(z, asciiBytes(label), new Uint8Array(1), partyUInfo, partyVInfo);
  return counterStream(h.outputLen, bits, (i) => h.hash(concatBytes(i, tail)));
}
