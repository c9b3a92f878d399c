/**
 * One storage owner at a time per state directory. Mounting removes the leftovers of interrupted
 * writes, so a second owner mounting a directory another one is writing to could remove an object
 * file the first is about to commit.
 *
 * The lock is owned by one *storage owner*, not by a process: `lockDir` creates `.lock`
 * exclusively (O_EXCL) with the owner's pid, the process's start time and a random token, and
 * returns that token. Whoever the owner lets use the directory — the s-core worker it starts, which
 * lives in the same process and dies and is restarted under the same owner — proves it with
 * `checkLock(dir, token)` instead of locking again (the first design locked per pid in the worker,
 * and a restarted s-core found its own lock). A second owner, in another process or in this one,
 * holds no token and is refused. The lock is released by `release()` or at the process's exit; a
 * lock whose process is gone (kill -9, a crash) is stale and taken over. The start time (Linux
 * /proc/PID/stat field 22) tells a dead owner from an unrelated process that got its pid again.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DirLockedError extends Error {}

export const LOCK_FILE = '.lock';

interface LockRecord {
  readonly pid: number;
  /** the process's start time in clock ticks since boot (null where /proc is not there) */
  readonly start: string | null;
  readonly token: string;
}

export interface DirLock {
  /** what the owner hands to the code it lets use the directory (checkLock) */
  readonly token: string;
  release(): void;
}

/** Field 22 of /proc/PID/stat (after the parenthesised command, which may hold spaces). */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(rec: LockRecord): boolean {
  try {
    process.kill(rec.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // the pid lives: the same process only if it started when the lock's owner did
  const now = startTime(rec.pid);
  return rec.start === null || now === null || now === rec.start;
}

function readLock(path: string): LockRecord | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const r = JSON.parse(text) as LockRecord;
    if (Number.isInteger(r.pid) && r.pid > 0 && typeof r.token === 'string') return r;
  } catch {
    /* an older pid-only lock, or a torn write: judged by its pid below */
  }
  const pid = Number(text.trim());
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : 0, start: null, token: '' };
}

/** Take the directory's lock for a new owner. Throws DirLockedError if a live owner holds it. */
export function lockDir(dir: string): DirLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    const rec: LockRecord = { pid: process.pid, start: startTime(process.pid), token: randomBytes(16).toString('hex') };
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = readLock(path);
      if (held && held.pid > 0 && alive(held)) {
        const who = held.pid === process.pid ? 'another owner in this process' : `process ${held.pid}`;
        throw new DirLockedError(`state directory ${dir} is in use by ${who} (its ${LOCK_FILE})`);
      }
      rmSync(path, { force: true }); // stale: its owner's process is gone
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(rec));
    } finally {
      closeSync(fd);
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      // only our own lock: a stale-lock takeover by another owner must not be undone
      if (readLock(path)?.token === rec.token) rmSync(path, { force: true });
    };
    process.on('exit', release);
    return { token: rec.token, release };
  }
  throw new DirLockedError(`state directory ${dir}: could not take its lock`);
}

/** The directory is locked by the owner that handed out `token`; DirLockedError otherwise. */
export function checkLock(dir: string, token: string): void {
  const held = readLock(join(dir, LOCK_FILE));
  if (!held || held.token !== token) throw new DirLockedError(`state directory ${dir} is not locked by this storage owner (its ${LOCK_FILE} ${held ? 'names another owner' : 'is missing'})`);
}
