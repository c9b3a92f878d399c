import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROTOCOLS } from '../../../models/catalog.ts';
import { threadId } from 'node:worker_threads';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PoolError, verifyMany } from '../../../properties/explorer/verify-pool.ts';
import { targetOf } from '../../../models/target.ts';

const byName = (n: string) => ALL_PROTOCOLS.find((p) => p.name === n)!;

test('verify pool: two workers give the reports one thread gives, in target order', async () => {
  const targets = ['nspk', 'nsl', 'nssk', 'tztcm-session'].map((n) => ({ target: targetOf(byName(n), undefined, { sessions: 1 }), opts: {} }));
  const seen: string[] = [];
  const threads = new Set<number>();
  const two = await verifyMany(targets, 2, (done, t, _r, thread) => (seen.push(`${done}:${t.target.base.name}`), threads.add(thread)));
  const one = await verifyMany(targets, 1);
  assert.deepEqual(two.map((r) => r.protocol), ['nspk', 'nsl', 'nssk', 'tztcm-session']);
  const verdicts = (rs: typeof one) => rs.map((r) => r.properties.map((x) => `${r.protocol} ${x.id} ${x.verdict}`));
  assert.deepEqual(verdicts(two), verdicts(one));
  // Lowe's attack came back across the thread as trace data
  assert.ok(two[0]!.properties.find((x) => x.id === 'NS2')!.trace!.steps.length > 0);
  assert.equal(seen.length, 4);
  assert.deepEqual(seen.map((s) => Number(s.split(':')[0])), [1, 2, 3, 4]);
  // every target ran in a worker thread, started from these TypeScript sources (Node 20 ignores
  // `--import tsx` in a worker's execArgv: the old pool silently ran all of them here)
  assert.ok(threads.size >= 1 && !threads.has(threadId), `threads ${[...threads].join(',')}`);
});

test('verify pool: a protocol no worker can load is an error, not a silent run in this thread', async () => {
  const edited = { ...byName('nspk'), name: 'nspk-edited' };
  await assert.rejects(verifyMany([{ target: targetOf(edited, undefined, { sessions: 1 }), opts: {} }, { target: targetOf(byName('nsl'), undefined, { sessions: 1 }), opts: {} }], 2), (e: Error) => e instanceof PoolError && /nspk-edited: not in the catalog/.test(e.message));
});

test('verify pool: a protocol of a user module is loaded by the worker from that module', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcv-pool-'));
  const file = join(dir, 'mine.mts');
  const catalog = pathToFileURL(join(import.meta.dirname, '../../../models/catalog.ts')).href;
  writeFileSync(file, `import { ALL_PROTOCOLS } from ${JSON.stringify(catalog)};\nexport const mine = { ...ALL_PROTOCOLS.find((p) => p.name === 'nspk'), name: 'nspk-mine' };\n`);
  const { mine } = (await import(pathToFileURL(file).href)) as { mine: typeof edited };
  const edited = byName('nspk');
  const threads: number[] = [];
  const [r] = await verifyMany([{ target: targetOf(mine, undefined, { sessions: 1 }), opts: {}, module: file }, { target: targetOf(byName('nssk'), undefined, { sessions: 1 }), opts: {} }], 2, (_d, _t, _r, th) => threads.push(th));
  assert.equal(r!.protocol, 'nspk-mine');
  assert.equal(r!.properties.find((x) => x.id === 'NS2')!.verdict, 'attack');
  assert.ok(!threads.includes(threadId));
});

test('verify pool: a worker that fails is an error naming the target', async () => {
  // a variant the worker cannot find: resolved in the worker against the module's protocols
  const dir = mkdtempSync(join(tmpdir(), 'tcv-pool-'));
  const file = join(dir, 'none.mts');
  writeFileSync(file, 'export const nothing = 1;\n');
  await assert.rejects(verifyMany([{ target: targetOf(byName('nspk'), undefined, { sessions: 1 }), opts: {}, module: file }, { target: targetOf(byName('nsl'), undefined, { sessions: 1 }), opts: {} }], 2), (e: Error) => e instanceof PoolError && /verifying nspk in a worker failed: unknown protocol/i.test(e.message));
});
