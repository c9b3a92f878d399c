/**
 * The Microsoft TPM 2.0 simulator's TCP protocol, as tpm2-tss's `mssim` TCTI speaks it
 * (tpm2-tss src/tss2-tcti/tcti-mssim.c, include/tss2/tss2_tcti_mssim.h; the simulator's
 * TpmTcpProtocol.h): big-endian u32 codes. On the command port, TPM_SEND_COMMAND is followed by
 * a u8 locality, a u32 size and the command; the answer is a u32 size, the response and a u32
 * 0. TPM_SESSION_END ends the connection without an answer. On the platform port each signal is
 * answered with a u32 (0: done).
 * @module
 */

export const MSSIM = {
  SIGNAL_POWER_ON: 1,
  SIGNAL_POWER_OFF: 2,
  SIGNAL_PHYS_PRES_ON: 3,
  SIGNAL_PHYS_PRES_OFF: 4,
  SIGNAL_HASH_START: 5,
  SIGNAL_HASH_DATA: 6,
  SIGNAL_HASH_END: 7,
  SEND_COMMAND: 8,
  SIGNAL_CANCEL_ON: 9,
  SIGNAL_CANCEL_OFF: 10,
  SIGNAL_NV_ON: 11,
  SIGNAL_NV_OFF: 12,
  SIGNAL_KEY_CACHE_ON: 13,
  SIGNAL_KEY_CACHE_OFF: 14,
  REMOTE_HANDSHAKE: 15,
  SIGNAL_RESET: 17,
  SIGNAL_RESTART: 18,
  SESSION_END: 20,
  STOP: 21,
} as const;

/** The protocol version this server answers a REMOTE_HANDSHAKE with (the simulator's 1). */
export const MSSIM_SERVER_VERSION = 1;

/** TPM 2.0 Part 2 §6.6 response codes the server itself may answer with. */
export const RC = {
  FAILURE: 0x101,
  COMMAND_SIZE: 0x142,
} as const;

/** The largest command the server accepts (TPM 2.0 Part 2 MAX_COMMAND_SIZE as common TPMs and
 * the reference implementation set it: 4096). A larger size field is answered TPM_RC_COMMAND_SIZE
 * without reading the body, and the connection closed (its stream cannot be resynchronised). */
export const MAX_COMMAND_SIZE = 4096;

/** A bare error response: TPM_ST_NO_SESSIONS, size 10, the code (TPM 2.0 Part 1 §18.5). */
export function errorResponse(rc: number): Uint8Array {
  const b = new Uint8Array(10);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, 0x8001);
  dv.setUint32(2, 10);
  dv.setUint32(6, rc);
  return b;
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}
