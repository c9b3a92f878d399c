/**
 * The RPMB emulator and the TEE's driver: the JEDEC frame layout, the HMAC over 284 bytes, the
 * one-time key, the counter, the result codes, forged and replayed responses, power loss in a
 * write, a rotten image.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { seededRandom } from '../../../../impl/crypto/index.ts';
import { decodeFrame, encodeFrame, emptyFrame, OFF, REQ, RESULT } from '../../../../impl/tztcm/storage/rpmb/rpmb-frame.ts';
import { RpmbDevice, RpmbImageError, type RpmbTransport } from '../../../../impl/tztcm/storage/rpmb/rpmb-device.ts';
import { RpmbClient, RpmbError } from '../../../../impl/tztcm/storage/rpmb/rpmb-client.ts';
import { MemoryFs, PowerLoss } from '../../../../impl/tztcm/storage/fs/memory-fs.ts';

const key = new Uint8Array(32).fill(0x5a);
const block = (b: number) => new Uint8Array(256).fill(b);
const fresh = () => {
  const fs = new MemoryFs();
  const dev = new RpmbDevice(fs);
  const client = new RpmbClient(dev, key, seededRandom(1));
  return { fs, dev, client };
};

describe('RPMB frame (JESD84-B51 §6.6.22; mmc-utils struct rpmb_frame; OP-TEE struct rpmb_data_frame)', () => {
  it('fields sit at the standard offsets, big-endian', () => {
    const f = emptyFrame(0x0003);
    f.keyMac = new Uint8Array(32).fill(1);
    f.data = new Uint8Array(256).fill(2);
    f.nonce = new Uint8Array(16).fill(3);
    f.writeCounter = 0x01020304;
    f.address = 0x0506;
    f.blockCount = 0x0708;
    f.result = 0x090a;
    const b = encodeFrame(f);
    assert.equal(b.length, 512);
    assert.ok(b.subarray(0, 196).every((x) => x === 0), 'stuff bytes');
    assert.equal(b[196], 1);
    assert.equal(b[227], 1);
    assert.equal(b[228], 2);
    assert.equal(b[483], 2);
    assert.equal(b[484], 3);
    assert.equal(b[499], 3);
    assert.deepEqual([...b.subarray(500, 512)], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 3]);
    assert.deepEqual(OFF, { stuff: 0, keyMac: 196, data: 228, nonce: 484, writeCounter: 500, address: 504, blockCount: 506, result: 508, reqResp: 510 });
    assert.deepEqual(decodeFrame(b), f);
  });
});

describe('RPMB device and driver', () => {
  it('program key once; a second programming is a general failure', () => {
    const { client } = fresh();
    client.programKey();
    assert.throws(() => client.programKey(), (e: RpmbError) => e.code === 'generalFailure');
  });

  it('before the key is programmed: key not programmed', () => {
    const { client } = fresh();
    assert.throws(() => client.readCounter(), (e: RpmbError) => e.code === 'keyNotProgrammed');
  });

  it('authenticated write and read round-trip; the counter counts writes; the response MAC is HMAC-SHA256 over bytes 228..511', () => {
    const { dev, client } = fresh();
    client.programKey();
    assert.equal(client.readCounter(), 0);
    assert.equal(client.write(3, [block(7), block(8)]), 1);
    assert.deepEqual(client.read(3, 2), [block(7), block(8)]);
    const req = emptyFrame(REQ.readCounter);
    dev.write([encodeFrame(req)]);
    const resp = dev.read(1)[0]!;
    assert.deepEqual(resp.subarray(196, 228), hmac(sha256, key, resp.subarray(228, 512)));
    assert.equal(decodeFrame(resp).writeCounter, 1);
  });

  it('state persists: a new device over the same image has the key, counter and blocks', () => {
    const { fs, client } = fresh();
    client.programKey();
    client.write(0, [block(9)]);
    const again = new RpmbClient(new RpmbDevice(fs), key, seededRandom(2));
    assert.equal(again.readCounter(), 1);
    assert.deepEqual(again.read(0, 1), [block(9)]);
  });

  it('a wrong key: authentication failure on write, MAC failure on read', () => {
    const { dev, client } = fresh();
    client.programKey();
    const wrong = new RpmbClient(dev, new Uint8Array(32).fill(1), seededRandom(3));
    assert.throws(() => wrong.write(0, [block(1)]), (e: RpmbError) => e.code === 'mac' || e.code === 'authFailure');
    assert.throws(() => wrong.readCounter(), (e: RpmbError) => e.code === 'mac');
    assert.equal(client.readCounter(), 0, 'nothing written');
  });

  it('a replayed write (old counter) is a counter failure; an address past the end an address failure', () => {
    const { dev, client } = fresh();
    client.programKey();
    const frames: Uint8Array[] = [];
    const tap: RpmbTransport = { write: (f) => (f[0]![511] === REQ.authWrite && frames.push(...f), dev.write(f)), read: (n) => dev.read(n) };
    new RpmbClient(tap, key, seededRandom(4)).write(0, [block(1)]);
    dev.write(frames); // the host replays the recorded write
    dev.write([encodeFrame(emptyFrame(REQ.resultRead))]);
    assert.equal(decodeFrame(dev.read(1)[0]!).result, RESULT.counterFailure);
    assert.throws(() => client.write(dev.capacityBlocks, [block(1)]), (e: RpmbError) => e.code === 'addressFailure');
    assert.throws(() => client.read(dev.capacityBlocks - 1, 2), (e: RpmbError) => e.code === 'addressFailure');
  });

  it('the write counter expires at 2^32 − 1: the last write succeeds, then write failure with bit 7', () => {
    const dev = new RpmbDevice(new MemoryFs(), 'rpmb.img', { initialCounter: 0xfffffffe });
    const client = new RpmbClient(dev, key, seededRandom(5));
    client.programKey();
    assert.equal(client.write(0, [block(1)]), 0xffffffff);
    assert.throws(() => client.write(0, [block(2)]), (e: RpmbError) => e.code === 'writeFailure' && /expired/.test(e.message));
  });

  it('a forged or replayed response is refused by the driver', () => {
    const { dev, client } = fresh();
    client.programKey();
    client.write(0, [block(1)]);
    const flip: RpmbTransport = { write: (f) => dev.write(f), read: (n) => dev.read(n).map((b) => (b[300]! ^= 1, b)) };
    assert.throws(() => new RpmbClient(flip, key, seededRandom(6)).read(0, 1), (e: RpmbError) => e.code === 'mac');
    let recorded: Uint8Array[] | undefined;
    const replay: RpmbTransport = { write: (f) => dev.write(f), read: (n) => (recorded ??= dev.read(n)).map((b) => b.slice()) };
    const c2 = new RpmbClient(replay, key, seededRandom(7));
    c2.read(0, 1);
    assert.throws(() => c2.read(0, 1), (e: RpmbError) => e.code === 'nonce');
  });

  it('power loss at every file operation of a write leaves the old block and counter or the new ones', () => {
    const base = fresh();
    base.client.programKey();
    base.client.write(0, [block(1)]);
    let points = 0;
    for (let crashAt = 1; ; crashAt++) {
      const fs = base.fs.snapshot(crashAt);
      const client = new RpmbClient(new RpmbDevice(fs), key, seededRandom(8));
      let crashed = false;
      try {
        client.write(0, [block(2)]);
      } catch (e) {
        assert.ok(e instanceof PowerLoss);
        crashed = true;
      }
      if (!crashed) break;
      points++;
      const after = new RpmbClient(new RpmbDevice(fs.afterCrash()), key, seededRandom(9));
      const [c, b] = [after.readCounter(), after.read(0, 1)[0]!];
      assert.ok((c === 1 && b[0] === 1) || (c === 2 && b[0] === 2), `crash at ${crashAt}: counter ${c}, block ${b[0]}`);
    }
    assert.ok(points >= 4, `crash points: ${points}`);
  });

  it('a rotten copy of the image is named and the other used; both rotten: the device has failed', () => {
    const { fs, client } = fresh();
    client.programKey();
    client.write(0, [block(4)]);
    fs.tamper('rpmb.img', (b) => ((b[100]! ^= 1), b));
    const dev = new RpmbDevice(fs);
    assert.match(dev.warnings.join(), /copy A corrupted/);
    assert.deepEqual(new RpmbClient(dev, key, seededRandom(10)).read(0, 1), [block(4)]);
    fs.tamper('rpmb.img', (b) => ((b[b.length - 100]! ^= 1), b));
    assert.throws(() => new RpmbDevice(fs), RpmbImageError);
  });
});
