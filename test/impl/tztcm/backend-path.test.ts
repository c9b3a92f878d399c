/**
 * `openTztcmBackend` (the `--tpm tztcm` backend): by default every command of the TSS client
 * goes through the whole TZTCM path — TDDL, protocol 4 under K_uuid, the GP call, the s-core
 * worker, the engine — and the in-process engine stays available as path 'direct'.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTztcmBackend } from '../../../impl/tztcm/backend.ts';
import { memoryStateStore } from '../../../impl/tztcm/engine/tztcm-engine.ts';

test('the default backend runs the TSS client over the whole path (the TDDL counts the commands)', async () => {
  const b = await openTztcmBackend();
  try {
    assert.equal(b.engine, null, 'the engine is behind the s-core, not in this thread');
    const r = await b.client.getRandom(16);
    assert.equal(r.bytes.length, 16);
    assert.ok(b.service!.tddl.stats.commands >= 2, 'Startup and GetRandom went through protocol 4');
    assert.ok(b.service!.tddl.stats.sessions >= 1);
  } finally {
    await b.close();
  }
  assert.equal(b.service!.alive, false, 'close stops the s-core');
});

test('path direct keeps the engine in this thread; a store object cannot cross into the s-core', async () => {
  const d = await openTztcmBackend({ path: 'direct' });
  try {
    assert.ok(d.engine);
    assert.equal(d.service, null);
    assert.equal((await d.client.getRandom(8)).bytes.length, 8);
  } finally {
    await d.close();
  }
  await assert.rejects(openTztcmBackend({ path: 'service', store: memoryStateStore() }), /cannot cross into the s-core; use stateDir, or path: direct/);
});
