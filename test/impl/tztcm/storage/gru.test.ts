/**
 * GRU (seed 002 §2.2.1, Fig. 3): generate, rebuild from fresh noisy reads, update; altered or
 * deleted helper data and other chips' PUFs stop the rebuild with a reason, and no key another
 * chip derives is accepted by the RPMB.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom, tpm2P256 } from '../../../../impl/crypto/index.ts';
import { encode } from '../../../../impl/wire/codec.ts';
import { constV } from '../../../../impl/wire/value.ts';
import { gruGenerate, gruRebuild } from '../../../../impl/tztcm/storage/gru.ts';
import { deriveRpmbKey } from '../../../../impl/tztcm/storage/storage-keys.ts';
import { PUF_BITS, feRebuild, bytesToBits } from '../../../../impl/tztcm/storage/fuzzy-extractor.ts';
import { enrolmentRead, SramPuf, Xoshiro128 } from '../../../../impl/tztcm/storage/puf/sram-puf.ts';
import { RpmbDevice } from '../../../../impl/tztcm/storage/rpmb/rpmb-device.ts';
import { RpmbClient, RpmbError } from '../../../../impl/tztcm/storage/rpmb/rpmb-client.ts';
import { MemoryFs } from '../../../../impl/tztcm/storage/fs/memory-fs.ts';

const chipId = new TextEncoder().encode('chip-A');
const puf = new SramPuf('chip-A', { cells: PUF_BITS(), ber: 0.15 });
const read = (seed: number) => puf.powerUp(new Xoshiro128(seed)).read();

describe('GRU', () => {
  const { helperFile, kRpmb } = gruGenerate(enrolmentRead(puf, new Xoshiro128('enrol')), chipId, seededRandom(1));

  it('K_rpmb is KDFa(KeyS, "RPMB", chipId, "K_rpmb") of TPM 2.0 Part 1 §11.4.10.2, evaluated from the model term', () => {
    const keyS = seededRandom(1).bytes(32);
    assert.deepEqual(deriveRpmbKey(keyS, chipId), tpm2P256.kdfa(keyS, 'RPMB', chipId, encode(constV('K_rpmb')), 256));
    assert.deepEqual(kRpmb, deriveRpmbKey(keyS, chipId));
  });

  it('rebuild: the same K_rpmb from fresh noisy reads at 15 % BER', () => {
    for (let boot = 0; boot < 8; boot++) {
      const r = gruRebuild(helperFile, read(boot), chipId);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.deepEqual(r.kRpmb, kRpmb);
      assert.ok(r.corrected > 0, 'a noisy read needs correcting');
    }
  });

  it('300 boots of one device at a nominal 15 % BER: every one rebuilds the key (analytic failure 3.7e-10 per boot)', () => {
    for (let boot = 100; boot < 400; boot++) {
      const r = gruRebuild(helperFile, read(boot), chipId);
      assert.ok(r.ok && Buffer.from(r.kRpmb).equals(kRpmb), `boot ${boot}: ${r.ok ? 'wrong key' : r.reason}`);
    }
  });

  it('deleted, truncated, or altered helper data (any single bit, header or tag) is detected with a reason', () => {
    assert.match((gruRebuild(undefined, read(1), chipId) as { reason: string }).reason, /missing/);
    assert.match((gruRebuild(helperFile.subarray(1), read(1), chipId) as { reason: string }).reason, /expected 490|truncated/);
    for (const at of [0, 4, 5, 6, 7, 9, 10, 100, 300, 457, 458, 470, 489]) {
      const bad = helperFile.slice();
      bad[at]! ^= 0x10;
      const r = gruRebuild(bad, read(2), chipId);
      assert.ok(!r.ok, `byte ${at} altered but accepted`);
      assert.match(r.reason, /helper data \(dataka\.bin\)/);
    }
    const otherCode = helperFile.slice();
    otherCode[6] = 26;
    assert.match((gruRebuild(otherCode, read(3), chipId) as { reason: string }).reason, /made for rep\(7\) x BCH\(2\^9-1, t=26\).*uses rep\(7\) x BCH\(2\^9-1, t=28\)/);
  });

  it('another chip: no key, and no key it could derive is accepted by the RPMB', () => {
    const dev = new RpmbDevice(new MemoryFs());
    new RpmbClient(dev, kRpmb, seededRandom(2)).programKey();
    for (let c = 0; c < 4; c++) {
      const other = new SramPuf(`other-${c}`, { cells: PUF_BITS(), ber: 0.15 }).powerUp(new Xoshiro128(c)).read();
      const r = gruRebuild(helperFile, other, chipId);
      assert.ok(!r.ok);
      // bypass the tag: whatever the decoder makes of it, the RPMB refuses the key
      const raw = feRebuild(bytesToBits(helperFile.subarray(10, 10 + 448), PUF_BITS()), other);
      const guess = raw.ok ? deriveRpmbKey(raw.keyS, chipId) : new Uint8Array(32);
      assert.throws(() => new RpmbClient(dev, guess, seededRandom(3)).readCounter(), (e: RpmbError) => e.code === 'mac');
    }
    assert.equal(new RpmbClient(dev, kRpmb, seededRandom(4)).readCounter(), 0, 'the right key is accepted');
  });

  it('update (eMMC replaced): new helper data and a new K_rpmb; the old helper still rebuilds only the old key', () => {
    const upd = gruGenerate(enrolmentRead(puf, new Xoshiro128('enrol-2')), chipId, seededRandom(99));
    assert.notDeepEqual(upd.kRpmb, kRpmb);
    assert.notDeepEqual(upd.helperFile, helperFile);
    const r = gruRebuild(upd.helperFile, read(5), chipId);
    assert.ok(r.ok && Buffer.from(r.kRpmb).equals(upd.kRpmb));
  });
});
