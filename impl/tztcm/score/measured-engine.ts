/**
 * Measured boot into the engine's PCRs. A TPM Reset (TPM2_Startup(CLEAR), Part 1 §12.2.3) zeroes
 * the PCRs, and the boot measurements must be in them before anything else can extend: as the
 * firmware TPM of OP-TEE (ms-tpm-20-ref's fTPM TA) replays the boot firmware's event log right
 * after the first TPM2_Startup it executes, this wrapper, on the Startup(CLEAR) of this boot that
 * succeeds, extends every entry of the TZTCM's boot log (boot/event-log.ts) into its PCR with
 * TPM2_PCR_Extend (Part 3 §22.2) — through the engine's own command interface, so the engine's
 * PCR code is the one that extends. An SM3 entry is extended only if the engine has an SM3 bank
 * (an engine without one answers TPM_RC_HASH, and the entry is noted as not extended).
 * Startup(STATE) resumes saved PCRs and extends nothing.
 * @module
 */
import { TpmWriter } from '../../tpm2/marshal-writer.ts';
import { TPM_ALG, TPM_CC, TPM_RH, TPM_ST, TPM_SU_CLEAR } from '../../tpm2/spec-constants.ts';
import type { BootLogEntry } from '../boot/event-log.ts';
import type { TpmEngine } from '../engine-contract.ts';

const ALG = { sha256: TPM_ALG.SHA256, sm3: 0x0012 } as const; // Part 2 §6.3 TPM_ALG_SM3_256

/** TPM2_PCR_Extend(pcr, one digest) with an empty password session on the PCR handle. */
export function pcrExtendFrame(pcr: number, alg: 'sha256' | 'sm3', digest: Uint8Array): Uint8Array {
  const w = new TpmWriter().u16(TPM_ST.SESSIONS).u32(0).u32(TPM_CC.PCR_Extend).u32(pcr);
  w.u32(9).u32(TPM_RH.RS_PW).u16(0).u8(0).u16(0); // TPMS_AUTH_COMMAND: TPM_RS_PW, no nonce, no attributes, empty auth
  w.u32(1).u16(ALG[alg]).bytes(digest); // TPML_DIGEST_VALUES
  const f = w.finish();
  new DataView(f.buffer, f.byteOffset).setUint32(2, f.length, false);
  return f;
}

const rcOf = (rsp: Uint8Array) => (rsp.length >= 10 ? new DataView(rsp.buffer, rsp.byteOffset).getUint32(6, false) : -1);

function isStartupClear(cmd: Uint8Array): boolean {
  if (cmd.length !== 12) return false;
  const dv = new DataView(cmd.buffer, cmd.byteOffset, cmd.length);
  return dv.getUint32(6, false) === TPM_CC.Startup && dv.getUint16(10, false) === TPM_SU_CLEAR;
}

export interface MeasuredEngine extends TpmEngine {
  /** the entries extended at the last Startup(CLEAR) (empty before it), with the engine's answer */
  readonly extended: readonly { readonly entry: BootLogEntry; readonly rc: number }[];
}

export function measuredEngine(engine: TpmEngine, log: () => readonly BootLogEntry[]): MeasuredEngine {
  let extended: { entry: BootLogEntry; rc: number }[] = [];
  return {
    get extended() {
      return extended;
    },
    execute(command) {
      const rsp = engine.execute(command);
      if (isStartupClear(command) && rcOf(rsp) === 0) {
        extended = log().map((entry) => ({ entry, rc: rcOf(engine.execute(pcrExtendFrame(entry.pcr, entry.alg, Buffer.from(entry.digest, 'hex')))) }));
      }
      return rsp;
    },
  };
}
