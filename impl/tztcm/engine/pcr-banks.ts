/**
 * PCR selections as a TPM reads them (TPM 2.0 Part 2 §10.9.7 TPML_PCR_SELECTION: at most
 * HASH_COUNT banks, each TPMI_ALG_HASH, sizeofSelect from PCR_SELECT_MIN = 3 to PCR_SELECT_MAX
 * = 3) and the values they select in the engine's SHA-1/256/384/512 banks: bank by bank as
 * given, PCRs ascending within a bank (Part 1 §17.5 "PCR selection order"), which is the order
 * of PCR_Read's digests, of PolicyPCR's and Quote's composite digest.
 * @module
 */
import { tpm2P256 } from '../../crypto/index.ts';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha384, sha512 } from '@noble/hashes/sha2.js';
import type { TpmReader } from '../../tpm2/marshal-reader.ts';
import type { PcrSelection } from '../../tpm2/pcr-selection.ts';
import { TPM_ALG } from '../../tpm2/spec-constants.ts';
import type { EngineContext } from './engine-context.ts';
import { RC, TpmRc } from './rc.ts';
import { PCR_COUNT } from './state.ts';

/** The hashes a selection may name (the reference TPM's implemented hashes). */
const HASHES = new Set<number>([TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384, TPM_ALG.SHA512]);
const SELECT = 3;

/** Read a TPML_PCR_SELECTION with the TPM's checks (TPM_RC_SIZE, TPM_RC_HASH, TPM_RC_VALUE). */
export function readSelection(r: TpmReader): PcrSelection {
  const count = r.u32('TPML_PCR_SELECTION.count');
  if (count > HASHES.size) throw new TpmRc(RC.SIZE, 'more banks than hashes');
  const out: { hashAlg: number; pcrs: number[] }[] = [];
  for (let i = 0; i < count; i++) {
    const hashAlg = r.u16('hash');
    if (!HASHES.has(hashAlg)) throw new TpmRc(RC.HASH, `hash 0x${hashAlg.toString(16)}`);
    const size = r.u8('sizeofSelect');
    if (size < SELECT || size > SELECT) {
      // the bitmap is not read when sizeofSelect is out of range (reference TPMS_PCR_SELECTION_Unmarshal)
      throw new TpmRc(RC.VALUE, `sizeofSelect ${size}`);
    }
    const bitmap = r.bytes(size, 'pcrSelect');
    const pcrs: number[] = [];
    for (let n = 0; n < size * 8; n++) if ((bitmap[n >> 3] as number) & (1 << (n & 7))) pcrs.push(n);
    out.push({ hashAlg, pcrs });
  }
  return out;
}

export function bankOf(tpm: EngineContext, alg: number): Uint8Array[] | undefined {
  return tpm.volatile.pcrs.get(alg);
}

const HASH_FNS: ReadonlyMap<number, (d: Uint8Array) => Uint8Array> = new Map([
  [TPM_ALG.SHA1, (d: Uint8Array) => sha1(d)],
  [TPM_ALG.SHA256, (d: Uint8Array) => tpm2P256.hash(d)],
  [TPM_ALG.SHA384, (d: Uint8Array) => sha384(d)],
  [TPM_ALG.SHA512, (d: Uint8Array) => sha512(d)],
]);

export function hashOf(alg: number): ((d: Uint8Array) => Uint8Array) | undefined {
  return HASH_FNS.get(alg);
}

/** The selected values in selection order; unallocated banks and PCRs past 23 select nothing. */
export function selectedValues(tpm: EngineContext, sel: PcrSelection): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of sel) {
    const bank = bankOf(tpm, b.hashAlg);
    if (!bank) continue;
    for (const n of [...b.pcrs].sort((x, y) => x - y)) if (n < PCR_COUNT) out.push(bank[n]!);
  }
  return out;
}

/** The selection with unallocated banks' bits and PCRs past 23 cleared (what a TPM reports). */
export function allocatedSelection(tpm: EngineContext, sel: PcrSelection): PcrSelection {
  return sel.map((b) => ({ hashAlg: b.hashAlg, pcrs: bankOf(tpm, b.hashAlg) ? b.pcrs.filter((n) => n < PCR_COUNT) : [] }));
}

