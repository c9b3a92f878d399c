/**
 * The file-system layer under the secure storage and the RPMB image: a flat directory of named
 * files with the few operations a crash-safe writer needs (write, fsync, rename, remove, sync of
 * the directory). Everything above goes through this interface, so a test can substitute a file
 * system that loses power at any operation (./memory-fs.ts).
 *
 * POSIX semantics assumed by the writers (and modelled by the memory file system): a write is not
 * durable until fsync; rename replaces its target atomically; a name change is durable after the
 * directory is synced (fsync of the directory, cf. the Linux fsync(2) NOTES).
 * @module
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, statSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface StorageFs {
  /** the file's bytes, or undefined if there is no such file */
  read(name: string): Uint8Array | undefined;
  /** create or truncate, then write (not yet durable) */
  write(name: string, data: Uint8Array): void;
  fsync(name: string): void;
  /** atomically replace `to` by `from` */
  rename(from: string, to: string): void;
  remove(name: string): void;
  list(): string[];
  /** make the directory's name changes durable */
  syncDir(): void;
}

/** Names are plain file names: no path separators, no dot files (a REE path cannot escape). */
export function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(name)) throw new RangeError(`storage file name '${name}' is not a plain file name`);
}

/** Write `name` so that a power loss leaves the old contents or the new ones: temp, fsync, rename, sync dir. */
export function atomicReplace(fs: StorageFs, name: string, data: Uint8Array): void {
  const tmp = `${name}.tmp`;
  fs.write(tmp, data);
  fs.fsync(tmp);
  fs.rename(tmp, name);
  fs.syncDir();
}

/** The real file system: one directory. */
export function nodeFs(dir: string): StorageFs {
  // not `recursive: true`: its retry loop never ends under /proc (Node 20), and a state directory's
  // parent is expected to exist
  if (!existsSync(dir)) mkdirSync(dir);
  else if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  const p = (n: string) => {
    checkName(n);
    return join(dir, n);
  };
  const fsyncPath = (path: string) => {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
  return {
    read(name) {
      try {
        return new Uint8Array(readFileSync(p(name)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    write(name, data) {
      const fd = openSync(p(name), 'w');
      try {
        let off = 0;
        while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      } finally {
        closeSync(fd);
      }
    },
    fsync(name) {
      fsyncPath(p(name));
    },
    rename(from, to) {
      renameSync(p(from), p(to));
    },
    remove(name) {
      rmSync(p(name), { force: true });
    },
    list() {
      return readdirSync(dir).filter((n) => !n.startsWith('.'));
    },
    syncDir() {
      try {
        fsyncPath(dir);
      } catch {
        // some platforms cannot fsync a directory (e.g. Windows); rename is still atomic there
      }
    },
  };
}
