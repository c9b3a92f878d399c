/**
 * Real cores for the s-core (cpu-affinity.ts): a thread binds itself alone (the process's other
 * threads keep their CPUs), and the monitor TA reports where its thread may run. The benchmark's
 * TZTCM-side gate: no tick while it is closed, ticks counted while it is open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { allowedCpus, threadId, threadSchedStat } from '../../../../impl/tztcm/monitor/cpu-affinity.ts';
import { monitorTrustedApp } from '../../../../impl/tztcm/monitor/monitor-ta.ts';
import { bootHost } from '../../../../impl/tztcm/monitor/host-boot.ts';
import { loadKernelText } from '../../../../impl/tztcm/monitor/kernel-text.ts';
import { PAGE_SIZE } from '../../../../impl/tztcm/monitor/host-memory.ts';

const linux = threadId() !== null;
const taskset = linux && spawnSync('taskset', ['-V']).status === 0;

test('a thread pins itself alone: the worker is on CPU 0, the main thread keeps its CPUs', { skip: !taskset && 'no taskset (util-linux) or not Linux' }, async () => {
  const before = allowedCpus();
  // a plain-JS worker (no tsx in workers on Node 20): the same taskset call as pinThisThread
  const src = `
    const { parentPort } = require('node:worker_threads');
    const fs = require('node:fs');
    const tid = fs.readlinkSync('/proc/thread-self').split('/').pop();
    const r = require('node:child_process').spawnSync('taskset', ['-p', '-c', '0', tid]);
    const cpus = /Cpus_allowed_list:\\s*(\\S+)/.exec(fs.readFileSync('/proc/thread-self/status', 'utf8'))[1];
    parentPort.postMessage({ status: r.status, cpus, tid: Number(tid) });`;
  const m = await new Promise<{ status: number; cpus: string; tid: number }>((res, rej) => {
    const w = new Worker(src, { eval: true });
    w.once('message', (x) => void w.terminate().then(() => res(x)));
    w.once('error', rej);
  });
  assert.equal(m.status, 0);
  assert.equal(m.cpus, '0');
  assert.notEqual(m.tid, threadId());
  assert.equal(allowedCpus(), before, "the main thread's CPU set is untouched");
  const s = threadSchedStat();
  assert.ok(s && s.runNs > 0, 'schedstat gives this thread time on a CPU');
});

test('the TA pins its thread and reports the CPUs; the gate holds ticks back and counts them', () => {
  const { mem, layout } = bootHost(loadKernelText(32 * PAGE_SIZE));
  const gate = new SharedArrayBuffer(12);
  const g = new Int32Array(gate);
  let task: ((late: number) => void) | null = null;
  const ta = monitorTrustedApp({ schedule: (_p, t) => ((task = t), () => undefined) }, { buffers: mem.buffers, layout, options: { policy: 'log' }, periodMs: 10, gate });
  const read = () => {
    const s = ta.openSession(new Uint8Array(0));
    const from = new Uint8Array(4);
    return JSON.parse(new TextDecoder().decode(s.session!.invoke(2, from).payload)) as { ticks: unknown[] };
  };
  task!(0);
  assert.equal(read().ticks.length, 0, 'a closed gate: no measurement');
  Atomics.store(g, 0, 1);
  task!(0);
  task!(0);
  assert.equal(read().ticks.length, 2);
  assert.equal(Atomics.load(g, 1), 2);
  assert.ok(Atomics.load(g, 2) > 0, 'the measurement time is counted');
  const boot = JSON.parse(new TextDecoder().decode(ta.openSession(new Uint8Array(0)).session!.invoke(1, new Uint8Array(0)).payload)) as { placement: { cpus: string | null } };
  assert.equal(boot.placement.cpus, allowedCpus());
});
