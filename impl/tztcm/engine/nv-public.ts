/**
 * TPMS_NV_PUBLIC (TPM 2.0 Part 2 §13.5), the TPMA_NV bits (§13.4) and an NV index's Name
 * (Part 1 §16: nameAlg || H_nameAlg(TPMS_NV_PUBLIC), which changes when TPMA_NV_WRITTEN is set).
 * @module
 */
import { hashById } from '../../tpm2/hash-algorithms.ts';
import type { TpmReader } from '../../tpm2/marshal-reader.ts';
import { marshal, type TpmWriter } from '../../tpm2/marshal-writer.ts';
import type { NvIndex } from './state.ts';

/** Part 2 §13.4 TPMA_NV. */
export const TPMA_NV = Object.freeze({
  PPWRITE: 1 << 0,
  OWNERWRITE: 1 << 1,
  AUTHWRITE: 1 << 2,
  POLICYWRITE: 1 << 3,
  /** TPM_NT in bits 4..7: 0 ordinary, 1 counter, 2 bits, 4 extend, 8 pin fail, 9 pin pass */
  TPM_NT_MASK: 0xf << 4,
  POLICY_DELETE: 1 << 10,
  WRITELOCKED: 1 << 11,
  WRITEALL: 1 << 12,
  WRITEDEFINE: 1 << 13,
  WRITE_STCLEAR: 1 << 14,
  GLOBALLOCK: 1 << 15,
  PPREAD: 1 << 16,
  OWNERREAD: 1 << 17,
  AUTHREAD: 1 << 18,
  POLICYREAD: 1 << 19,
  NO_DA: 1 << 25,
  ORDERLY: 1 << 26,
  CLEAR_STCLEAR: 1 << 27,
  READLOCKED: 1 << 28,
  WRITTEN: 1 << 29,
  PLATFORMCREATE: 1 << 30,
  READ_STCLEAR: 2 ** 31,
});

/** Bits 20..24 are reserved (Part 2 §13.4 Table 205). */
export const TPMA_NV_RESERVED = 0x01f00000 | (0x3 << 8);

export interface NvPublic {
  readonly handle: number;
  readonly nameAlg: number;
  readonly attributes: number;
  readonly authPolicy: Uint8Array;
  readonly dataSize: number;
}

export function writeNvPublic(w: TpmWriter, p: NvPublic): void {
  w.u32(p.handle).u16(p.nameAlg).u32(p.attributes >>> 0).tpm2b(p.authPolicy).u16(p.dataSize);
}

export function readNvPublic(r: TpmReader): NvPublic {
  return { handle: r.u32('nvIndex'), nameAlg: r.u16('nameAlg'), attributes: r.u32('attributes'), authPolicy: r.tpm2b('authPolicy', 64), dataSize: r.u16('dataSize') };
}

export function nvName(nv: NvIndex | NvPublic): Uint8Array {
  const pub = marshal((w) => writeNvPublic(w, nv));
  return marshal((w) => w.u16(nv.nameAlg).bytes(hashById(nv.nameAlg)!(pub)));
}
