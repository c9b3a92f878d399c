/**
 * An authorization session the engine holds (TPM 2.0 Part 1 §19.6–§19.7): its kind, the session
 * key (Part 1 §19.6.8), the newest nonceTPM (rolling nonces, §19.6.2), what it is bound to
 * (§19.6.9), and for a policy session the policy state (Part 3 §23: policyDigest and the flags
 * PolicyAuthValue / PolicyPassword / PolicyPCR set).
 * @module
 */

export type SessionType = 'hmac' | 'policy' | 'trial';

export interface EngineSession {
  readonly handle: number;
  readonly type: SessionType;
  /** SHA-256 only */
  readonly authHash: number;
  /** AES-CFB was given as the session's symmetric algorithm */
  readonly cfb: boolean;
  /** its key size: 128 or 256; 1 for XOR obfuscation (Part 1 §21.2); 0 without one */
  readonly symBits: number;
  readonly sessionKey: Uint8Array;
  /** the session was started with a salt (salted sessions may be used for parameter encryption
   * of unbound entities without an authValue, Part 1 §21.1) */
  readonly salted: boolean;
  /** Part 1 §19.6.9: the bind entity's Name and authValue (empty when unbound) */
  readonly bindName: Uint8Array | null;
  readonly bindAuth: Uint8Array;
  nonceTPM: Uint8Array;
  /** the size of nonceCaller given at StartAuthSession: every nonceTPM has this size (Part 3 §11.1) */
  readonly nonceSize: number;
  // policy state (Part 3 §23.1)
  policyDigest: Uint8Array;
  isAuthValueNeeded: boolean;
  isPasswordNeeded: boolean;
  /** the command PolicyCommandCode restricted the session to, else null (Part 3 §23.11) */
  commandCode: number | null;
  /** the pcrUpdateCounter when PolicyPCR was run, else null (Part 3 §23.7) */
  pcrCounter: number | null;
  /** the context sequence it was saved under (TPM2_ContextSave), else null */
  savedSequence: bigint | null;
}
