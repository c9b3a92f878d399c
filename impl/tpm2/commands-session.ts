/**
 * Session and policy commands (TPM 2.0 Part 3 §11.1 StartAuthSession, §23 Enhanced
 * Authorization): StartAuthSession (optionally ECC-salted), PolicySigned, PolicyPCR,
 * PolicyGetDigest, PolicyRestart.
 * @module
 */
import { TpmAuthSession, type SessionKind } from './auth-session.ts';
import type { TpmCommandExecutor } from './command-executor.ts';
import { TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { writePcrSelection, type PcrSelection } from './pcr-selection.ts';
import { eccPoint, type TpmPublic } from './public-area.ts';
import { deriveSessionKey, makeEccSalt } from './session-crypto.ts';
import { writeEcdsaSignature } from './signature.ts';
import { SHA256_SIZE, TPM_ALG, TPM_CC, TPM_RH, TPM_SE } from './spec-constants.ts';
import { handleEntity } from './tpm-entity.ts';

export interface StartSessionOptions {
  readonly kind: SessionKind;
  /** Salt with this loaded ECC decrypt key (its handle and public area); unsalted if absent. */
  readonly tpmKey?: { readonly handle: number; readonly public: TpmPublic };
  /** AES-128-CFB for parameter encryption (default true; trial sessions may pass false). */
  readonly cfb?: boolean;
}

/** What StartAuthSession exchanged, for a protocol runtime that records the session's values. */
export interface StartedSession {
  readonly session: TpmAuthSession;
  readonly nonceCaller: Uint8Array;
  readonly nonceTPM: Uint8Array;
  /** The ephemeral ECDH public key sent as encryptedSalt (absent for an unsalted session). */
  readonly ephemeral?: Uint8Array;
}

const SE: Record<SessionKind, number> = { hmac: TPM_SE.HMAC, policy: TPM_SE.POLICY, trial: TPM_SE.TRIAL };

/**
 * TPM2_StartAuthSession (Part 3 §11.1), unbound (bind = TPM_RH_NULL), with the executor's suite:
 * SHA-256 and AES-128-CFB (tpm2) or SM3_256 and SM4-CFB (tcm). With `tpmKey` the salt is an ECDH
 * secret with that key on its curve (Part 1 Annex C.6.1), so the session key is known only to us
 * and the TPM.
 */
export async function startAuthSession(x: TpmCommandExecutor, opts: StartSessionOptions): Promise<StartedSession> {
  const nonceCaller = x.random.bytes(SHA256_SIZE);
  const suite = x.suite;
  const salt = opts.tpmKey ? makeEccSalt(eccPoint(opts.tpmKey.public), x.random, suite) : null;
  const cfb = opts.cfb ?? true;
  const res = await x.run({
    code: TPM_CC.StartAuthSession,
    handles: [handleEntity(opts.tpmKey?.handle ?? TPM_RH.NULL), handleEntity(TPM_RH.NULL)],
    params: marshal((w) => {
      w.tpm2b(nonceCaller).tpm2b(salt?.encryptedSalt ?? new Uint8Array(0)).u8(SE[opts.kind]);
      // TPMT_SYM_DEF (Part 2 §11.1.6)
      if (cfb) w.u16(suite.algorithms.tpm.symAlg).u16(128).u16(TPM_ALG.CFB);
      else w.u16(TPM_ALG.NULL);
      w.u16(suite.algorithms.tpm.hashAlg);
    }),
    responseHandles: 1,
  });
  const r = new TpmReader(res.params, 'TPM2_StartAuthSession response');
  const nonceTPM = r.tpm2b('nonceTPM', 64);
  r.end();
  const sessionKey = deriveSessionKey(new Uint8Array(0), salt?.salt ?? new Uint8Array(0), nonceTPM, nonceCaller, suite);
  const session = new TpmAuthSession(opts.kind, res.handles[0] as number, sessionKey, nonceTPM, nonceCaller, cfb, salt !== null);
  return salt ? { session, nonceCaller, nonceTPM, ephemeral: salt.ephemeral } : { session, nonceCaller, nonceTPM };
}

export interface PolicySignedOptions {
  /** Bind the authorization to the session's current nonceTPM (default true; Part 3 §23.3.1). */
  readonly includeNonceTPM?: boolean;
  readonly expiration?: number;
  readonly cpHashA?: Uint8Array;
  readonly policyRef?: Uint8Array;
}

/** TPMT_TK_AUTH (Part 2 §10.7.5) and timeout from PolicySigned (empty unless expiration < 0). */
export interface PolicySignedResult {
  readonly timeout: Uint8Array;
  readonly ticket: { readonly tag: number; readonly hierarchy: number; readonly digest: Uint8Array };
}

/**
 * TPM2_PolicySigned (Part 3 §23.3): `signature` is r||s over policySignedMessage(nonceTPM,
 * expiration, cpHashA, policyRef) by the key loaded as `authObject`.
 */
export async function policySigned(
  x: TpmCommandExecutor,
  session: TpmAuthSession,
  authObject: { readonly handle: number; readonly name: Uint8Array },
  signature: Uint8Array,
  opts: PolicySignedOptions = {},
): Promise<PolicySignedResult> {
  const nonce = opts.includeNonceTPM === false ? new Uint8Array(0) : session.nonceTPM;
  const res = await x.run({
    code: TPM_CC.PolicySigned,
    handles: [authObject, handleEntity(session.handle)],
    params: marshal((w) => {
      w.tpm2b(nonce).tpm2b(opts.cpHashA ?? new Uint8Array(0)).tpm2b(opts.policyRef ?? new Uint8Array(0)).i32(opts.expiration ?? 0);
      // TPMT_SIGNATURE of the suite's scheme: ECDSA-SHA256 or SM2-SM3_256 (TPMS_SIGNATURE_SM2 is TPMS_SIGNATURE_ECC)
      writeEcdsaSignature(w, signature, x.suite.algorithms.tpm.hashAlg, x.suite.algorithms.tpm.signScheme);
    }),
  });
  const r = new TpmReader(res.params, 'TPM2_PolicySigned response');
  const timeout = r.tpm2b('timeout', 8);
  const ticket = { tag: r.u16('policyTicket.tag'), hierarchy: r.u32('policyTicket.hierarchy'), digest: r.tpm2b('policyTicket.digest', 64) };
  r.end();
  return { timeout, ticket };
}

/** TPM2_PolicyPCR (Part 3 §23.7); an empty pcrDigest makes the TPM use the current PCR values. */
export async function policyPCR(x: TpmCommandExecutor, session: TpmAuthSession, pcrs: PcrSelection, pcrDigest: Uint8Array = new Uint8Array(0)): Promise<void> {
  await x.run({
    code: TPM_CC.PolicyPCR,
    handles: [handleEntity(session.handle)],
    params: marshal((w) => {
      w.tpm2b(pcrDigest);
      writePcrSelection(w, pcrs);
    }),
  });
}

/** TPM2_PolicyGetDigest (Part 3 §23.19). */
export async function policyGetDigest(x: TpmCommandExecutor, session: TpmAuthSession): Promise<Uint8Array> {
  const res = await x.run({ code: TPM_CC.PolicyGetDigest, handles: [handleEntity(session.handle)] });
  const r = new TpmReader(res.params, 'TPM2_PolicyGetDigest response');
  const digest = r.tpm2b('policyDigest', 64);
  r.end();
  return digest;
}

/** TPM2_PolicyRestart (Part 3 §23.20): reset the policy digest, keep the session. */
export async function policyRestart(x: TpmCommandExecutor, session: TpmAuthSession): Promise<void> {
  await x.run({ code: TPM_CC.PolicyRestart, handles: [handleEntity(session.handle)] });
}
