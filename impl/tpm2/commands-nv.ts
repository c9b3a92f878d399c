/**
 * NV storage from the caller's side (TPM 2.0 Part 3 §31) for an ordinary index with an empty
 * authValue (TPMA_NV_AUTHWRITE | AUTHREAD | NO_DA): TPM2_NV_DefineSpace and NV_UndefineSpace by
 * the owner, TPM2_NV_Write and NV_Read authorised by the index's (empty) password with an extra
 * session that encrypts the data — `decrypt` on the write (Part 1 §21.2), `encrypt` on the read
 * (§21.3) — and TPM_PT_NV_BUFFER_MAX, the largest data parameter of one command (Part 2 §6.13).
 *
 * An index's Name is nameAlg ‖ H(TPMS_NV_PUBLIC) (Part 1 §16) and covers TPMA_NV_WRITTEN, which
 * the TPM sets on the first write: the entity is renamed then, or the extra session's cpHash
 * (and so its HMAC) would not match the TPM's.
 * @module
 */
import { PASSWORD, type TpmAuthSession } from './auth-session.ts';
import type { TpmCommandExecutor } from './command-executor.ts';
import { TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { TPM_ALG, TPM_CC, TPM_RH } from './spec-constants.ts';
import { handleEntity, type TpmEntity } from './tpm-entity.ts';
import { tpm2P256 } from '../crypto/index.ts';

/** Part 2 §13.4 TPMA_NV bits used here. */
export const TPMA_NV = Object.freeze({ AUTHWRITE: 1 << 2, AUTHREAD: 1 << 18, NO_DA: 1 << 25, WRITTEN: 1 << 29 });

/** Part 2 §6.13 TPM_CAP_TPM_PROPERTIES and §6.12 TPM_PT_NV_BUFFER_MAX (PT_FIXED + 44). */
const TPM_CAP_TPM_PROPERTIES = 6;
export const TPM_PT_NV_BUFFER_MAX = 0x12c;

/** An ordinary NV index the caller defined. */
export interface NvIndex {
  readonly handle: number;
  readonly size: number;
  written: boolean;
}

const nvAttributes = (written: boolean) => TPMA_NV.AUTHWRITE | TPMA_NV.AUTHREAD | TPMA_NV.NO_DA | (written ? TPMA_NV.WRITTEN : 0);

/** TPMS_NV_PUBLIC (Part 2 §13.5) of the index: SHA-256 names, no policy. */
function nvPublic(handle: number, size: number, written: boolean): Uint8Array {
  return marshal((w) => w.u32(handle).u16(TPM_ALG.SHA256).u32(nvAttributes(written)).tpm2b(new Uint8Array(0)).u16(size));
}

/** The index as a command handle: its Name now (Part 1 §16), empty authValue. */
export function nvEntity(nv: NvIndex): TpmEntity {
  const name = marshal((w) => w.u16(TPM_ALG.SHA256).bytes(tpm2P256.hash(nvPublic(nv.handle, nv.size, nv.written))));
  return { ...handleEntity(nv.handle, new Uint8Array(0)), name };
}

/** TPM2_GetCapability(TPM_PROPERTIES, TPM_PT_NV_BUFFER_MAX): the largest NV_Write/NV_Read data. */
export async function nvBufferMax(x: TpmCommandExecutor): Promise<number> {
  const res = await x.run({ code: TPM_CC.GetCapability, params: marshal((w) => w.u32(TPM_CAP_TPM_PROPERTIES).u32(TPM_PT_NV_BUFFER_MAX).u32(1)) });
  const r = new TpmReader(res.params, 'TPM2_GetCapability response');
  r.u8('moreData');
  r.u32('capability');
  const n = r.u32('count');
  for (let i = 0; i < n; i++) {
    const pt = r.u32('property');
    const value = r.u32('value');
    if (pt === TPM_PT_NV_BUFFER_MAX) return value;
  }
  throw new RangeError('TPM2_GetCapability: the TPM reported no TPM_PT_NV_BUFFER_MAX');
}

/** TPM2_NV_DefineSpace (Part 3 §31.3) by the owner (empty owner password). */
export async function nvDefine(x: TpmCommandExecutor, handle: number, size: number): Promise<NvIndex> {
  await x.run({
    code: TPM_CC.NV_DefineSpace,
    handles: [handleEntity(TPM_RH.OWNER, new Uint8Array(0))],
    authHandles: 1,
    sessions: [{ auth: PASSWORD }],
    params: marshal((w) => w.tpm2b(new Uint8Array(0)).tpm2b(nvPublic(handle, size, false))),
  });
  return { handle, size, written: false };
}

/** TPM2_NV_UndefineSpace (Part 3 §31.4) by the owner. */
export async function nvUndefine(x: TpmCommandExecutor, handle: number): Promise<void> {
  await x.run({
    code: TPM_CC.NV_UndefineSpace,
    handles: [handleEntity(TPM_RH.OWNER, new Uint8Array(0)), handleEntity(handle)],
    authHandles: 1,
    sessions: [{ auth: PASSWORD }],
  });
}

export interface NvTransfer {
  /** the extra session's response HMAC verified (Part 1 §19.6.6) */
  readonly responseHmacVerified: boolean;
  /** the data read (NV_Read), decrypted */
  readonly data: Uint8Array;
}

/** TPM2_NV_Write (Part 3 §31.7) of `data` at offset 0, the data encrypted by `session`. */
export async function nvWrite(x: TpmCommandExecutor, nv: NvIndex, data: Uint8Array, session: TpmAuthSession): Promise<NvTransfer> {
  const e = nvEntity(nv);
  const res = await x.run({
    code: TPM_CC.NV_Write,
    handles: [e, e],
    authHandles: 1,
    sessions: [{ auth: PASSWORD }, { auth: session, decrypt: true }],
    params: marshal((w) => w.tpm2b(data).u16(0)),
  });
  nv.written = true;
  return { responseHmacVerified: res.verifiedSessions === 1, data: new Uint8Array(0) };
}

/** TPM2_NV_Read (Part 3 §31.13) of `size` bytes at offset 0, returned encrypted by `session`. */
export async function nvRead(x: TpmCommandExecutor, nv: NvIndex, size: number, session: TpmAuthSession): Promise<NvTransfer> {
  const e = nvEntity(nv);
  const res = await x.run({
    code: TPM_CC.NV_Read,
    handles: [e, e],
    authHandles: 1,
    sessions: [{ auth: PASSWORD }, { auth: session, encrypt: true }],
    params: marshal((w) => w.u16(size).u16(0)),
  });
  const r = new TpmReader(res.params, 'TPM2_NV_Read response');
  const data = r.tpm2b('data', 0xffff);
  r.end();
  return { responseHmacVerified: res.verifiedSessions === 1, data };
}
