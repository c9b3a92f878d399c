/**
 * An eMMC RPMB partition, emulated: the device side of JEDEC JESD84-B51 §6.6.22 (Replay Protected
 * Memory Block). It takes request frames (CMD25, "write multiple block") and answers with response
 * frames (CMD18, "read multiple block"), the way mmc-utils' `mmc rpmb …` and OP-TEE's supplicant
 * drive a real device through MMC_IOC_MULTI_CMD:
 *
 *   program key   [0x0001 key]                  then [0x0005] → 0x0100 result
 *   read counter  [0x0002 nonce]                → 0x0200 counter, nonce, MAC
 *   auth. write   [0x0003 data, counter, address, block count, MAC]×N  then [0x0005] → 0x0300
 *                 counter, address, MAC  (checks in the order of §6.6.22.4.3: counter expired,
 *                 address, MAC, counter; counter + 1 on success)
 *   auth. read    [0x0004 nonce, address]       → 0x0400 data, nonce, address, MAC (last frame)
 *
 * The key register is one-time programmable; the write counter never decreases and at 2^32 − 1
 * it has expired (every later write fails, result bit 7 set).
 *
 * Persistence: one image file, written with {@link atomicReplace} after each state change, so a
 * power loss leaves the old key, counter and blocks or the new ones (the eMMC's own guarantee for
 * an authenticated write; §6.6.22.4.3 "reliable write"). The image holds two copies of the state,
 * each with its SHA-256, standing for the device's internal ECC: one rotten copy is reported and
 * the other used; two are a failed device.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { atomicReplace, type StorageFs } from '../fs/storage-fs.ts';
import { DATA_SIZE, decodeFrame, emptyFrame, encodeFrame, macInput, REQ, RESP, RESULT, RESULT_COUNTER_EXPIRED, type RpmbFrame } from './rpmb-frame.ts';

/** The host side of the bus: what the TEE's driver sends and reads (through the REE). */
export interface RpmbTransport {
  write(frames: readonly Uint8Array[]): void;
  read(count: number): Uint8Array[];
}

export class RpmbImageError extends Error {}

const MAGIC = new TextEncoder().encode('RPMBIMG1');
const COUNTER_MAX = 0xffffffff;

interface State {
  key: Uint8Array | undefined;
  counter: number;
  blocks: Uint8Array;
}

function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha256, key, data);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

function serialise(s: State): Uint8Array {
  const body = new Uint8Array(MAGIC.length + 1 + 32 + 4 + 2 + s.blocks.length);
  const dv = new DataView(body.buffer);
  body.set(MAGIC, 0);
  let o = MAGIC.length;
  body[o++] = s.key ? 1 : 0;
  if (s.key) body.set(s.key, o);
  o += 32;
  dv.setUint32(o, s.counter >>> 0, false);
  dv.setUint16(o + 4, s.blocks.length / DATA_SIZE, false);
  body.set(s.blocks, o + 6);
  const copy = new Uint8Array(body.length + 32);
  copy.set(body, 0);
  copy.set(sha256(body), body.length);
  const out = new Uint8Array(copy.length * 2);
  out.set(copy, 0);
  out.set(copy, copy.length);
  return out;
}

function parseCopy(copy: Uint8Array): State | undefined {
  if (copy.length < MAGIC.length + 39 + 32) return undefined;
  const body = copy.subarray(0, copy.length - 32);
  if (!equal(sha256(body), copy.subarray(copy.length - 32)) || !equal(body.subarray(0, MAGIC.length), MAGIC)) return undefined;
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let o = MAGIC.length;
  const programmed = body[o++] === 1;
  const key = programmed ? body.slice(o, o + 32) : undefined;
  o += 32;
  const counter = dv.getUint32(o, false);
  const nblocks = dv.getUint16(o + 4, false);
  const blocks = body.slice(o + 6);
  if (blocks.length !== nblocks * DATA_SIZE) return undefined;
  return { key, counter, blocks };
}

export interface RpmbOptions {
  /** capacity in 256-byte blocks for a new image (default 128 = 32 KiB, RPMB_SIZE_MULT 1 is 128 KiB) */
  readonly blocks?: number;
  /** TEST ONLY: the write counter of a new image (to reach expiry) */
  readonly initialCounter?: number;
}

export class RpmbDevice implements RpmbTransport {
  private state: State;
  /** what the next result read request reports */
  private lastResult: RpmbFrame | undefined;
  /** the frames the next CMD18 returns */
  private pending: Uint8Array[] = [];
  /** problems found when the image was loaded (a rotten copy), for the boot report */
  readonly warnings: string[] = [];

  /** Open the image `name` in `fs`, or create an unprogrammed device if there is none. */
  constructor(
    private readonly fs: StorageFs,
    private readonly name = 'rpmb.img',
    opts: RpmbOptions = {},
  ) {
    const img = fs.read(name);
    if (img === undefined) {
      this.state = { key: undefined, counter: opts.initialCounter ?? 0, blocks: new Uint8Array((opts.blocks ?? 128) * DATA_SIZE) };
      return;
    }
    const half = img.length >> 1;
    const a = img.length % 2 === 0 ? parseCopy(img.subarray(0, half)) : undefined;
    const b = img.length % 2 === 0 ? parseCopy(img.subarray(half)) : undefined;
    if (!a && !b) throw new RpmbImageError(`RPMB image ${name}: both copies corrupted (SHA-256 mismatch) — the device's key, counter and blocks are unreadable`);
    if (!a) this.warnings.push(`RPMB image ${name}: copy A corrupted (SHA-256 mismatch), copy B used`);
    if (!b) this.warnings.push(`RPMB image ${name}: copy B corrupted (SHA-256 mismatch), copy A used`);
    this.state = (a ?? b)!;
  }

