/**
 * What a tampering host (or a bad repair) can do to a TZTCM device's files before it boots, for
 * `tcv tztcm boot --tamper` and `tcv run … --tpm tztcm --tamper`. The first five stop the verified
 * boot (§3.1, §2.2.1: a bad signature or helper data is detected and the boot stops);
 * `os-rollback` does not — an older secure-OS image the manufacturer did sign verifies (the chain
 * checks signatures, not versions), and only the boot measurement, and so a verifier of a quote,
 * can tell it from the current one.
 * @module
 */
import type { StorageFs } from '../storage/fs/storage-fs.ts';
import { atomicReplace } from '../storage/fs/storage-fs.ts';
import { HELPER_FILE } from '../storage/gru.ts';
import { manufacturerKey } from './chip.ts';
import { GRU_IMAGE, RPMB_IMAGE, SECURE_OS_IMAGE, SECURE_OS_PAYLOAD } from './factory.ts';
import { signImage } from './signed-image.ts';

export interface DeviceTamper {
  readonly what: string;
  /** true when the verified boot chain must stop on it */
  readonly stopsBoot: boolean;
  apply(fs: StorageFs): void;
}

function flip(fs: StorageFs, name: string, at: number): void {
  const b = fs.read(name);
  if (!b) return;
  b[at % b.length]! ^= 0x10;
  atomicReplace(fs, name, b);
}

export const DEVICE_TAMPER: Readonly<Record<string, DeviceTamper>> = {
  helper: { what: `one byte of the helper data (${HELPER_FILE})`, stopsBoot: true, apply: (fs) => flip(fs, HELPER_FILE, 100) },
  'helper-deleted': { what: `the helper data (${HELPER_FILE}) deleted`, stopsBoot: true, apply: (fs) => (fs.remove(HELPER_FILE), fs.syncDir()) },
  'gru-image': { what: `one byte of the GRU image (${GRU_IMAGE})`, stopsBoot: true, apply: (fs) => flip(fs, GRU_IMAGE, 40) },
  'os-image': { what: `one byte of the secure-OS image (${SECURE_OS_IMAGE})`, stopsBoot: true, apply: (fs) => flip(fs, SECURE_OS_IMAGE, 40) },
  rpmb: { what: `the RPMB replaced by a blank one (${RPMB_IMAGE} deleted)`, stopsBoot: true, apply: (fs) => (fs.remove(RPMB_IMAGE), fs.syncDir()) },
  'os-rollback': {
    what: `an older secure-OS image (version 0), signed by the manufacturer, in ${SECURE_OS_IMAGE}`,
    stopsBoot: false,
    apply: (fs) => atomicReplace(fs, SECURE_OS_IMAGE, signImage({ name: 'secure-os', version: 0, payload: new TextEncoder().encode(`${SECURE_OS_PAYLOAD} (an older build)`) }, manufacturerKey())),
  },
};
