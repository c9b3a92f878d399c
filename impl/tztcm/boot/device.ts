/**
 * A TZTCM device over a state directory: provisioned by the factory on first use (no device file
 * there yet), booted through the verified chain every time. The one entry point the CLI and the state store use.
 * @module
 */
import { systemRandom, type RandomSource } from '../../crypto/index.ts';
import type { StorageFs } from '../storage/fs/storage-fs.ts';
import { type BootOptions, type Booted, bootTztcm } from './boot-rom.ts';
import { type ChipOptions, simulatedChip } from './chip.ts';
import { GRU_IMAGE, provision, RPMB_IMAGE, SECURE_OS_IMAGE } from './factory.ts';
import { HELPER_FILE } from '../storage/gru.ts';

export interface DeviceOptions extends BootOptions, ChipOptions {
  /** the simulated chip (default 'chip-1') */
  readonly chip?: string;
  readonly rng?: RandomSource;
}

export interface PoweredUp extends Booted {
  /** true when this call provisioned the device (first use of the directory) */
  readonly provisioned: boolean;
}

export function powerUpDevice(fs: StorageFs, opts: DeviceOptions = {}): PoweredUp {
  const chip = simulatedChip(opts.chip ?? 'chip-1', opts);
  const rng = opts.rng ?? systemRandom();
  let provisioned = false;
  // a directory with none of the device's files is a new device (other files, e.g. an older
  // plain state image, are left alone); one with some of them missing is a damaged device, and
  // the boot says which
  const present = new Set(fs.list());
  if (![RPMB_IMAGE, HELPER_FILE, GRU_IMAGE, SECURE_OS_IMAGE].some((n) => present.has(n))) {
    provision(chip, fs, rng);
    provisioned = true;
  }
  return { ...bootTztcm(chip, fs, { ...opts, rng }), provisioned };
}
