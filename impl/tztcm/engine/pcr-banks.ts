/**
 * PCR selections as a TPM reads them (TPM 2.0 Part 2 §10.9.7 TPML_PCR_SELECTION: at most
 * HASH_COUNT banks, each TPMI_ALG_HASH, sizeofSelect from PCR_SELECT_MIN = 3 to PCR_SELECT_MAX
 * = 3) and the values they select in the engine's banks (SHA-1/256/384/512 in TPM mode, SM3_256 in TCM mode): bank by bank as
 * given, PCRs ascending within a bank (Part 1 §17.5 "PCR selection order"), which is the order
 * of PCR_Read's digests, of PolicyPCR's and Quote's composite digest.
 * @module
 */
import { hashById } from '../../tpm2/hash-algorithms.ts';
import type { TpmReader } from '../../tpm2/marshal-reader.ts';
import type { PcrSelection } from '../../tpm2/pcr-selection.ts';
import { TPM_MODE } from './algorithms.ts';
import type { EngineContext } from './engine-context.ts';
import { RC, TpmRc } from './rc.ts';
import { PCR_COUNT } from './state.ts';

const SELECT = 3;

/**
 * Read a TPML_PCR_SELECTION with the TPM's checks (TPM_RC_SIZE, TPM_RC_HASH, TPM_RC_VALUE);
 * `hashes` are the implemented hashes a selection may name (the mode's, algorithms.ts).
 */
export function readSelection(r: TpmReader, hashes: readonly number[] = TPM_MODE.hashes): PcrSelection {
  const count = r.u32('TPML_PCR_SELECTION.count');
  if (count > hashes.length) throw new TpmRc(RC.SIZE, 'more banks than hashes');
  const out: { hashAlg: number; pcrs: number[] }[] = [];
  for (let i = 0; i < count; i++) {
    const hashAlg = r.u16('hash');
    if (!hashes.includes(hashAlg)) throw new TpmRc(RC.HASH, `hash 0x${hashAlg.toString(16)}`);
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

/** The selection reader of this engine's mode, for ParamReader.next. */
export const selectionReader = (tpm: EngineContext) => (r: TpmReader): PcrSelection => readSelection(r, tpm.algs.hashes);

/** H_alg of a bank (SHA-1/256/384/512, SM3_256). */
export function hashOf(alg: number): ((d: Uint8Array) => Uint8Array) | undefined {
  return hashById(alg);
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

