/**
 * Per-hierarchy secrets derived from its primary seed (TPM 2.0 Part 1 §14): the seed itself (the
 * NULL hierarchy's is volatile, new at each TPM Reset, §14.5) and the proof value that keys the
 * hierarchy's tickets (Part 1 §14.4 "proof": HMAC keys of TPMT_TK_CREATION, _VERIFIED,
 * _HASHCHECK, Part 2 §10.7). A ticket from the NULL hierarchy is the NULL ticket: hierarchy
 * TPM_RH_NULL and an empty digest (Part 2 §10.7.1). KDFa and HMAC are the mode's (SHA-256 / SM3).
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import type { EngineContext } from './engine-context.ts';
import { hierarchyHandle, type Hierarchy } from './state.ts';

export function seedOf(tpm: EngineContext, h: Hierarchy): Uint8Array {
  return h === 'null' ? tpm.volatile.nullSeed : tpm.persistent.seeds[h];
}

export function proofOf(tpm: EngineContext, h: Hierarchy): Uint8Array {
  return tpm.algs.suite.kdfa(seedOf(tpm, h), 'PROOF', new Uint8Array(0), new Uint8Array(0), 256);
}

/** TPMT_TK_*: tag, hierarchy, TPM2B_DIGEST HMAC(proof, tag || body) (Part 2 §10.7). */
export function ticket(tpm: EngineContext, tag: number, h: Hierarchy, body: Uint8Array): Uint8Array {
  if (h === 'null') return marshal((w) => w.u16(tag).u32(hierarchyHandle.null).tpm2b(new Uint8Array(0)));
  const digest = tpm.algs.suite.hmac(proofOf(tpm, h), marshal((w) => w.u16(tag).bytes(body)));
  return marshal((w) => w.u16(tag).u32(hierarchyHandle[h]).tpm2b(digest));
}
