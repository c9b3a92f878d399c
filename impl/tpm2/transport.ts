/**
 * The TCTI-like seam between command marshalling and the device (after TCG TSS 2.0 TCTI: a
 * transmit/receive pair per command frame). The TCP transport to swtpm implements it today; a
 * character-device transport for a kernel resource manager (/dev/tpmrm0: write one command,
 * read one response) can implement the same two methods.
 * @module
 */

/** One command frame in, one response frame out; no interleaving (a TPM runs one at a time). */
export interface TpmTransport {
  /** Send a complete command frame (TPM 2.0 Part 1 §18.3) and return the complete response frame. */
  send(command: Uint8Array): Promise<Uint8Array>;
  /** Release the connection; pending and later `send`s fail with a 'closed' error. */
  close(): Promise<void>;
}

/** Why a transport could not deliver a response. */
export type TpmTransportErrorKind =
  /** could not connect */
  | 'connect'
  /** the peer closed the connection (or it was closed locally) before a response began */
  | 'closed'
  /** the connection ended in the middle of a response */
  | 'short-read'
  /** no complete response within the deadline */
  | 'timeout'
  /** the response header is impossible (size < 10 or larger than the limit) */
  | 'malformed';

export class TpmTransportError extends Error {
  constructor(
    readonly kind: TpmTransportErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'TpmTransportError';
  }
}

/** TPM 2.0 Part 1 §18.3: a response begins tag (UINT16) || responseSize (UINT32) || responseCode. */
export const RESPONSE_HEADER_SIZE = 10;

/** Largest response accepted: MAX_RESPONSE_SIZE of the reference implementation is 4096. */
export const MAX_RESPONSE_SIZE = 4096;

/** The big-endian responseSize at bytes 2..5 of a response header. */
export function responseSizeOf(header: Uint8Array): number {
  return new DataView(header.buffer, header.byteOffset + 2, 4).getUint32(0, false);
}
