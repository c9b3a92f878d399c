/**
 * Writing an export without ever destroying what was there on error: the text goes to a
 * temporary file in the same directory, is flushed to the disk, and is then renamed over the
 * target (atomic on the same file system). A failed write (a full disk, a read-only file system)
 * leaves the old file untouched and no temporary behind.
 *
 * The target is what the path names, not the path itself: a symbolic link is written through
 * (the file it points to is replaced, the link stays), an existing file keeps its mode (a 0600
 * file stays 0600), and a path that is not a regular file — a directory, a device such as
 * /dev/full, a pipe — is refused rather than replaced by a file. Every failure is a
 * {@link FileWriteError} naming the path the caller gave.
 * @module
 */
import { chmodSync, chownSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A file that could not be written: the path as given, an errno-style code, and why. */
export class FileWriteError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
    readonly reason: string,
  ) {
    super(`cannot write '${path}': ${reason}${code ? ` (${code})` : ''}`);
    this.name = 'FileWriteError';
  }
}

/** What the errno of an ordinary I/O problem with a path means, in words (shared with the CLI's
 * error lines, cli/error-line.ts). */
export const IO_REASONS: Readonly<Record<string, string>> = {
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  ENAMETOOLONG: 'name too long',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  EXDEV: 'not on the same file system',
};

/** The file a path leads to: through symbolic links (also a dangling one: its target is made). */
function followLinks(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  const e = new Error('too many symbolic links') as NodeJS.ErrnoException;
  e.code = 'ELOOP';
  throw e;
}

export function writeFileAtomic(path: string, text: string): void {
  const fail = (e: unknown): never => {
    if (e instanceof FileWriteError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new FileWriteError(path, code, IO_REASONS[code] ?? (e as Error).message);
  };
  let target: string;
  let old: Stats | null = null;
  try {
    target = followLinks(path);
    try {
      old = statSync(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (old?.isDirectory()) throw new FileWriteError(path, 'EISDIR', 'is a directory');
    if (old && !old.isFile()) throw new FileWriteError(path, '', 'not a regular file (a device, a pipe or a socket); refused');
    mkdirSync(dirname(target), { recursive: true });
  } catch (e) {
    return fail(e);
  }
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', old ? old.mode & 0o7777 : 0o666);
    try {
      const bytes = Buffer.from(text, 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      // on the disk before the rename: a crash never leaves an empty or short file in its place
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (old) {
      // the mode as it was (openSync's mode is filtered by the umask); the owner too, where allowed
      chmodSync(tmp, old.mode & 0o7777);
      try {
        chownSync(tmp, old.uid, old.gid);
      } catch {
        // not ours to give away (not root): the file is the writer's, as any new file
      }
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    fail(e);
  }
}
