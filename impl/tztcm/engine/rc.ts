/**
 * The response codes the engine answers with (TPM 2.0 Part 2 §6.6.3, Table 16) and how a
 * format-one code names the handle, session or parameter it is about (Part 2 §6.6.2: TPM_RC_H
 * 0x000, TPM_RC_P 0x040, TPM_RC_S 0x800, plus the 1-based number in bits 8..11). Decoding lives
 * in impl/tpm2/response-codes.ts; these are the same numbers from the TPM's side.
 * @module
 */

export const RC = Object.freeze({
  SUCCESS: 0x000,
  /** TPM 1.2-style tag error (Part 2 §6.6.3: TPM_RC_BAD_TAG = 0x01E). */
  BAD_TAG: 0x01e,
  // format zero (TPM_RC_VER1 = 0x100)
  INITIALIZE: 0x100,
  FAILURE: 0x101,
  SEQUENCE: 0x103,
  PRIVATE: 0x10b,
  HMAC: 0x119,
  DISABLED: 0x120,
  AUTH_TYPE: 0x124,
  AUTH_MISSING: 0x125,
  POLICY: 0x126,
  PCR: 0x127,
  PCR_CHANGED: 0x128,
  UPGRADE: 0x12d,
  TOO_MANY_CONTEXTS: 0x12e,
  AUTH_UNAVAILABLE: 0x12f,
  REBOOT: 0x130,
  COMMAND_SIZE: 0x142,
  COMMAND_CODE: 0x143,
  AUTHSIZE: 0x144,
  AUTH_CONTEXT: 0x145,
  NV_RANGE: 0x146,
  NV_SIZE: 0x147,
  NV_LOCKED: 0x148,
  NV_AUTHORIZATION: 0x149,
  NV_UNINITIALIZED: 0x14a,
  NV_SPACE: 0x14b,
  NV_DEFINED: 0x14c,
  BAD_CONTEXT: 0x150,
  CPHASH: 0x151,
  PARENT: 0x152,
  // format one (TPM_RC_FMT1 = 0x080)
  ASYMMETRIC: 0x081,
  ATTRIBUTES: 0x082,
  HASH: 0x083,
  VALUE: 0x084,
  HIERARCHY: 0x085,
  KEY_SIZE: 0x087,
  MODE: 0x089,
  TYPE: 0x08a,
  HANDLE: 0x08b,
  KDF: 0x08c,
  RANGE: 0x08d,
  AUTH_FAIL: 0x08e,
  NONCE: 0x08f,
  SCHEME: 0x092,
  SIZE: 0x095,
  SYMMETRIC: 0x096,
  TAG: 0x097,
  SELECTOR: 0x098,
  INSUFFICIENT: 0x09a,
  SIGNATURE: 0x09b,
  KEY: 0x09c,
  POLICY_FAIL: 0x09d,
  INTEGRITY: 0x09f,
  TICKET: 0x0a0,
  RESERVED_BITS: 0x0a1,
  BAD_AUTH: 0x0a2,
  EXPIRED: 0x0a3,
  POLICY_CC: 0x0a4,
  BINDING: 0x0a5,
  CURVE: 0x0a6,
  ECC_POINT: 0x0a7,
  // warnings (TPM_RC_WARN = 0x900)
  CONTEXT_GAP: 0x901,
  OBJECT_MEMORY: 0x902,
  SESSION_MEMORY: 0x903,
  MEMORY: 0x904,
  SESSION_HANDLES: 0x905,
  OBJECT_HANDLES: 0x906,
  REFERENCE_H0: 0x910,
  REFERENCE_S0: 0x918,
  NV_RATE: 0x920,
  LOCKOUT: 0x921,
  RETRY: 0x922,
  NV_UNAVAILABLE: 0x923,
});

/** Part 2 §6.6.2: the code about handle n (1-based). */
export const rcHandle = (rc: number, n: number): number => rc | ((n & 7) << 8);
/** Part 2 §6.6.2: the code about parameter n (1-based, up to 15). */
export const rcParam = (rc: number, n: number): number => rc | 0x040 | ((n & 0xf) << 8);
/** Part 2 §6.6.2: the code about session n (1-based). */
export const rcSession = (rc: number, n: number): number => rc | 0x800 | ((n & 7) << 8);

/**
 * A command handler's refusal: the response code to answer with. Handlers throw it; the engine
 * turns it into a 10-byte error response (Part 1 §18.4: an error response has no handles,
 * parameters or sessions) and the command changes nothing.
 */
export class TpmRc extends Error {
  constructor(
    readonly rc: number,
    why = '',
  ) {
    super(`TPM_RC 0x${rc.toString(16).padStart(3, '0')}${why ? `: ${why}` : ''}`);
    this.name = 'TpmRc';
  }
}

/** Throw `rc` unless `cond` holds. */
export function need(cond: unknown, rc: number, why = ''): asserts cond {
  if (!cond) throw new TpmRc(rc, why);
}
