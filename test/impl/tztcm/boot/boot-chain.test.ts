/**
 * The verified boot chain (seed 002 §3.1): the honest chain and its measurements, and each way it
 * must stop — a bad image signature, swapped images, altered or deleted helper data, another
 * chip, a missing RPMB.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { seededRandom, tpm2P256 } from '../../../../impl/crypto/index.ts';
import { bootTztcm } from '../../../../impl/tztcm/boot/boot-rom.ts';
import { simulatedChip } from '../../../../impl/tztcm/boot/chip.ts';
import { GRU_IMAGE, provision, replaceEmmc, SECURE_OS_IMAGE } from '../../../../impl/tztcm/boot/factory.ts';
import { signImage } from '../../../../impl/tztcm/boot/signed-image.ts';
import { MemoryFs } from '../../../../impl/tztcm/storage/fs/memory-fs.ts';
import { parseUuid } from '../../../../impl/tztcm/storage/secure-storage.ts';

const chip = simulatedChip('chip-T');
const base = new MemoryFs();
provision(chip, base, seededRandom(1));
const boot = (fs = base.snapshot(), c = chip, seed = 's1') => bootTztcm(c, fs, { noiseSeed: seed, rng: seededRandom(2) });
const flipByte = (at: number) => (b: Uint8Array) => ((b[at]! ^= 0x04), b);
const TA = { name: 'tztcm', uuid: parseUuid('7a7c4d00-0000-4000-8000-000000000001') };

describe('boot chain', () => {
  it('the honest chain: every step, two measurements, K_rpmb rebuilt from a fresh noisy read, the RPMB counter', () => {
    const fs = base.snapshot();
    const { report, storage } = boot(fs);
    assert.ok(report.ok, report.reason);
    assert.deepEqual(report.steps.map((s) => s.step), ['verify GRU image', 'read PUF', 'GRU rebuild', 'verify secure-OS image', 'destroy PUF object', 'RPMB key check', 'mount secure storage']);
    assert.deepEqual(report.measurements.map((m) => [m.image, Buffer.from(m.digest).toString('hex')]), [
      ['gru', Buffer.from(sha256(fs.read(GRU_IMAGE)!)).toString('hex')],
      ['secure-os', Buffer.from(sha256(fs.read(SECURE_OS_IMAGE)!)).toString('hex')],
    ]);
    assert.ok(report.pufBitErrors! > 0.1 * report.pufBits!, 'a noisy read');
    assert.equal(report.rpmbCounter, 0);
    storage!.write(TA, 'x', new Uint8Array([1]));
    const again = boot(fs, chip, 's2').report;
    assert.ok(again.ok);
    assert.equal(again.kRpmbFingerprint, report.kRpmbFingerprint, 'the same key from another noisy read');
    assert.notEqual(again.pufErrorsCorrected, report.pufErrorsCorrected);
    assert.equal(again.rpmbCounter, 1);
  });

  const stops: [string, (fs: MemoryFs) => void, string, RegExp][] = [
    ['an altered GRU image', (fs) => fs.tamper(GRU_IMAGE, flipByte(20)), 'verify GRU image', /signature does not verify|length/],
    ['a GRU image signed by another key', (fs) => fs.tamper(GRU_IMAGE, () => signImage({ name: 'gru', version: 2, payload: new Uint8Array(3) }, tpm2P256.scalarFromSeed(new Uint8Array(48).fill(9)))), 'verify GRU image', /signature does not verify/],
    ['the images swapped', (fs) => { const g = fs.read(GRU_IMAGE)!; fs.tamper(GRU_IMAGE, () => fs.read(SECURE_OS_IMAGE)!); fs.tamper(SECURE_OS_IMAGE, () => g); }, 'verify GRU image', /holds a signed 'secure-os'/],
    ['an altered secure-OS image', (fs) => fs.tamper(SECURE_OS_IMAGE, flipByte(30)), 'verify secure-OS image', /signature does not verify/],
    ['altered helper data', (fs) => fs.tamper('dataka.bin', flipByte(200)), 'GRU rebuild', /dataka\.bin/],
    ['deleted helper data', (fs) => fs.tamper('dataka.bin', () => undefined), 'GRU rebuild', /dataka\.bin\) is missing/],
    ['a missing RPMB (blank eMMC)', (fs) => fs.tamper('rpmb.img', () => undefined), 'RPMB key check', /keyNotProgrammed/],
  ];
  for (const [what, tamper, step, reason] of stops) {
    it(`stops on ${what}, naming the step and the reason`, () => {
      const fs = base.snapshot();
      tamper(fs);
      const { report, storage } = boot(fs);
      assert.equal(report.ok, false);
      assert.equal(storage, undefined);
      const last = report.steps[report.steps.length - 1]!;
      assert.equal(last.step, step);
      assert.match(report.reason!, reason);
    });
  }

  it("another chip with this device's files stops at GRU", () => {
    const { report } = boot(base.snapshot(), simulatedChip('chip-U'));
    assert.equal(report.ok, false);
    assert.match(report.reason!, /^GRU rebuild: .*another chip/);
  });

  it('eMMC replaced: GRU update gives a new key, and the device boots again', () => {
    const fs = base.snapshot();
    const before = boot(fs).report.kRpmbFingerprint;
    replaceEmmc(chip, fs, seededRandom(5));
    const after = boot(fs).report;
    assert.ok(after.ok, after.reason);
    assert.notEqual(after.kRpmbFingerprint, before);
    assert.equal(after.storageVersion, 0);
  });
});

describe('boot reference values', () => {
  it("an honest boot's measurements extend PCR 0 to the factory reference; a tampered image's do not", async () => {
    const { pcrsOf, referenceBootPcr0 } = await import('../../../../impl/tztcm/boot/reference-values.ts');
    const honest = boot().report;
    assert.deepEqual(pcrsOf(honest.measurements).get(0), referenceBootPcr0());
    const fs = base.snapshot();
    // a validly signed but different secure OS (the manufacturer's older version, say) measures differently
    const { manufacturerKey } = await import('../../../../impl/tztcm/boot/chip.ts');
    fs.tamper(SECURE_OS_IMAGE, () => signImage({ name: 'secure-os', version: 0, payload: new Uint8Array(8) }, manufacturerKey()));
    const other = boot(fs).report;
    assert.ok(other.ok);
    assert.notDeepEqual(pcrsOf(other.measurements).get(0), referenceBootPcr0());
  });
});
