/**
 * The TZTCM's persistent TPM state in its secure storage (issue 16 item 7): a
 * {@link PersistentStateStore} whose image is one object, 'tpm-state', of the TZTCM trusted
 * application — sealed under the TZTCM's TSK, its version rooted in RPMB, written with the
 * storage's crash-safe commit (a power loss leaves the old image or the new one, as the contract
 * asks). Another TA cannot open it.
 *
 * `openTztcmStateStore(dir)` powers the simulated device up over a state directory (provisioning it
 * on first use) through the verified boot chain, and returns the store with the boot report, whose
 * measurements the engine extends into its boot PCR.
 * @module
 */
import type { PersistentStateStore } from './engine-contract.ts';
import { type BootReport } from './boot/boot-rom.ts';
import { type DeviceOptions, powerUpDevice } from './boot/device.ts';
import { nodeFs, type StorageFs } from './storage/fs/storage-fs.ts';
import { checkLock, lockDir } from './storage/fs/dir-lock.ts';
import { TZTCM_UUID } from './session/tztcm-ta.ts';
import { parseUuid, type SecureStorage, type TaIdentity } from './storage/secure-storage.ts';

/** The TZTCM trusted application, under the UUID its GP sessions use (session/tztcm-ta.ts). */
export const TZTCM_TA: TaIdentity = { name: 'tztcm', uuid: parseUuid(TZTCM_UUID) };
export const STATE_OBJECT = 'tpm-state';

/** The boot chain stopped: the report says at which step and why. */
export class TztcmBootError extends Error {
  constructor(readonly report: BootReport) {
    super(`TZTCM boot stopped at ${report.reason}`);
  }
}

export function stateStoreOver(storage: SecureStorage, ta: TaIdentity = TZTCM_TA): PersistentStateStore {
  return {
    load: () => (storage.exists(ta, STATE_OBJECT) ? storage.read(ta, STATE_OBJECT) : undefined),
    save: (image) => storage.write(ta, STATE_OBJECT, image),
  };
}

export interface TztcmStateStore extends PersistentStateStore {
  readonly boot: BootReport;
  readonly storage: SecureStorage;
  /** true when this call provisioned a new device in the directory */
  readonly provisioned: boolean;
  /** release the state directory (also released when the process exits) */
  close(): void;
}

export interface StateStoreOptions extends DeviceOptions {
  /** the directory is already locked by a storage owner that handed this token over (the
   * s-core worker of a service, storage/fs/dir-lock.ts): checked, not taken, and not released */
  readonly lockToken?: string;
}

/**
 * Boot the device kept in `dir` (or in `fs`) and open the TZTCM's state. Without a lock token the
 * directory is locked for this call's owner until `close()` (or exit). Throws TztcmBootError, or
 * DirLockedError when another live owner holds the directory.
 */
export function openTztcmStateStore(dir: string | StorageFs, opts: StateStoreOptions = {}): TztcmStateStore {
  let release = () => {};
  if (typeof dir === 'string') {
    nodeFs(dir); // creates it
    if (opts.lockToken !== undefined) checkLock(dir, opts.lockToken);
    else release = lockDir(dir).release;
  }
  try {
    const fs = typeof dir === 'string' ? nodeFs(dir) : dir;
    const up = powerUpDevice(fs, opts);
    if (!up.report.ok || !up.storage) throw new TztcmBootError(up.report);
    return { ...stateStoreOver(up.storage), boot: up.report, storage: up.storage, provisioned: up.provisioned, close: release };
  } catch (e) {
    release();
    throw e;
  }
}
