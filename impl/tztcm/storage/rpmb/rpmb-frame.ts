/**
 * The RPMB data frame of the eMMC standard (JEDEC JESD84-B51 §6.6.22, Table 18 "Data frame
 * files for RPMB"): 512 bytes, multi-byte fields big-endian.
 *
 *   offset  size  field
 *        0   196  stuff bytes
 *      196    32  key (program key request) / MAC (HMAC-SHA256)
 *      228   256  data
 *      484    16  nonce
 *      500     4  write counter
 *      504     2  address (in 256-byte half sectors)
 *      506     2  block count
 *      508     2  result
 *      510     2  request / response type
 *
 * Cross-checked against the layouts of Linux mmc-utils (mmc_cmds.c, `struct rpmb_frame`: stuff[196],
 * key_mac[32], data[256], nonce[16], write_counter, addr, block_count, result, req_resp) and of
 * OP-TEE (core/tee/tee_rpmb_fs.c, `struct rpmb_data_frame`: stuff_bytes[RPMB_STUFF_DATA_SIZE =
 * 196], key_mac[32], data[256], nonce[16], write_counter[4], address[2], block_count[2],
 * op_result[2], msg_type[2]). The MAC covers bytes 228…511 of each frame — 284 bytes — and for
 * a multi-frame message the concatenation of every frame's 284 bytes, the MAC carried in the last
 * frame (JESD84-B51 §6.6.22.2; mmc-utils `rpmb_calc_hmac` and OP-TEE `tee_rpmb_mac_calc` do the
 * same).
 * @module
 */

export const FRAME_SIZE = 512;
export const OFF = { stuff: 0, keyMac: 196, data: 228, nonce: 484, writeCounter: 500, address: 504, blockCount: 506, result: 508, reqResp: 510 } as const;
export const MAC_INPUT_OFFSET = OFF.data;
export const MAC_INPUT_SIZE = FRAME_SIZE - MAC_INPUT_OFFSET; // 284
export const DATA_SIZE = 256;

/** Request types (JESD84-B51 Table 19) */
export const REQ = { programKey: 0x0001, readCounter: 0x0002, authWrite: 0x0003, authRead: 0x0004, resultRead: 0x0005 } as const;
/** Response types: the request type shifted into the high byte */
export const RESP = { programKey: 0x0100, readCounter: 0x0200, authWrite: 0x0300, authRead: 0x0400 } as const;

/** Operation results (JESD84-B51 Table 20); bit 7 flags an expired write counter. */
export const RESULT = {
  ok: 0x0000,
  generalFailure: 0x0001,
  authFailure: 0x0002,
  counterFailure: 0x0003,
  addressFailure: 0x0004,
  writeFailure: 0x0005,
  readFailure: 0x0006,
  keyNotProgrammed: 0x0007,
} as const;
export const RESULT_COUNTER_EXPIRED = 0x0080;

export function resultName(r: number): string {
  const base = r & 0x7f;
  const name = Object.entries(RESULT).find(([, v]) => v === base)?.[0] ?? `unknown 0x${base.toString(16)}`;
  return r & RESULT_COUNTER_EXPIRED ? `${name} (write counter expired)` : name;
}

export interface RpmbFrame {
  keyMac: Uint8Array;
  data: Uint8Array;
  nonce: Uint8Array;
  writeCounter: number;
  address: number;
  blockCount: number;
  result: number;
  reqResp: number;
}

export function emptyFrame(reqResp: number): RpmbFrame {
  return { keyMac: new Uint8Array(32), data: new Uint8Array(DATA_SIZE), nonce: new Uint8Array(16), writeCounter: 0, address: 0, blockCount: 0, result: 0, reqResp };
}

function put(out: Uint8Array, off: number, b: Uint8Array, size: number, what: string): void {
  if (b.length !== size) throw new RangeError(`RPMB frame: ${what} must be ${size} bytes, got ${b.length}`);
  out.set(b, off);
}

export function encodeFrame(f: RpmbFrame): Uint8Array {
  const out = new Uint8Array(FRAME_SIZE);
  const dv = new DataView(out.buffer);
  put(out, OFF.keyMac, f.keyMac, 32, 'key/MAC');
  put(out, OFF.data, f.data, DATA_SIZE, 'data');
  put(out, OFF.nonce, f.nonce, 16, 'nonce');
  dv.setUint32(OFF.writeCounter, f.writeCounter >>> 0, false);
  dv.setUint16(OFF.address, f.address, false);
  dv.setUint16(OFF.blockCount, f.blockCount, false);
  dv.setUint16(OFF.result, f.result, false);
  dv.setUint16(OFF.reqResp, f.reqResp, false);
  return out;
}

export function decodeFrame(b: Uint8Array): RpmbFrame {
  if (b.length !== FRAME_SIZE) throw new RangeError(`RPMB frame must be ${FRAME_SIZE} bytes, got ${b.length}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    keyMac: b.slice(OFF.keyMac, OFF.keyMac + 32),
    data: b.slice(OFF.data, OFF.data + DATA_SIZE),
    nonce: b.slice(OFF.nonce, OFF.nonce + 16),
    writeCounter: dv.getUint32(OFF.writeCounter, false),
    address: dv.getUint16(OFF.address, false),
    blockCount: dv.getUint16(OFF.blockCount, false),
    result: dv.getUint16(OFF.result, false),
    reqResp: dv.getUint16(OFF.reqResp, false),
  };
}

/** The MAC input of a message: bytes 228…511 of each frame, concatenated. */
export function macInput(frames: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.length * MAC_INPUT_SIZE);
  frames.forEach((f, i) => out.set(f.subarray(MAC_INPUT_OFFSET, FRAME_SIZE), i * MAC_INPUT_SIZE));
  return out;
}
