/**
 * A `PersistentStateStore` in one file of a directory (`tcv tztcm serve --state DIR`): `save`
 * writes a temporary file, flushes it to disk and renames it over the image (rename is atomic
 * on POSIX file systems), so a crash or a killed s-core leaves the old image or the new one,
 * never a torn one. The secure storage of seed 002 §2.2 (PUF-derived keys, RPMB) can replace it
 * behind the same interface.
 * @module
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PersistentStateStore } from '../engine-contract.ts';

export const STATE_FILE = 'tztcm-nv.bin';

export function fileStateStore(dir: string): PersistentStateStore {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, STATE_FILE);
  return {
    load() {
      try {
        return new Uint8Array(readFileSync(file));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    save(image) {
      const tmp = `${file}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, image);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    },
  };
}
