/**
 * The high-level TPM 2.0 client a protocol runtime drives (protocols 1–3 of the design): keys,
 * the ECC-salted policy session of the key exchange (protocol 2), PolicySigned/PolicyPCR
 * authorization, Unseal with an encrypted, HMAC-checked response (protocol 3), and Certify/Quote
 * (protocol 1). Every method returns typed values; TPM failures are TpmError, response-auth
 * failures TpmResponseAuthError, transport failures TpmTransportError.
 *
 * The client speaks one algorithm set, its suite's: the tpm2 suite by default (P-256, SHA-256,
 * AES-CFB, ECDSA), or the tcm suite for a TCM 2.0 (SM2 curve, SM3_256, SM4-CFB, SM2 signatures)
 * — the TZTCM engine in TCM mode. Templates, Names, sessions and policies follow it.
 *
 * Without a resource manager swtpm holds 3 loaded objects and 3 sessions: callers flush what
 * they load (`flush`) and sessions end when a command is sent with continueSession = false.
 * @module
 */
import { tpm2P256, type CryptoSuite, type RandomSource } from '../crypto/index.ts';
import type { AttestationResult } from './commands-attest.ts';
import { certify, quote } from './commands-attest.ts';
import * as objects from './commands-object.ts';
import type { CreatedObject, LoadedObject } from './commands-object.ts';
import { pcrExtend, pcrRead, pcrReset, startup, type PcrReadResult } from './commands-pcr.ts';
import { getRandom, type RandomResult } from './commands-random.ts';
import { verifySignature, type VerifiedTicket } from './commands-signature.ts';
import * as policy from './commands-session.ts';
import type { PolicySignedOptions, PolicySignedResult } from './commands-session.ts';
import { TpmCommandExecutor } from './command-executor.ts';
import type { TpmAuthSession } from './auth-session.ts';
import type { PcrSelection } from './pcr-selection.ts';
import { emptyPolicy, policyPcrDigest, policySignedDigest, policySignedMessage } from './policy-digest.ts';
import {
  eccPoint,
  externalVerifyKeyPublic,
  objectName,
  sealedDataTemplate,
  signingKeyTemplate,
  storageKeyTemplate,
  type TpmPublic,
} from './public-area.ts';
import type { TpmTransport } from './transport.ts';
import { TPM_ALG } from './spec-constants.ts';
import { sm2MessageDigest } from '../crypto/sm2-digest.ts';

/** A salted session as protocol 2 sees it: the values both sides hold. */
export interface SaltedSession {
  readonly session: TpmAuthSession;
  /** nC of StartAuthSession. */
  readonly nonceCaller: Uint8Array;
  /** nT returned by StartAuthSession (the session's nonceTPM then rolls with every command). */
  readonly nonceTPM: Uint8Array;
  /** 'g'^e: the ephemeral public key sent as encryptedSalt. */
  readonly ephemeral: Uint8Array;
  /** sKey = KDFa(KDFe(Z.x, 'SECRET', e.x, Q.x), 'ATH', nT, nC); the TPM accepted HMACs under it. */
  readonly sessionKey: Uint8Array;
}

/** Protocol 3's result: the secret, and what was checked on the way. */
export interface UnsealResult {
  readonly data: Uint8Array;
  /** True when the TPM's response HMAC under the session key verified (always, or it throws). */
  readonly responseHmacVerified: boolean;
  /** True when outData crossed the wire AES-128-CFB encrypted under the session. */
  readonly encryptedResponse: boolean;
  readonly nonceCaller: Uint8Array;
  readonly nonceTPM: Uint8Array;
}

/** The policy a sealed secret is released under: PolicySigned(authKey, policyRef) then PolicyPCR. */
export interface SealingPolicy {
  /** Uncompressed P-256 point of the key that must sign (the TEE's key). */
  readonly authKeyPoint: Uint8Array;
  readonly policyRef?: Uint8Array;
  readonly pcrs: PcrSelection;
  /** Expected PCR values in selection order; read from the TPM when absent. */
  readonly pcrValues?: readonly Uint8Array[];
}

export class TpmSessionClient {
  readonly executor: TpmCommandExecutor;

  constructor(
    readonly transport: TpmTransport,
    random?: RandomSource,
    /** the algorithms the client asks the TPM for (tpm2 by default; tcm for a TCM 2.0) */
    readonly suite: CryptoSuite = tpm2P256,
  ) {
    this.executor = new TpmCommandExecutor(transport, random, suite);
  }

  /** TPM2_Startup(CLEAR); false if the TPM was already started. */
  startup(): Promise<boolean> {
    return startup(this.executor);
  }

  /** ECC P-256 storage primary under the owner hierarchy: parent of sealed objects, and a salt key (Q). */
  createStorageKey(): Promise<LoadedObject> {
    return objects.createPrimary(this.executor, storageKeyTemplate(this.suite));
  }

