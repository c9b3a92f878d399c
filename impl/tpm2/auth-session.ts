/**
 * Client-side state of TPM 2.0 authorization sessions (TPM 2.0 Part 1 §19): the password
 * pseudo-session TPM_RS_PW (§19.8.4) and HMAC / policy sessions started with
 * TPM2_StartAuthSession, which carry the session key and the TPM's latest nonce so that the next
 * command's HMAC can use it (rolling nonces, §19.6.2).
 * @module
 */
import { TPM_RH } from './spec-constants.ts';

/** TPM_RS_PW: the authValue travels in clear in the HMAC field (Part 1 §19.8.4). */
export interface PasswordAuthorization {
  readonly kind: 'password';
  readonly handle: typeof TPM_RH.RS_PW;
}

export const PASSWORD: PasswordAuthorization = Object.freeze({ kind: 'password', handle: TPM_RH.RS_PW });

export type SessionKind = 'hmac' | 'policy' | 'trial';

/** An HMAC, policy or trial session the TPM holds under `handle`. */
export class TpmAuthSession {
  /** The TPM's most recent nonce (nonceOlder for the next command). */
  nonceTPM: Uint8Array;
  /** False once the TPM has flushed it (a command sent without continueSession, or FlushContext). */
  open = true;
  /**
   * Part 1 §19.7.1 isAuthValueNeeded: set by TPM2_PolicyAuthValue, which this backend does not
   * send, so a policy session's HMAC key is the session key alone.
   */
  authValueNeeded = false;

  constructor(
    readonly kind: SessionKind,
    readonly handle: number,
    /** KDFa(salt, "ATH", …); empty for an unsalted, unbound session. */
    readonly sessionKey: Uint8Array,
    nonceTPM: Uint8Array,
    /** The nonceCaller sent in StartAuthSession. */
    readonly initialNonceCaller: Uint8Array,
    /** True when the session's symmetric algorithm is AES-128-CFB (parameter encryption allowed). */
    readonly cfb: boolean,
    /** True when the session key came from a salt. */
    readonly salted: boolean,
  ) {
    this.nonceTPM = nonceTPM;
  }
}

export type Authorization = PasswordAuthorization | TpmAuthSession;
