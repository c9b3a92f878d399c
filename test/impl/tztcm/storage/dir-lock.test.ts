/**
 * The state directory's lock (impl/tztcm/storage/fs/dir-lock.ts): one storage owner, with a
 * token the code it starts (the s-core worker, same pid) proves itself with; a second owner in
 * this process or a live other process is refused; a dead owner's lock (a pid not running, or a
 * pid now running another program: a different start time) is stale and taken over.
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLock, DirLockedError, LOCK_FILE, lockDir } from '../../../../impl/tztcm/storage/fs/dir-lock.ts';

function withDir(f: (dir: string) => Promise<void> | void) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcv-dirlock-'));
    try {
      await f(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const procStart = (pid: number) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]!;
};

describe('dir-lock', () => {
  it('the owner token passes checkLock; another token, or no lock, does not', withDir((dir) => {
    const a = lockDir(dir);
    checkLock(dir, a.token);
    assert.throws(() => checkLock(dir, 'f'.repeat(32)), DirLockedError);
    assert.throws(() => lockDir(dir), /another owner in this process/);
    a.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
    assert.throws(() => checkLock(dir, a.token), /is missing/);
    const b = lockDir(dir);
    assert.notEqual(b.token, a.token, 'a new owner gets a new token');
    b.release();
  }));

  it('a live other process holding the lock is refused, named by its pid', withDir(async (dir) => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, start: procStart(child.pid!), token: 'x' }));
      assert.throws(() => lockDir(dir), new RegExp(`in use by process ${child.pid}`));
      // the same pid with another start time is another program that got the pid again: stale
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, start: '1', token: 'x' }));
      lockDir(dir).release();
    } finally {
      child.kill('SIGKILL');
    }
  }));

  it('a dead owner (kill -9) leaves a stale lock, taken over; an old pid-only lock too', withDir(async (dir) => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, start: procStart(child.pid!), token: 'x' }));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const l = lockDir(dir);
    assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { token: string }).token, l.token);
    l.release();
    writeFileSync(join(dir, LOCK_FILE), '999999999');
    lockDir(dir).release();
  }));

  it("release removes only its own lock (not a later owner's after a takeover)", withDir((dir) => {
    const a = lockDir(dir);
    rmSync(join(dir, LOCK_FILE));
    const b = lockDir(dir);
    a.release();
    checkLock(dir, b.token);
    b.release();
  }));
});