  /** ECC P-256 restricted signing primary (ECDSA-SHA256): the attestation key for Certify/Quote. */
  createAttestationKey(): Promise<LoadedObject> {
    return objects.createPrimary(this.executor, signingKeyTemplate(this.suite));
  }

  readPublic(handle: number): Promise<LoadedObject & { qualifiedName: Uint8Array }> {
    return objects.readPublic(this.executor, handle);
  }

  /** Load a P-256 public key (e.g. the TEE's pk(~skT)) so PolicySigned can check its signature. */
  loadExternalVerifyKey(point: Uint8Array): Promise<LoadedObject> {
    return objects.loadExternal(this.executor, externalVerifyKeyPublic(point, this.suite));
  }

  load(parent: LoadedObject, created: CreatedObject, authValue?: Uint8Array): Promise<LoadedObject> {
    return objects.load(this.executor, parent, created, authValue);
  }

  /** TPM2_FlushContext of an object or session (sessions are marked closed). */
  async flush(target: number | { readonly handle: number; open?: boolean }): Promise<void> {
    const handle = typeof target === 'number' ? target : target.handle;
    await objects.flushContext(this.executor, handle);
    if (typeof target !== 'number' && 'open' in target) target.open = false;
  }

  /** The authPolicy of a sealed object (computed offline, TPM 2.0 Part 3 §23.3 and §23.7). */
  static sealingPolicyDigest(p: SealingPolicy & { pcrValues: readonly Uint8Array[] }, suite: CryptoSuite = tpm2P256): Uint8Array {
    const authName = objectName(externalVerifyKeyPublic(p.authKeyPoint, suite));
    return policyPcrDigest(policySignedDigest(emptyPolicy(), authName, p.policyRef, suite), p.pcrs, p.pcrValues, suite);
  }

  /**
   * Seal `secret` under `parent` so that only a PolicySigned by `authKeyPoint` plus the PCR
   * values unseals it (noDA, no userWithAuth: no password path). With `session` (an open
   * salted HMAC session) the parent is authorized by it and `secret` travels AES-CFB encrypted
   * (the decrypt attribute, TPM 2.0 Part 1 §21); without it the parent's empty password is used
   * and `secret` crosses the wire in clear.
   */
  async sealUnderPolicy(
    parent: LoadedObject,
    secret: Uint8Array,
    p: SealingPolicy,
    session?: TpmAuthSession,
  ): Promise<{ sealed: CreatedObject; authPolicy: Uint8Array }> {
    const pcrValues = p.pcrValues ?? (await pcrRead(this.executor, p.pcrs)).values;
    const authPolicy = TpmSessionClient.sealingPolicyDigest({ ...p, pcrValues }, this.suite);
    const use = session ? { auth: session, decrypt: true } : undefined;
    const sealed = await objects.create(this.executor, parent, sealedDataTemplate(authPolicy, { suite: this.suite }), { data: secret }, use);
    return { sealed, authPolicy };
  }

  /** Seal `secret` with a userAuth (HMAC/password path), e.g. for session-key interop tests. */
  sealWithAuth(parent: LoadedObject, secret: Uint8Array, userAuth: Uint8Array): Promise<CreatedObject> {
    return objects.create(this.executor, parent, sealedDataTemplate(new Uint8Array(0), { userWithAuth: true, suite: this.suite }), { data: secret, userAuth });
  }

  /**
   * Protocol 2 step 1–2: StartAuthSession salted with the loaded ECC decrypt key `tpmKey` (Q).
   * The TEE computes the salt from Q's public point; the TPM recovers it with q.
   */
  async startSaltedSession(tpmKey: { readonly handle: number; readonly public: TpmPublic }, kind: 'policy' | 'hmac' = 'policy'): Promise<SaltedSession> {
    const s = await policy.startAuthSession(this.executor, { kind, tpmKey });
    return { session: s.session, nonceCaller: s.nonceCaller, nonceTPM: s.nonceTPM, ephemeral: s.ephemeral as Uint8Array, sessionKey: s.session.sessionKey };
  }

  /**
   * Session confirmation (the design's ConfirmSession): one command in `session` whose response
   * HMAC under our session key must verify — TPM2_GetRandom with the encrypt attribute. Only the
   * TPM that decrypted our salt can answer, so a nonceTPM taken after this is the genuine
   * session's. Throws TpmResponseAuthError (or the TPM refuses our HMAC) otherwise. In a policy
   * session this resets the policy (the nonce rolls), so call it before PolicySigned.
   */
  confirmSession(session: TpmAuthSession): Promise<RandomResult> {
    return getRandom(this.executor, 16, session);
  }

  /** TPM2_GetRandom without a session. */
  getRandom(count: number): Promise<RandomResult> {
    return getRandom(this.executor, count);
  }

  /** An unsalted trial session, to ask the TPM for a policy digest (PolicyGetDigest). */
  async startTrialSession(): Promise<TpmAuthSession> {
    return (await policy.startAuthSession(this.executor, { kind: 'trial', cfb: false })).session;
  }

