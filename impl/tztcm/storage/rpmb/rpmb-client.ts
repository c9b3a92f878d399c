/**
 * The TEE's RPMB driver (the role of OP-TEE's core/tee/tee_rpmb_fs.c): builds request frames,
 * MACs them with K_rpmb, and checks every response — its type, result, the nonce it sent, the MAC
 * — before believing it. The frames travel through the REE (tee-supplicant and the MMC driver),
 * which may drop, alter or replay them; nothing it does can make this driver accept a forged or
 * replayed response.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import type { RandomSource } from '../../../crypto/index.ts';
import { DATA_SIZE, decodeFrame, emptyFrame, encodeFrame, macInput, REQ, RESP, RESULT, resultName, type RpmbFrame } from './rpmb-frame.ts';
import type { RpmbTransport } from './rpmb-device.ts';

export class RpmbError extends Error {
  constructor(
    /** a JEDEC result name, or 'mac' / 'nonce' / 'type' / 'counter' for a response that fails a check */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export class RpmbClient {
  constructor(
    private readonly bus: RpmbTransport,
    private readonly key: Uint8Array,
    private readonly rng: RandomSource,
  ) {}

  private mac(frames: readonly Uint8Array[]): Uint8Array {
    return hmac(sha256, this.key, macInput(frames));
  }

  private expect(raw: readonly Uint8Array[], type: number, what: string, nonce?: Uint8Array): RpmbFrame[] {
    const fr = raw.map((b) => {
      if (b.length !== 512) throw new RpmbError('type', `RPMB ${what}: response frame of ${b.length} bytes`);
      return decodeFrame(b);
    });
    for (const f of fr) {
      if (f.reqResp !== type) throw new RpmbError('type', `RPMB ${what}: response type 0x${f.reqResp.toString(16).padStart(4, '0')}, expected 0x${type.toString(16).padStart(4, '0')}`);
      if ((f.result & 0x7f) !== RESULT.ok) throw new RpmbError(resultName(f.result).split(' ')[0]!, `RPMB ${what}: ${resultName(f.result)}`);
      if (nonce && !equal(f.nonce, nonce)) throw new RpmbError('nonce', `RPMB ${what}: the response carries another nonce (a replayed response)`);
    }
    if (!equal(this.mac(raw), fr[fr.length - 1]!.keyMac)) throw new RpmbError('mac', `RPMB ${what}: response MAC does not verify under K_rpmb (wrong key, or a forged response)`);
    return fr;
  }

  /** Program K_rpmb into the one-time key register (factory, GRU generate / update). */
  programKey(): void {
    const f = emptyFrame(REQ.programKey);
    f.keyMac = this.key.slice();
    this.bus.write([encodeFrame(f)]);
    this.bus.write([encodeFrame(emptyFrame(REQ.resultRead))]);
    const r = this.bus.read(1).map(decodeFrame)[0]!;
    if (r.reqResp !== RESP.programKey) throw new RpmbError('type', `RPMB program key: response type 0x${r.reqResp.toString(16)}`);
    if ((r.result & 0x7f) !== RESULT.ok) throw new RpmbError(resultName(r.result).split(' ')[0]!, `RPMB program key: ${resultName(r.result)}`);
  }

  /** The write counter, authenticated (nonce + MAC). */
  readCounter(): number {
    const f = emptyFrame(REQ.readCounter);
    f.nonce = this.rng.bytes(16);
    this.bus.write([encodeFrame(f)]);
    return this.expect(this.bus.read(1), RESP.readCounter, 'read counter', f.nonce)[0]!.writeCounter;
  }

  /** Authenticated write of consecutive blocks (one reliable write: all or none). Returns the new counter. */
  write(address: number, blocks: readonly Uint8Array[]): number {
    if (blocks.length < 1) throw new RangeError('RPMB write: no blocks');
    const counter = this.readCounter();
    const frames = blocks.map((data) => {
      if (data.length !== DATA_SIZE) throw new RangeError(`RPMB write: a block is ${DATA_SIZE} bytes, got ${data.length}`);
      return encodeFrame({ ...emptyFrame(REQ.authWrite), data, writeCounter: counter, address, blockCount: blocks.length });
    });
    frames[frames.length - 1]!.set(this.mac(frames), 196);
    this.bus.write(frames);
    this.bus.write([encodeFrame(emptyFrame(REQ.resultRead))]);
    const r = this.expect(this.bus.read(1), RESP.authWrite, 'authenticated write')[0]!;
    if (r.writeCounter !== counter + 1 || r.address !== address) {
      throw new RpmbError('counter', `RPMB authenticated write: response counter ${r.writeCounter} / address ${r.address}, expected ${counter + 1} / ${address}`);
    }
    return r.writeCounter;
  }

  /** Authenticated read of `count` blocks from `address`. */
  read(address: number, count: number): Uint8Array[] {
    const f = emptyFrame(REQ.authRead);
    f.nonce = this.rng.bytes(16);
    f.address = address;
    f.blockCount = count;
    this.bus.write([encodeFrame(f)]);
    const fr = this.expect(this.bus.read(count), RESP.authRead, 'authenticated read', f.nonce);
    if (fr.length !== count || fr.some((x) => x.address !== address)) throw new RpmbError('type', `RPMB authenticated read: ${fr.length} frames for address ${address}, expected ${count}`);
    return fr.map((x) => x.data);
  }
}
