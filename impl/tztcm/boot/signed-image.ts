/**
 * A boot image signed by the manufacturer (seed 002 §3.1: the BootROM checks the GRU code and the
 * secure OS against the manufacturer public key in OTP fuses).
 *
 *   'TZIM' | name length u8 | name | version u32 | payload length u32 | payload | ECDSA-P256 r‖s
 *
 * The signature covers everything before it (ECDSA over SHA-256, RFC 6979 nonces — the crypto
 * suite's `sign`). The measurement of an image is SHA-256 of the whole file, signature included,
 * as a TPM event log measures what was loaded.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { tpm2P256 } from '../../crypto/index.ts';

const MAGIC = new TextEncoder().encode('TZIM');
const SIG = 64;

export interface BootImage {
  readonly name: string;
  readonly version: number;
  readonly payload: Uint8Array;
}

export function signImage(img: BootImage, manufacturerSk: Uint8Array): Uint8Array {
  const name = new TextEncoder().encode(img.name);
  if (name.length > 255) throw new RangeError('image name longer than 255 bytes');
  const body = new Uint8Array(4 + 1 + name.length + 8 + img.payload.length);
  const dv = new DataView(body.buffer);
  body.set(MAGIC, 0);
  body[4] = name.length;
  body.set(name, 5);
  dv.setUint32(5 + name.length, img.version >>> 0, false);
  dv.setUint32(9 + name.length, img.payload.length, false);
  body.set(img.payload, 13 + name.length);
  const out = new Uint8Array(body.length + SIG);
  out.set(body, 0);
  out.set(tpm2P256.sign(manufacturerSk, body), body.length);
  return out;
}

export type ImageCheck = { readonly ok: true; readonly image: BootImage; readonly digest: Uint8Array } | { readonly ok: false; readonly reason: string };

/** Parse and verify an image file against the OTP public key; `expect` is the image's name. */
export function verifyImage(file: Uint8Array | undefined, expect: string, manufacturerPub: Uint8Array): ImageCheck {
  if (file === undefined) return { ok: false, reason: `${expect} image is missing` };
  if (file.length < 13 + SIG || !MAGIC.every((b, i) => file[i] === b)) return { ok: false, reason: `${expect} image is not a signed boot image` };
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const nl = file[4]!;
  if (13 + nl + SIG > file.length) return { ok: false, reason: `${expect} image is truncated` };
  const name = new TextDecoder().decode(file.subarray(5, 5 + nl));
  const version = dv.getUint32(5 + nl, false);
  const plen = dv.getUint32(9 + nl, false);
  if (13 + nl + plen + SIG !== file.length) return { ok: false, reason: `${expect} image length does not match its header (truncated or extended)` };
  const body = file.subarray(0, file.length - SIG);
  if (!tpm2P256.verify(file.subarray(file.length - SIG), body, manufacturerPub)) return { ok: false, reason: `${expect} image signature does not verify under the manufacturer key in OTP` };
  if (name !== expect) return { ok: false, reason: `${expect} slot holds a signed '${name}' image` };
  return { ok: true, image: { name, version, payload: file.slice(13 + nl, 13 + nl + plen) }, digest: sha256(file) };
}
