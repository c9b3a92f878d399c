/**
 * Attestation commands (TPM 2.0 Part 3 §18): TPM2_Certify (§18.2) and TPM2_Quote (§18.4). Both
 * return the exact TPMS_ATTEST bytes the TPM signed (verifiers must hash those bytes, not a
 * re-marshalled copy), the parsed structure and the ECDSA signature.
 * @module
 */
import { PASSWORD } from './auth-session.ts';
import { parseAttest, type TpmAttest } from './attest.ts';
import type { SessionUse, TpmCommandExecutor } from './command-executor.ts';
import { TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { writePcrSelection, type PcrSelection } from './pcr-selection.ts';
import { readEcdsaSignature, writeSigScheme, type EcdsaSignature } from './signature.ts';
import { TPM_CC } from './spec-constants.ts';
import type { TpmEntity } from './tpm-entity.ts';

export interface AttestationResult {
  /** The TPMS_ATTEST bytes (body of TPM2B_ATTEST) that were signed. */
  readonly attestBytes: Uint8Array;
  readonly attest: TpmAttest;
  readonly signature: EcdsaSignature;
}

function readAttestation(params: Uint8Array, what: string, sigAlg: number): AttestationResult {
  const r = new TpmReader(params, what);
  const attestBytes = r.tpm2b('TPM2B_ATTEST');
  const signature = readEcdsaSignature(r, sigAlg);
  r.end();
  return { attestBytes, attest: parseAttest(attestBytes), signature };
}

/**
 * TPM2_Certify: `signKey` attests that `object` is loaded in this TPM (its Name), with
 * extraData = qualifyingData. objectHandle needs ADMIN role, signHandle USER (Part 3 §18.2.2);
 * both are password-authorized by default. The key's own scheme is used (inScheme = NULL).
 */
export async function certify(
  x: TpmCommandExecutor,
  object: TpmEntity,
  signKey: TpmEntity,
  qualifyingData: Uint8Array,
  sessions: readonly [SessionUse, SessionUse] = [{ auth: PASSWORD }, { auth: PASSWORD }],
): Promise<AttestationResult> {
  const res = await x.run({
    code: TPM_CC.Certify,
    handles: [object, signKey],
    authHandles: 2,
    sessions,
    params: marshal((w) => {
      w.tpm2b(qualifyingData);
      writeSigScheme(w, null);
    }),
  });
  return readAttestation(res.params, 'TPM2_Certify response', x.suite.algorithms.tpm.signScheme);
}

/** TPM2_Quote over `pcrs` with extraData = qualifyingData (Part 3 §18.4). */
export async function quote(
  x: TpmCommandExecutor,
  signKey: TpmEntity,
  qualifyingData: Uint8Array,
  pcrs: PcrSelection,
  session: SessionUse = { auth: PASSWORD },
): Promise<AttestationResult> {
  const res = await x.run({
    code: TPM_CC.Quote,
    handles: [signKey],
    authHandles: 1,
    sessions: [session],
    params: marshal((w) => {
      w.tpm2b(qualifyingData);
      writeSigScheme(w, null);
      writePcrSelection(w, pcrs);
    }),
  });
  return readAttestation(res.params, 'TPM2_Quote response', x.suite.algorithms.tpm.signScheme);
}
