/**
 * A TZTCM device over a state directory: provisioned by the factory on first use, booted through
 * the verified chain every time. The one entry point the CLI and the state store use.
 * @module
 */
import { systemRandom, type RandomSource } from '../../crypto/index.ts';
import type { StorageFs } from '../storage/fs/storage-fs.ts';
import { type BootOptions, type Booted, bootTztcm } from './boot-rom.ts';
import { type ChipOptions, simulatedChip } from './chip.ts';
import { provision, RPMB_IMAGE } from './factory.ts';

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
  if (fs.read(RPMB_IMAGE) === undefined && fs.list().length === 0) {
    provision(chip, fs, rng);
    provisioned = true;
  }
  return { ...bootTztcm(chip, fs, { ...opts, rng }), provisioned };
}
