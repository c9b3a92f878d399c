/**
 * The shape of one entry of the engine's dispatcher table: what a command's handle area holds
 * (TPM 2.0 Part 3's "Handle" column with its TPMI_ type), which handles need an authorization
 * and in which role (Part 3 "Auth Index"/"Auth Role", Part 1 §19.2), how many handles the
 * response carries, whether the first command / response parameter is a TPM2B (only then may a
 * session encrypt it, Part 1 §21.1), and the handler.
 * @module
 */
import type { EngineContext } from './engine-context.ts';

/**
 * What a handle may be (Part 2 §9 interface types): 'object' TPMI_DH_OBJECT (transient or
 * persistent), 'pcr' TPMI_DH_PCR, 'hierarchy' one of `allowed` permanent handles, 'session'
 * TPMI_SH_POLICY, 'anySession' TPMI_SH_AUTH_SESSION (HMAC or policy), 'nv' TPMI_RH_NV_INDEX,
 * 'entity' TPMI_DH_ENTITY (anything authorizable), 'context' TPMI_DH_SAVED / TPMI_DH_CONTEXT (a
 * transient object or a session).
 */
export interface HandleSpec {
  readonly kind: 'object' | 'pcr' | 'hierarchy' | 'session' | 'anySession' | 'nv' | 'entity' | 'nvOrHierarchy' | 'context';
  /** permanent handles this position accepts ('hierarchy', 'nvOrHierarchy', 'object' with NULL) */
  readonly allowed?: readonly number[];
  /** the handle need not refer to anything loaded (e.g. StartAuthSession's tpmKey = TPM_RH_NULL) */
  readonly nullOk?: boolean;
}

/** Part 1 §19.2: USER, ADMIN and DUP roles. */
export type AuthRole = 'user' | 'admin';

export interface CommandInput {
  readonly code: number;
  readonly handles: readonly number[];
  /** the parameter area, decrypted if a session had the decrypt attribute */
  readonly params: Uint8Array;
  /** the handle of each authorization session in the area (TPM_RS_PW for a password) */
  readonly sessionHandles: readonly number[];
}

export interface CommandOutput {
  readonly handles?: readonly number[];
  /** plaintext response parameters (the engine encrypts the first if asked) */
  readonly params?: Uint8Array;
}

export interface CommandDef {
  readonly code: number;
  readonly name: string;
  readonly handles: readonly HandleSpec[];
  /** roles of the first `auth.length` handles, which need an authorization */
  readonly auth: readonly AuthRole[];
  readonly responseHandles: number;
  /** first command parameter is a TPM2B */
  readonly decrypt: boolean;
  /** first response parameter is a TPM2B */
  readonly encrypt: boolean;
  run(tpm: EngineContext, input: CommandInput): CommandOutput;
}

export const OBJECT: HandleSpec = { kind: 'object' };
export const PCR: HandleSpec = { kind: 'pcr' };
export const POLICY_SESSION: HandleSpec = { kind: 'session' };
