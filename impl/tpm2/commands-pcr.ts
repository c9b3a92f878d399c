/**
 * Start-up and PCR commands: TPM2_Startup (TPM 2.0 Part 3 §9.3), TPM2_PCR_Extend (§22.2),
 * TPM2_PCR_Read (§22.4), TPM2_PCR_Reset (§22.8). PCR handles are their index (Part 2 §7.4,
 * TPM_HT_PCR = 0x00) and are authorized with an empty password.
 * @module
 */
import { TssRefusal } from './tss-refusal.ts';
import { PASSWORD } from './auth-session.ts';
import type { TpmCommandExecutor } from './command-executor.ts';
import { TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { readDigestList, readPcrSelection, writeDigestValues, writePcrSelection, type PcrSelection } from './pcr-selection.ts';
import { TpmError } from './response-codes.ts';
import { SHA256_SIZE, TPM_ALG, TPM_CC, TPM_SU_CLEAR } from './spec-constants.ts';
import { handleEntity } from './tpm-entity.ts';

/** TPM_RC_INITIALIZE (Part 2 §6.6.3): TPM2_Startup after the TPM has already been started. */
const TPM_RC_INITIALIZE = 0x100;

/**
 * TPM2_Startup(TPM_SU_CLEAR). Returns false when the TPM was already started (swtpm with
 * `--flags startup-clear` answers TPM_RC_INITIALIZE), true when this call started it.
 */
export async function startup(x: TpmCommandExecutor): Promise<boolean> {
  try {
    await x.run({ code: TPM_CC.Startup, params: marshal((w) => w.u16(TPM_SU_CLEAR)) });
    return true;
  } catch (e) {
    if (e instanceof TpmError && e.code === TPM_RC_INITIALIZE) return false;
    throw e;
  }
}

/** TPM2_PCR_Extend of the SHA-256 bank of `pcr` with a 32-byte digest. */
export async function pcrExtend(x: TpmCommandExecutor, pcr: number, digest: Uint8Array): Promise<void> {
  if (digest.length !== SHA256_SIZE) throw new TssRefusal(`pcrExtend: expected a 32-byte digest, got ${digest.length}`);
  await x.run({
    code: TPM_CC.PCR_Extend,
    handles: [handleEntity(pcr)],
    authHandles: 1,
    sessions: [{ auth: PASSWORD }],
    // the bank of the client's suite: SHA-256, or SM3_256 on a TCM 2.0
    params: marshal((w) => writeDigestValues(w, [{ hashAlg: x.suite.algorithms.tpm.hashAlg, digest }])),
  });
}

/** TPM2_PCR_Reset (resettable PCRs only, e.g. 16 and 23 on a PC Client TPM). */
export async function pcrReset(x: TpmCommandExecutor, pcr: number): Promise<void> {
  await x.run({ code: TPM_CC.PCR_Reset, handles: [handleEntity(pcr)], authHandles: 1, sessions: [{ auth: PASSWORD }] });
}

export interface PcrReadResult {
  readonly updateCounter: number;
  /** The selection actually read (the TPM drops PCRs it does not have). */
  readonly selection: PcrSelection;
  /** Values in selection order. */
  readonly values: readonly Uint8Array[];
}

/** TPM2_PCR_Read (at most 8 digests per call, Part 3 §22.4.1). */
export async function pcrRead(x: TpmCommandExecutor, selection: PcrSelection): Promise<PcrReadResult> {
  const res = await x.run({ code: TPM_CC.PCR_Read, params: marshal((w) => writePcrSelection(w, selection)) });
  const r = new TpmReader(res.params, 'TPM2_PCR_Read response');
  const updateCounter = r.u32('pcrUpdateCounter');
  const sel = readPcrSelection(r);
  const values = readDigestList(r);
  r.end();
  return { updateCounter, selection: sel, values };
}
