/**
 * One process at a time per state directory. Mounting removes the leftovers of interrupted
 * writes, so a second process mounting a directory another one is writing to could remove an
 * object file the first is about to commit. A lock file `.lock` (created exclusively, holding the
 * owner's pid) keeps the second one out; a lock whose process is gone is stale and taken over.
 * @module
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DirLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the directory's lock; returns the release function. Throws DirLockedError if a live process holds it. */
export function lockDir(dir: string): () => void {
  const path = join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        rmSync(path, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new DirLockedError(`state directory ${dir} is in use by process ${pid}`);
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new DirLockedError(`state directory ${dir}: could not take its lock`);
}
