/**
 * The TZTCM's persistent state in the secure storage: survives a restart (a new process would
 * see the same directory), another TA cannot read it, an altered state file is named rather
 * than read as "no state".
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTztcmStateStore, TztcmBootError, TZTCM_TA } from '../../../impl/tztcm/state-store.ts';
import { StorageError } from '../../../impl/tztcm/storage/secure-storage.ts';
import { DirLockedError } from '../../../impl/tztcm/storage/fs/dir-lock.ts';

describe('TZTCM state store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcv-state-'));
  const image = new TextEncoder().encode('engine image: seeds, NV, persistent handles, lockout');

  it('first boot provisions and has no state; a saved image is there after a restart', () => {
    const s1 = openTztcmStateStore(dir, { chip: 'chip-S' });
    assert.ok(s1.provisioned);
    assert.equal(s1.load(), undefined);
    s1.save(image);
    s1.close();
    const s2 = openTztcmStateStore(dir, { chip: 'chip-S' });
    assert.equal(s2.provisioned, false);
    assert.deepEqual(s2.load(), image);
    assert.equal(s2.boot.measurements.length, 2);
    assert.equal(s2.boot.rpmbCounter, 1);
    s2.close();
  });

  it('a second TA cannot read the TZTCM state', () => {
    const s = openTztcmStateStore(dir, { chip: 'chip-S' });
    const other = { name: 'ta2', uuid: new Uint8Array(16).fill(2) };
    assert.throws(() => s.storage.read(other, 'tpm-state'), (e: StorageError) => e.code === 'not-found');
    assert.deepEqual(s.storage.list(TZTCM_TA), ['tpm-state']);
    s.close();
  });

  it('an altered state file is named, not taken for a first boot', () => {
    const obj = readdirSync(dir).find((n) => n.endsWith('.obj'))!;
    const b = readFileSync(join(dir, obj));
    b[b.length - 5]! ^= 1;
    writeFileSync(join(dir, obj), b);
    const s = openTztcmStateStore(dir, { chip: 'chip-S' });
    assert.throws(() => s.load(), (e: StorageError) => e.code === 'corrupted' && e.message.includes(obj));
    s.close();
  });

  it('another chip over this directory does not boot', () => {
    assert.throws(() => openTztcmStateStore(dir, { chip: 'chip-X' }), (e: TztcmBootError) => /GRU rebuild/.test(e.message));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('state directory lock', () => {
  it('a second open of a directory in use is refused (another owner in this process); after close it opens', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcv-lock-'));
    try {
      const a = openTztcmStateStore(dir, { chip: 'chip-L' });
      assert.throws(() => openTztcmStateStore(dir, { chip: 'chip-L' }), (e: DirLockedError) => e instanceof DirLockedError && /in use by another owner in this process/.test(e.message));
      a.close();
      const b = openTztcmStateStore(dir, { chip: 'chip-L' });
      b.close();
      // a stale lock (a pid that is not running) is taken over
      writeFileSync(join(dir, '.lock'), '999999999');
      openTztcmStateStore(dir, { chip: 'chip-L' }).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('state directory contents', () => {
  it("a directory holding only other files is provisioned beside them; one missing some of the device's files is not re-provisioned", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcv-foreign-'));
    try {
      writeFileSync(join(dir, 'tztcm-nv.bin'), 'an older plain state image');
      const s = openTztcmStateStore(dir, { chip: 'chip-F' });
      assert.ok(s.provisioned);
      s.close();
      assert.equal(readFileSync(join(dir, 'tztcm-nv.bin'), 'utf8'), 'an older plain state image');
      rmSync(join(dir, 'dataka.bin'));
      assert.throws(() => openTztcmStateStore(dir, { chip: 'chip-F' }), (e: TztcmBootError) => /dataka\.bin\) is missing/.test(e.message));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
