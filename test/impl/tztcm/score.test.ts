/**
 * The s-core (seed 002 §2.1): the engine on its own worker thread called through the shared
 * mailbox, against the passive service on the calling thread; the s-core's own timer; a worker
 * that dies or hangs; restart with the stored state intact; a clean stop.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TeecError, TEEC } from '../../../impl/tztcm/gp/teec.ts';
import { rebootingTransmit, startTztcmService } from '../../../impl/tztcm/service.ts';
import { countOf, frame } from './fixtures/counting-engine.ts';
import { TICKER_UUID } from './fixtures/ticker-ta.ts';

const engine = { module: new URL('./fixtures/counting-engine.ts', import.meta.url).href };
const ticker = { module: new URL('./fixtures/ticker-ta.ts', import.meta.url).href, export: 'tickerApp' };
const dead = (e: unknown) => e instanceof TeecError && e.code === TEEC.ERROR_TARGET_DEAD;

/** How many times this thread's event loop ran a 1 ms timer while `p` was pending. */
async function ticksDuring(p: () => Promise<unknown>): Promise<number> {
  let ticks = 0;
  const t = setInterval(() => ticks++, 1);
  await p();
  clearInterval(t);
  return ticks;
}

test('async s-core: the call returns at once and the host keeps running; the passive service holds the caller', async () => {
  const a = await startTztcmService({ mode: 'async', engine });
  const s = await startTztcmService({ mode: 'sync', engine });
  try {
    await a.transmit(frame('warm'));
    await s.transmit(frame('warm'));
    const asyncTicks = await ticksDuring(() => a.transmit(frame('SLOW')));
    const syncTicks = await ticksDuring(() => s.transmit(frame('SLOW')));
    // (a loose bound: on a loaded machine a 1 ms timer fires far less often than every 1 ms)
    assert.ok(asyncTicks >= 5, `the host thread ran ${asyncTicks} timer ticks during a 200 ms s-core call`);
    assert.ok(syncTicks <= 1, `the passive call held the calling thread (${syncTicks} ticks)`);
    assert.equal(countOf(await a.transmit(frame('x'))), 3);
  } finally {
    await a.stop();
    await s.stop();
  }
});

test('the s-core timer runs scheduled work with the host idle', async () => {
  const a = await startTztcmService({ mode: 'async', engine, apps: [ticker] });
  try {
    const ctx = a.newContext();
    const { session } = await ctx.openSession(TICKER_UUID);
    const read = async () => new DataView((await session.invokeCommand(0, new Uint8Array(0))).buffer).getUint32(0);
    const before = await read();
    await new Promise((r) => setTimeout(r, 300));
    const after = await read();
    // 60 periods; at least 5 runs even when the machine is loaded
    assert.ok(after - before >= 5, `a 5 ms task ran ${after - before} times in 300 ms`);
    await ctx.finalize();
  } finally {
    await a.stop();
  }
});

test('a worker that dies fails the pending call with TEEC_ERROR_TARGET_DEAD; restart serves again with the stored state whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tztcm-score-'));
  const a = await startTztcmService({ mode: 'async', engine, stateDir: dir });
  try {
    for (let i = 1; i <= 3; i++) assert.equal(countOf(await a.transmit(frame(`c${i}`))), i);
    await assert.rejects(a.transmit(frame('DIE!')), dead);
    await assert.rejects(a.transmit(frame('after')), dead, 'a dead s-core answers every later call the same way');
    assert.equal(a.alive, false);
    await a.restart();
    assert.equal(a.alive, true);
    assert.equal(countOf(await a.transmit(frame('again'))), 4, 'the count saved before the death survived');
  } finally {
    await a.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an s-core that does not answer in time is ended: TEEC_ERROR_TARGET_DEAD, never a hang', async () => {
  const a = await startTztcmService({ mode: 'async', engine, callTimeoutMs: 1500 });
  try {
    const t0 = performance.now();
    await assert.rejects(a.transmit(frame('SPIN')), dead);
    assert.ok(performance.now() - t0 < 5000);
    await a.restart();
    assert.equal(countOf(await a.transmit(frame('ok'))), 1, 'memory state is gone with the s-core (no --state)');
  } finally {
    await a.stop();
  }
});

test('an engine module that cannot be loaded is a one-line start-up error', async () => {
  await assert.rejects(startTztcmService({ mode: 'async', engine: { module: 'file:///nonexistent/engine.ts' } }), /the s-core did not start: cannot load the engine module/);
  await assert.rejects(startTztcmService({ mode: 'sync', engine: { module: engine.module, export: 'nope' } }), /has no function export 'nope'/);
});

test('rebootingTransmit (what serve uses): the command that meets the death fails, the next is served by a new s-core', async () => {
  const a = await startTztcmService({ mode: 'async', engine });
  const reboots: string[] = [];
  const transmit = rebootingTransmit(a, (why) => reboots.push(why));
  try {
    assert.equal(countOf(await transmit(frame('one'))), 1);
    await assert.rejects(transmit(frame('DIE!')), dead);
    assert.equal(reboots.length, 1);
    assert.match(reboots[0]!, /TEEC_ERROR_TARGET_DEAD/);
    assert.equal(countOf(await transmit(frame('two'))), 1, 'a fresh s-core (memory state: the count starts again)');
    await assert.rejects(transmit(frame('DIE!')), dead);
    assert.equal(countOf(await transmit(frame('three'))), 1);
    assert.equal(reboots.length, 2);
  } finally {
    await a.stop();
  }
});
