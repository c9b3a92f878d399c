/**
 * The verified boot chain of the TZTCM (seed 002 §3.1): the BootROM, trusted as mask ROM,
 *  1. verifies the GRU image against the manufacturer key in OTP,
 *  2. reads the SRAM PUF's power-up value v,
 *  3. runs GRU on v and the helper data: K_rpmb rebuilt (it stops here if the helper data is
 *     missing or altered — §2.2.1),
 *  4. verifies the secure-OS (TZTCM) image,
 *  5. destroys the PUF object (burn after reading),
 *  6. checks K_rpmb against the RPMB (an authenticated counter read: the eMMC accepts the key),
 *  7. mounts the secure storage under SSK = HMAC(HUK, chipId ‖ 'static string').
 * Each image's SHA-256 is recorded as a boot measurement, for the TZTCM's TPM engine to extend into
 * its boot PCR (PCR 0: the platform firmware, TCG PC Client PFP §3.3.4.1) before it serves.
 * Any failed step stops the boot, with the step and the reason.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { systemRandom, type RandomSource } from '../../crypto/index.ts';
import type { StorageFs } from '../storage/fs/storage-fs.ts';
import { gruRebuild, HELPER_FILE } from '../storage/gru.ts';
import { type PufConditions, Xoshiro128 } from '../storage/puf/sram-puf.ts';
import { RpmbDevice, RpmbImageError } from '../storage/rpmb/rpmb-device.ts';
import { RpmbClient, RpmbError } from '../storage/rpmb/rpmb-client.ts';
import { SecureStorage, StorageError } from '../storage/secure-storage.ts';
import { deriveSsk } from '../storage/storage-keys.ts';
import type { Chip } from './chip.ts';
import { GRU_IMAGE, RPMB_IMAGE, SECURE_OS_IMAGE } from './factory.ts';
import { verifyImage } from './signed-image.ts';

export interface BootMeasurement {
  /** the PCR the engine extends with this digest */
  readonly pcr: number;
  readonly image: string;
  readonly version: number;
  /** SHA-256 of the image file */
  readonly digest: Uint8Array;
}

export interface BootStep {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface BootReport {
  readonly ok: boolean;
  readonly steps: readonly BootStep[];
  readonly measurements: readonly BootMeasurement[];
  /** the failed step's reason */
  readonly reason?: string;
  /** errors the BCH decoder corrected in this boot's PUF read */
  readonly pufErrorsCorrected?: number;
  /** bits of this read that differ from the chip's reference (simulation insight: a real BootROM cannot know) */
  readonly pufBitErrors?: number;
  readonly pufBits?: number;
  /** SHA-256(K_rpmb) truncated to 8 bytes: the same in every boot of one device, the key never shown */
  readonly kRpmbFingerprint?: string;
  readonly rpmbCounter?: number;
  readonly storageVersion?: number;
  readonly warnings: readonly string[];
}

export interface BootOptions {
  /** the noise of this power-up (default: a fresh random seed) */
  readonly noiseSeed?: string | Uint8Array;
  readonly conditions?: PufConditions;
  readonly rng?: RandomSource;
}

export interface Booted {
  readonly report: BootReport;
  /** present when the boot succeeded */
  readonly storage?: SecureStorage;
}

export function bootTztcm(chip: Chip, fs: StorageFs, opts: BootOptions = {}): Booted {
  const rng = opts.rng ?? systemRandom();
  const steps: BootStep[] = [];
  const measurements: BootMeasurement[] = [];
  const warnings: string[] = [];
  const extra: Record<string, unknown> = {};
  const stop = (step: string, reason: string): Booted => {
    steps.push({ step, ok: false, detail: reason });
    return { report: { ok: false, steps, measurements, reason: `${step}: ${reason}`, warnings, ...extra } };
  };
  const ok = (step: string, detail: string) => steps.push({ step, ok: true, detail });

  const gru = verifyImage(fs.read(GRU_IMAGE), 'gru', chip.otpManufacturerPub);
  if (!gru.ok) return stop('verify GRU image', gru.reason);
  measurements.push({ pcr: 0, image: 'gru', version: gru.image.version, digest: gru.digest });
  ok('verify GRU image', `signature valid under the OTP manufacturer key; SHA-256 ${hex(gru.digest)}`);

  const readout = chip.puf.powerUp(new Xoshiro128(opts.noiseSeed ?? rng.bytes(16)), opts.conditions);
  try {
    const v = readout.read();
    const flips = v.reduce((s, b, i) => s + (b ^ chip.puf.reference[i]!), 0);
    Object.assign(extra, { pufBits: v.length, pufBitErrors: flips });
    ok('read PUF', `${v.length} SRAM bits read at power-up`);

    const r = gruRebuild(fs.read(HELPER_FILE), v, chip.chipId);
    v.fill(0);
    if (!r.ok) return stop('GRU rebuild', r.reason);
    Object.assign(extra, { pufErrorsCorrected: r.corrected, kRpmbFingerprint: hex(fingerprint(r.kRpmb)) });
    ok('GRU rebuild', `K_rpmb rebuilt from the helper data; ${r.corrected} BCH symbol errors corrected`);

    const os = verifyImage(fs.read(SECURE_OS_IMAGE), 'secure-os', chip.otpManufacturerPub);
    if (!os.ok) return stop('verify secure-OS image', os.reason);
    measurements.push({ pcr: 0, image: 'secure-os', version: os.image.version, digest: os.digest });
    ok('verify secure-OS image', `signature valid under the OTP manufacturer key; SHA-256 ${hex(os.digest)}`);

    readout.burn();
    ok('destroy PUF object', 'SRAM overwritten; a second read returns no fingerprint');

    let rpmb: RpmbClient;
    try {
      const dev = new RpmbDevice(fs, RPMB_IMAGE);
      warnings.push(...dev.warnings);
      rpmb = new RpmbClient(dev, r.kRpmb, rng);
      extra['rpmbCounter'] = rpmb.readCounter();
    } catch (e) {
      if (e instanceof RpmbError || e instanceof RpmbImageError) return stop('RPMB key check', e.message);
      throw e;
    }
    ok('RPMB key check', `the eMMC answers an authenticated counter read under K_rpmb: write counter ${extra['rpmbCounter']}`);

    try {
      const storage = SecureStorage.mount({ fs, rpmb, ssk: deriveSsk(chip.huk, chip.chipId), rng });
      warnings.push(...storage.warnings);
      extra['storageVersion'] = storage.version;
      ok('mount secure storage', storage.version ? `directory version ${storage.version} matches the RPMB root record` : 'empty storage (no root record in RPMB yet)');
      return { report: { ok: true, steps, measurements, warnings, ...extra }, storage };
    } catch (e) {
      if (e instanceof StorageError) return stop('mount secure storage', e.message);
      throw e;
    }
  } finally {
    if (!readout.isBurnt) readout.burn();
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function fingerprint(k: Uint8Array): Uint8Array {
  return sha256(k).subarray(0, 8);
}
