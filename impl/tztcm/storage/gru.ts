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
import { FE_PARAMS } from './fec/fe-parameters.ts';
import { deriveHelperKey, deriveRpmbKey } from './storage-keys.ts';

const MAGIC = new TextEncoder().encode('TZDK');
const FORMAT = 1;
/** REE file name of the helper data */
export const HELPER_FILE = 'dataka.bin';

export type GruRebuild = { readonly ok: true; readonly kRpmb: Uint8Array; readonly corrected: number } | { readonly ok: false; readonly reason: string };

/** 'TZDK' | format | m | t | r | PUF bits (u16): the code the helper data was made for */
const HEADER = 10;
function header(bits: number): Uint8Array {
  const h = new Uint8Array(HEADER);
  h.set(MAGIC, 0);
  h.set([FORMAT, FE_PARAMS.m, FE_PARAMS.t, FE_PARAMS.r, bits >> 8, bits & 0xff], 4);
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
  const size = HEADER + Math.ceil(n / 8) + 32;
  if (helperFile.length !== size) return { ok: false, reason: `helper data (${HELPER_FILE}) is ${helperFile.length} bytes, expected ${size} (truncated or altered)` };
  const head = helperFile.subarray(0, size - 32);
  const want = header(n);
  if (!MAGIC.every((b, i) => head[i] === b) || head[4] !== FORMAT) return { ok: false, reason: `helper data (${HELPER_FILE}) is not DataKA format ${FORMAT}` };
  if (!want.every((b, i) => head[i] === b)) {
    return { ok: false, reason: `helper data (${HELPER_FILE}) was made for rep(${head[7]}) x BCH(2^${head[5]}-1, t=${head[6]}) over ${(head[8]! << 8) | head[9]!} PUF bits; this GRU uses rep(${FE_PARAMS.r}) x BCH(2^${FE_PARAMS.m}-1, t=${FE_PARAMS.t}) over ${n}` };
  }
  const r = feRebuild(bytesToBits(head.subarray(HEADER), n), pufBits);
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
