/**
 * PCR selections and digest lists: TPML_PCR_SELECTION (TPM 2.0 Part 2 §10.9.7, a count of
 * TPMS_PCR_SELECTION {hash, sizeofSelect, pcrSelect bitmap} where PCR n is bit n%8 of octet n/8),
 * TPML_DIGEST (§10.9.2) and TPML_DIGEST_VALUES (§10.9.4) for PCR_Read/PCR_Extend.
 * @module
 */
import { TssRefusal } from './tss-refusal.ts';
import { TpmMarshalError, type TpmReader } from './marshal-reader.ts';
import type { TpmWriter } from './marshal-writer.ts';

/** One bank: hash algorithm and the selected PCR indices. */
export interface PcrBankSelection {
  readonly hashAlg: number;
  readonly pcrs: readonly number[];
}
export type PcrSelection = readonly PcrBankSelection[];

/** PC Client TPMs have 24 PCRs: a 3-octet bitmap (PC Client PTP §4.6 / Part 2 PCR_SELECT_MIN). */
const SIZEOF_SELECT = 3;

export function writePcrSelection(w: TpmWriter, sel: PcrSelection): void {
  w.u32(sel.length);
  for (const bank of sel) {
    const bitmap = new Uint8Array(SIZEOF_SELECT);
    for (const pcr of bank.pcrs) {
      if (!Number.isInteger(pcr) || pcr < 0 || pcr >= SIZEOF_SELECT * 8) throw new TssRefusal(`PCR index ${pcr} out of range`);
      bitmap[pcr >> 3] = (bitmap[pcr >> 3] as number) | (1 << (pcr & 7));
    }
    w.u16(bank.hashAlg).u8(SIZEOF_SELECT).bytes(bitmap);
  }
}

export function readPcrSelection(r: TpmReader): PcrSelection {
  const count = r.u32('TPML_PCR_SELECTION.count');
  if (count > 16) throw new TpmMarshalError(`${r.what}: TPML_PCR_SELECTION.count ${count} is implausible`);
  const out: PcrBankSelection[] = [];
  for (let i = 0; i < count; i++) {
    const hashAlg = r.u16('pcrSelection.hash');
    const size = r.u8('sizeofSelect');
    const bitmap = r.bytes(size, 'pcrSelect');
    const pcrs: number[] = [];
    for (let n = 0; n < size * 8; n++) if ((bitmap[n >> 3] as number) & (1 << (n & 7))) pcrs.push(n);
    out.push({ hashAlg, pcrs });
  }
  return out;
}

/** Selections in the TPM's canonical order (banks as given, PCRs ascending) for comparisons. */
export function sortedPcrs(bank: PcrBankSelection): number[] {
  return [...bank.pcrs].sort((a, b) => a - b);
}

/** TPML_DIGEST (Part 2 §10.9.2): UINT32 count || TPM2B_DIGEST[count]. */
export function readDigestList(r: TpmReader): Uint8Array[] {
  const count = r.u32('TPML_DIGEST.count');
  if (count > 8) throw new TpmMarshalError(`${r.what}: TPML_DIGEST.count ${count} exceeds 8`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) out.push(r.tpm2b(`digests[${i}]`, 64));
  return out;
}

/** TPML_DIGEST_VALUES (Part 2 §10.9.4): UINT32 count || TPMT_HA{hashAlg, digest}[count]. */
export function writeDigestValues(w: TpmWriter, digests: readonly { hashAlg: number; digest: Uint8Array }[]): void {
  w.u32(digests.length);
  for (const d of digests) w.u16(d.hashAlg).bytes(d.digest);
}

/** TPML_DIGEST_VALUES read back (Part 2 §10.9.4); `digestSize` gives each algorithm's size (undefined: unknown). */
export function readDigestValues(r: TpmReader, digestSize: (alg: number) => number | undefined): { hashAlg: number; digest: Uint8Array }[] {
  const count = r.u32('TPML_DIGEST_VALUES.count');
  if (count > 16) throw new TpmMarshalError(`${r.what}: TPML_DIGEST_VALUES.count ${count} is implausible`, 'size');
  const out: { hashAlg: number; digest: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const hashAlg = r.u16('TPMT_HA.hashAlg');
    const n = digestSize(hashAlg);
    if (n === undefined) throw new TpmMarshalError(`${r.what}: TPMT_HA.hashAlg 0x${hashAlg.toString(16)} is not a hash`, 'hash');
    out.push({ hashAlg, digest: r.bytes(n, 'TPMT_HA.digest') });
  }
  return out;
}
