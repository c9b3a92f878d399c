/**
 * Boundary checks for the crypto suite (noble style `a*` helpers): each either returns
 * nothing or throws a {@link CryptoError} whose message names the offending argument.
 * @module
 */
import { CryptoError, type CryptoErrorCode } from './suite.ts';

/** `value` must be a Uint8Array (optionally of one of the given lengths). */
export function abytes(
  value: unknown,
  what: string,
  lengths?: readonly number[],
  code: CryptoErrorCode = 'bad-length',
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new CryptoError(code, `${what}: expected Uint8Array`);
  if (lengths !== undefined && !lengths.includes(value.length)) {
    throw new CryptoError(code, `${what}: expected ${lengths.join(' or ')} bytes, got ${value.length}`);
  }
}

/**
 * Output length of a TPM KDF in bits: an integer in [1, maxBits]. The TPM interface carries
 * it as a 32-bit value; we cap it lower (see tpm-kdf.ts) because no protocol needs more.
 */
export function abits(bits: unknown, maxBits: number): asserts bits is number {
  if (typeof bits !== 'number' || !Number.isSafeInteger(bits) || bits < 1 || bits > maxBits) {
    throw new CryptoError('bad-length', `bits: expected an integer in [1, ${maxBits}], got ${String(bits)}`);
  }
}

/**
 * A KDF label: printable ASCII without NUL. TPM 2.0 Part 1 §11.4.10.2 terminates the label
 * with one 0x00 octet which the KDF appends itself, so an embedded NUL would make two
 * different label strings collide.
 */
export function alabel(label: unknown): asserts label is string {
  if (typeof label !== 'string') throw new CryptoError('bad-length', 'label: expected string');
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) {
      throw new CryptoError('bad-length', `label: expected printable ASCII without NUL, got code ${c} at ${i}`);
    }
  }
}

/** ASCII string to bytes (the caller has checked it with {@link alabel}). */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Big-endian 32-bit encoding, as TPM marshals UINT32. */
export function u32be(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, false);
  return out;
}