  /** The bytes the authorizing key signs for PolicySigned in `session` now (its current nonceTPM). */
  policySignedMessage(session: TpmAuthSession, opts: PolicySignedOptions = {}): Uint8Array {
    const nonce = opts.includeNonceTPM === false ? new Uint8Array(0) : session.nonceTPM;
    return policySignedMessage(nonce, opts.expiration ?? 0, opts.cpHashA, opts.policyRef);
  }

  /** Protocol 2 step 3: TPM2_PolicySigned with `signature` (r||s) by the key loaded as `authKey`. */
  policySigned(session: TpmAuthSession, authKey: LoadedObject, signature: Uint8Array, opts: PolicySignedOptions = {}): Promise<PolicySignedResult> {
    return policy.policySigned(this.executor, session, authKey, signature, opts);
  }

  /** Convenience for tests and the TEE role: sign the PolicySigned message with `sk` and send it. */
  policySignedWithKey(session: TpmAuthSession, authKey: LoadedObject, sk: Uint8Array, opts: PolicySignedOptions = {}): Promise<PolicySignedResult> {
    return this.policySigned(session, authKey, this.suite.sign(sk, this.policySignedMessage(session, opts)), opts);
  }

  policyPCR(session: TpmAuthSession, pcrs: PcrSelection, pcrDigest?: Uint8Array): Promise<void> {
    return policy.policyPCR(this.executor, session, pcrs, pcrDigest);
  }

  policyDigest(session: TpmAuthSession): Promise<Uint8Array> {
    return policy.policyGetDigest(this.executor, session);
  }

  policyRestart(session: TpmAuthSession): Promise<void> {
    return policy.policyRestart(this.executor, session);
  }

  /**
   * Protocol 3: TPM2_Unseal in `session` with the encrypt attribute (unless `encrypt: false`):
   * the response HMAC is verified under the session key before outData is decrypted.
   */
  async unseal(sealed: LoadedObject, session: TpmAuthSession, opts: { encrypt?: boolean; continueSession?: boolean } = {}): Promise<UnsealResult> {
    const encrypt = opts.encrypt ?? true;
    const u = await objects.unseal(this.executor, sealed, { auth: session, encrypt, continueSession: opts.continueSession ?? true });
    return { data: u.data, responseHmacVerified: u.verifiedSessions === 1, encryptedResponse: encrypt, nonceCaller: u.nonceCaller, nonceTPM: u.nonceTPM };
  }

  /** TPM2_VerifySignature (Part 3 §20.1) of `rs` over the SHA-256 `digest` with the loaded `key`. */
  verifySignature(key: LoadedObject, digest: Uint8Array, rs: Uint8Array): Promise<VerifiedTicket> {
    return verifySignature(this.executor, key, digest, rs);
  }

  /**
   * The TPM verifies a signature (r || s) of the client's suite over `message` by the key `point`:
   * TPM2_LoadExternal of the public key (NULL hierarchy), TPM2_VerifySignature over the digest the
   * suite's signature signs — SHA-256(message) for ECDSA, SM2's e = SM3(Z_A ‖ message) (GB/T
   * 32918.2 §6.1, the TPM verifies the digest it is given) — then TPM2_FlushContext. A signature that does not verify is a TpmError
   * TPM_RC_SIGNATURE; an invalid point is a RangeError before anything is sent.
   */
  async verifyWithExternalKey(point: Uint8Array, message: Uint8Array, rs: Uint8Array): Promise<VerifiedTicket> {
    const key = await this.loadExternalVerifyKey(point);
    try {
      const digest = this.suite.algorithms.tpm.signScheme === TPM_ALG.SM2 ? sm2MessageDigest(message, point) : this.suite.hash(message);
      return await verifySignature(this.executor, key, digest, rs);
    } finally {
      await this.flush(key.handle);
    }
  }

  /** Protocol 1 step 5: TPM2_Certify(object, signKey, qualifyingData = nonce). */
  certify(object: LoadedObject, signKey: LoadedObject, nonce: Uint8Array): Promise<AttestationResult> {
    return certify(this.executor, object, signKey, nonce);
  }

  /** Protocol 1 step 5: TPM2_Quote(signKey, qualifyingData = nonce, pcrs). */
  quote(signKey: LoadedObject, nonce: Uint8Array, pcrs: PcrSelection): Promise<AttestationResult> {
    return quote(this.executor, signKey, nonce, pcrs);
  }

  pcrExtend(pcr: number, digest: Uint8Array): Promise<void> {
    return pcrExtend(this.executor, pcr, digest);
  }

  pcrReset(pcr: number): Promise<void> {
    return pcrReset(this.executor, pcr);
  }

  pcrRead(pcrs: PcrSelection): Promise<PcrReadResult> {
    return pcrRead(this.executor, pcrs);
  }

  /** The uncompressed P-256 point of a loaded ECC key (Q, or the AK for verifying attestations). */
  static publicPoint(obj: { readonly public: TpmPublic }): Uint8Array {
    return eccPoint(obj.public);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