  get capacityBlocks(): number {
    return this.state.blocks.length / DATA_SIZE;
  }

  /** commit a new state: persisted first, so a power loss leaves the old one */
  private commit(next: State): void {
    atomicReplace(this.fs, this.name, serialise(next));
    this.state = next;
  }

  private expiredBit(): number {
    return this.state.counter >= COUNTER_MAX ? RESULT_COUNTER_EXPIRED : 0;
  }

  write(frames: readonly Uint8Array[]): void {
    if (frames.length === 0) throw new RangeError('RPMB: an empty request');
    const fr = frames.map(decodeFrame);
    const req = fr[0]!.reqResp;
    switch (req) {
      case REQ.programKey: {
        const r = emptyFrame(RESP.programKey);
        if (this.state.key || frames.length !== 1) r.result = RESULT.generalFailure;
        else this.commit({ ...this.state, key: fr[0]!.keyMac.slice() });
        r.result |= this.expiredBit();
        this.lastResult = r;
        return;
      }
      case REQ.authWrite:
        this.lastResult = this.authWrite(frames, fr);
        return;
      case REQ.readCounter: {
        const r = emptyFrame(RESP.readCounter);
        r.nonce = fr[0]!.nonce;
        if (!this.state.key) r.result = RESULT.keyNotProgrammed;
        else {
          r.writeCounter = this.state.counter;
          r.result = RESULT.ok | this.expiredBit();
        }
        this.pending = [this.sign([r])[0]!];
        return;
      }
      case REQ.authRead:
        this.pending = this.authRead(fr[0]!);
        return;
      case REQ.resultRead: {
        const r = this.lastResult ?? { ...emptyFrame(RESP.authWrite), result: RESULT.generalFailure };
        this.pending = [encodeFrame(r)];
        return;
      }
      default:
        this.lastResult = { ...emptyFrame(0), result: RESULT.generalFailure };
    }
  }

  read(count: number): Uint8Array[] {
    const out = this.pending;
    this.pending = [];
    if (out.length === 0) return Array.from({ length: count }, () => new Uint8Array(512));
    return out.slice(0, count);
  }

  /** MAC the response frames (last frame carries it) when a key is programmed */
  private sign(frames: RpmbFrame[]): Uint8Array[] {
    const enc = frames.map(encodeFrame);
    if (this.state.key) {
      const mac = hmacSha256(this.state.key, macInput(enc));
      enc[enc.length - 1]!.set(mac, 196);
    }
    return enc;
  }

  private authWrite(raw: readonly Uint8Array[], fr: RpmbFrame[]): RpmbFrame {
    const first = fr[0]!;
    const last = fr[fr.length - 1]!;
    const r = emptyFrame(RESP.authWrite);
    r.address = first.address;
    r.writeCounter = this.state.counter;
    const done = (result: number) => {
      r.result = result | this.expiredBit();
      r.writeCounter = this.state.counter;
      const signed = this.sign([r])[0]!;
      return decodeFrame(signed);
    };
    if (!this.state.key) return done(RESULT.keyNotProgrammed);
    if (this.state.counter >= COUNTER_MAX) return done(RESULT.writeFailure);
    const n = first.blockCount;
    if (n < 1 || n !== fr.length || fr.some((f) => f.address !== first.address || f.blockCount !== n || f.writeCounter !== first.writeCounter || f.reqResp !== REQ.authWrite)) {
      return done(RESULT.generalFailure);
    }
    if (first.address + n > this.capacityBlocks) return done(RESULT.addressFailure);
    if (!equal(hmacSha256(this.state.key, macInput(raw)), last.keyMac)) return done(RESULT.authFailure);
    if (first.writeCounter !== this.state.counter) return done(RESULT.counterFailure);
    const blocks = this.state.blocks.slice();
    fr.forEach((f, i) => blocks.set(f.data, (first.address + i) * DATA_SIZE));
    this.commit({ key: this.state.key, counter: this.state.counter + 1, blocks });
    return done(RESULT.ok);
  }

  private authRead(req: RpmbFrame): Uint8Array[] {
    const n = Math.max(1, req.blockCount);
    const frames: RpmbFrame[] = [];
    const fail = (result: number) => [this.sign([{ ...emptyFrame(RESP.authRead), nonce: req.nonce, address: req.address, result: result | this.expiredBit() }])[0]!];
    if (!this.state.key) return fail(RESULT.keyNotProgrammed);
    if (req.address + n > this.capacityBlocks) return fail(RESULT.addressFailure);
    for (let i = 0; i < n; i++) {
      const off = (req.address + i) * DATA_SIZE;
      frames.push({ ...emptyFrame(RESP.authRead), data: this.state.blocks.slice(off, off + DATA_SIZE), nonce: req.nonce, address: req.address, blockCount: n, result: RESULT.ok | this.expiredBit() });
    }
    return this.sign(frames);
  }
}
