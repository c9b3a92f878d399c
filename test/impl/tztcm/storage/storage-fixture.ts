/**
 * A storage over a memory file system with its RPMB on the same file system (so one operation
 * counter covers REE files and RPMB image), for the storage tests.
 * @module
 */
import { seededRandom } from '../../../../impl/crypto/index.ts';
import { MemoryFs } from '../../../../impl/tztcm/storage/fs/memory-fs.ts';
import { RpmbDevice } from '../../../../impl/tztcm/storage/rpmb/rpmb-device.ts';
import { RpmbClient } from '../../../../impl/tztcm/storage/rpmb/rpmb-client.ts';
import { parseUuid, SecureStorage, type TaIdentity } from '../../../../impl/tztcm/storage/secure-storage.ts';
import { deriveSsk } from '../../../../impl/tztcm/storage/storage-keys.ts';

export const K_RPMB = new Uint8Array(32).fill(0x42);
export const SSK = deriveSsk(new Uint8Array(32).fill(7), new TextEncoder().encode('chip-A'));
export const TZTCM: TaIdentity = { name: 'tztcm', uuid: parseUuid('7a7c4d00-0000-4000-8000-000000000001') };
export const TA2: TaIdentity = { name: 'ta2', uuid: parseUuid('7a7c4d00-0000-4000-8000-000000000002') };
export const TA3: TaIdentity = { name: 'ta3', uuid: parseUuid('7a7c4d00-0000-4000-8000-000000000003') };

/** a fresh file system with a programmed RPMB */
export function freshFs(): MemoryFs {
  const fs = new MemoryFs();
  new RpmbClient(new RpmbDevice(fs), K_RPMB, seededRandom(0)).programKey();
  return fs.snapshot();
}

let seed = 1;
export function mount(fs: MemoryFs, ssk = SSK): SecureStorage {
  const rng = seededRandom(seed++);
  return SecureStorage.mount({ fs, rpmb: new RpmbClient(new RpmbDevice(fs), K_RPMB, rng), ssk, rng });
}

export const text = (s: string) => new TextEncoder().encode(s);
export const str = (b: Uint8Array) => new TextDecoder().decode(b);
