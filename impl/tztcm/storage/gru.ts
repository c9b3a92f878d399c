/**
 * GRU — generate, rebuild, update of K_rpmb (seed 002 §2.2.1, Fig. 3).
 *
 *   generate (factory): KeyS random; K_rpmb = KDFa(KeyS, …) goes into the eMMC's one-time key
 *            register; DataKA = BCH(KeyS) ⊕ PUF is stored in ordinary (REE) storage; KeyS is
 *            destroyed.
 *   rebuild  (every boot): KeyS = BCH⁻¹(DataKA ⊕ PUF'), K_rpmb = KDFa(KeyS, …).
 *   update   (eMMC replaced): generate again against the new eMMC — new KeyS, new DataKA, new
 *            K_rpmb (the old eMMC's key register cannot be rewritten, §6.6.22.4.1).
 *
 * The seed requires that deleted or altered DataKA be detected at boot and the boot stopped. The
 * helper file therefore carries a tag, HMAC(K_helper, header ‖ DataKA) with K_helper derived from
 * KeyS: altered helper bits either change the decoded KeyS or leave it and break the tag; either
 * way the rebuild reports it. Another chip's PUF fails the same way (its read is ~50 % away).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import type { RandomSource } from '../../crypto/index.ts';
import { bitsToBytes, bytesToBits, feCode, feGenerate, feRebuild } from './fuzzy-extractor.ts';
import { deriveHelperKey, deriveRpmbKey } from './storage-keys.ts';

const MAGIC = new TextEncoder().encode('TZDK');
const FORMAT = 1;
/** REE file name of the helper data */
export const HELPER_FILE = 'dataka.bin';

export type GruRebuild = { readonly ok: true; readonly kRpmb: Uint8Array; readonly corrected: number } | { readonly ok: false; readonly reason: string };

function header(bits: number): Uint8Array {
  const h = new Uint8Array(MAGIC.length + 3);
  h.set(MAGIC, 0);
  h[4] = FORMAT;
  h[5] = bits >> 8;
  h[6] = bits & 0xff;
  return h;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/** Generate (and update): a new KeyS, its helper file and K_rpmb. KeyS is wiped before returning. */
export function gruGenerate(pufBits: Uint8Array, chipId: Uint8Array, rng: RandomSource): { helperFile: Uint8Array; kRpmb: Uint8Array } {
  const keyS = rng.bytes(32);
  try {
    const helper = bitsToBytes(feGenerate(keyS, pufBits));
    const head = concat(header(pufBits.length), helper);
    const tag = hmac(sha256, deriveHelperKey(keyS, chipId), head);
    return { helperFile: concat(head, tag), kRpmb: deriveRpmbKey(keyS, chipId) };
  } finally {
    keyS.fill(0); // "KeyS is destroyed" (Fig. 3)
  }
}

/** Rebuild K_rpmb from the helper file and this boot's PUF read, or say why it cannot be. */
export function gruRebuild(helperFile: Uint8Array | undefined, pufBits: Uint8Array, chipId: Uint8Array): GruRebuild {
  if (helperFile === undefined) return { ok: false, reason: `helper data (${HELPER_FILE}) is missing` };
  const n = feCode().length;
  const size = MAGIC.length + 3 + Math.ceil(n / 8) + 32;
  if (helperFile.length !== size) return { ok: false, reason: `helper data (${HELPER_FILE}) is ${helperFile.length} bytes, expected ${size} (truncated or altered)` };
  const head = helperFile.subarray(0, size - 32);
  if (!head.subarray(0, 7).every((b, i) => b === header(n)[i])) return { ok: false, reason: `helper data (${HELPER_FILE}) has a wrong header (not DataKA format ${FORMAT} for ${n} PUF bits)` };
  const r = feRebuild(bytesToBits(head.subarray(7), n), pufBits);
  if (!r.ok) return { ok: false, reason: `helper data (${HELPER_FILE}) does not decode with this chip's PUF — altered, or another chip's (${r.reason})` };
  try {
    const tag = hmac(sha256, deriveHelperKey(r.keyS, chipId), head);
    let d = 0;
    for (let i = 0; i < 32; i++) d |= tag[i]! ^ helperFile[size - 32 + i]!;
    if (d !== 0) return { ok: false, reason: `helper data (${HELPER_FILE}) fails its integrity tag — altered, or another chip's PUF` };
    return { ok: true, kRpmb: deriveRpmbKey(r.keyS, chipId), corrected: r.corrected };
  } finally {
    r.keyS.fill(0);
  }
}
