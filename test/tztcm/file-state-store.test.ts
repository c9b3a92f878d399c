/**
 * The `--state DIR` store: an image survives a new store on the same directory, a save replaces
 * it whole, and a save that died before its rename (a leftover temporary file) leaves the last
 * complete image in place.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATE_FILE, fileStateStore } from '../../impl/tztcm/score/file-state-store.ts';

test('fileStateStore: first boot, save, reload; a torn save leaves the old image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tztcm-store-'));
  try {
    const a = fileStateStore(join(dir, 'nv'));
    assert.equal(a.load(), undefined, 'first boot');
    a.save(Uint8Array.of(1, 2, 3));
    a.save(Uint8Array.of(4, 5, 6, 7));
    assert.deepEqual(fileStateStore(join(dir, 'nv')).load(), Uint8Array.of(4, 5, 6, 7));
    // a crash between write and rename: a partial temporary file, never the image itself
    writeFileSync(join(dir, 'nv', `${STATE_FILE}.999.tmp`), Uint8Array.of(9));
    assert.deepEqual(fileStateStore(join(dir, 'nv')).load(), Uint8Array.of(4, 5, 6, 7));
    assert.deepEqual(readdirSync(join(dir, 'nv')).sort(), [STATE_FILE, `${STATE_FILE}.999.tmp`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
