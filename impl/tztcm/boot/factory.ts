/**
 * The factory and the repair shop (seed 002 §2.2.1 "generate" and "update"; §3.1 images):
 * signs and installs the GRU and secure-OS images, runs GRU generate on a PUF read, programs
 * K_rpmb into the eMMC's one-time key register, stores the helper data. An eMMC replacement is a
 * new blank RPMB (and a new user area: the old REE files go with the old eMMC) and GRU update.
 * @module
 */
import type { RandomSource } from '../../crypto/index.ts';
import { atomicReplace, type StorageFs } from '../storage/fs/storage-fs.ts';
import { gruGenerate, HELPER_FILE } from '../storage/gru.ts';
import { enrolmentRead, Xoshiro128 } from '../storage/puf/sram-puf.ts';
import { RpmbDevice } from '../storage/rpmb/rpmb-device.ts';
import { RpmbClient } from '../storage/rpmb/rpmb-client.ts';
import { type Chip, manufacturerKey } from './chip.ts';
import { signImage } from './signed-image.ts';

export const GRU_IMAGE = 'gru.img';
export const SECURE_OS_IMAGE = 'tee.img';
export const RPMB_IMAGE = 'rpmb.img';
export const SECURE_OS_PAYLOAD = 'secure OS with the TZTCM trusted application (seed 002)';

/** The images of this build: their payloads name what they stand for (the code is this project's). */
export function buildImages(): { gru: Uint8Array; secureOs: Uint8Array } {
  const sk = manufacturerKey();
  const enc = (s: string) => new TextEncoder().encode(s);
  return {
    gru: signImage({ name: 'gru', version: 1, payload: enc('GRU: impl/tztcm/storage/gru.ts over rep(7) x BCH(511,277,28)') }, sk),
    secureOs: signImage({ name: 'secure-os', version: 1, payload: enc(SECURE_OS_PAYLOAD) }, sk),
  };
}

export function installImages(fs: StorageFs): void {
  const { gru, secureOs } = buildImages();
  atomicReplace(fs, GRU_IMAGE, gru);
  atomicReplace(fs, SECURE_OS_IMAGE, secureOs);
}

/** Factory: images, GRU generate, RPMB key programming, helper data. */
export function provision(chip: Chip, fs: StorageFs, rng: RandomSource): void {
  if (fs.read(RPMB_IMAGE) !== undefined) throw new Error('provision: this device already has a programmed RPMB');
  installImages(fs);
  generateAndProgram(chip, fs, rng);
}

/** Repair: a new eMMC (blank RPMB, empty user area), new KeyS, new helper data, new K_rpmb. */
export function replaceEmmc(chip: Chip, fs: StorageFs, rng: RandomSource): void {
  for (const n of fs.list()) if (n !== GRU_IMAGE && n !== SECURE_OS_IMAGE) fs.remove(n);
  fs.syncDir();
  generateAndProgram(chip, fs, rng);
}

function generateAndProgram(chip: Chip, fs: StorageFs, rng: RandomSource): void {
  // the factory enrols with the majority of 31 power-ups (see enrolmentRead)
  const enrolled = enrolmentRead(chip.puf, new Xoshiro128(rng.bytes(16)));
  try {
    const { helperFile, kRpmb } = gruGenerate(enrolled, chip.chipId, rng);
    new RpmbClient(new RpmbDevice(fs, RPMB_IMAGE), kRpmb, rng).programKey();
    kRpmb.fill(0);
    atomicReplace(fs, HELPER_FILE, helperFile);
  } finally {
    enrolled.fill(0);
  }
}
