/**
 * TEE Client API return codes and return origins (GlobalPlatform TEE Client API Specification
 * v1.0 §4.4.2 "TEEC_Result values", §4.4.3 "Return origin codes"). TEEC_ERROR_TARGET_DEAD
 * (0xFFFF3024, "the trusted application has terminated") is the value the TEE Internal Core API
 * gives TEE_ERROR_TARGET_DEAD and that client libraries (e.g. OP-TEE's tee_client_api.h) return
 * for a TA that died; the s-core uses it when its worker is gone.
 * @module
 */

export const TEEC = {
  SUCCESS: 0x00000000,
  ERROR_GENERIC: 0xffff0000,
  ERROR_ACCESS_DENIED: 0xffff0001,
  ERROR_CANCEL: 0xffff0002,
  ERROR_ACCESS_CONFLICT: 0xffff0003,
  ERROR_EXCESS_DATA: 0xffff0004,
  ERROR_BAD_FORMAT: 0xffff0005,
  ERROR_BAD_PARAMETERS: 0xffff0006,
  ERROR_BAD_STATE: 0xffff0007,
  ERROR_ITEM_NOT_FOUND: 0xffff0008,
  ERROR_NOT_IMPLEMENTED: 0xffff0009,
  ERROR_NOT_SUPPORTED: 0xffff000a,
  ERROR_NO_DATA: 0xffff000b,
  ERROR_OUT_OF_MEMORY: 0xffff000c,
  ERROR_BUSY: 0xffff000d,
  ERROR_COMMUNICATION: 0xffff000e,
  ERROR_SECURITY: 0xffff000f,
  ERROR_SHORT_BUFFER: 0xffff0010,
  ERROR_TARGET_DEAD: 0xffff3024,
} as const;
export type TeecResult = (typeof TEEC)[keyof typeof TEEC];

/** Where a result came from (§4.4.3): the client library, the communication stack, the TEE
 * core, or the trusted application itself. */
export const TEEC_ORIGIN = { API: 1, COMMS: 2, TEE: 3, TRUSTED_APP: 4 } as const;
export type TeecOrigin = (typeof TEEC_ORIGIN)[keyof typeof TEEC_ORIGIN];

const NAMES = new Map<number, string>(Object.entries(TEEC).map(([k, v]) => [v, `TEEC_${k}`]));
const ORIGINS = new Map<number, string>(Object.entries(TEEC_ORIGIN).map(([k, v]) => [v, `TEEC_ORIGIN_${k}`]));

/** The symbolic name of a result code (`TEEC_ERROR_ACCESS_DENIED`), or its hex value. */
export function teecName(code: number): string {
  return NAMES.get(code) ?? `0x${(code >>> 0).toString(16).padStart(8, '0')}`;
}

/** A failed TEE Client API call: the code and origin a C caller would get back, and why. */
export class TeecError extends Error {
  constructor(
    readonly code: number,
    readonly origin: number,
    why: string,
  ) {
    super(`${teecName(code)} (${ORIGINS.get(origin) ?? origin}): ${why}`);
    this.name = 'TeecError';
  }
}
