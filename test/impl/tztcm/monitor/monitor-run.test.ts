/**
 * The whole scenario with real threads: the host workload on a host core, the checks on the
 * s-core worker (or on the host's core), an attack injected from the host's side. Every attack
 * is detected and acted on; a clean host raises no alarm. Small kernels and short runs keep it
 * quick; detection latency against its bound is measured by bench/monitor.bench.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runMonitorScenario, type MonitorRunOptions } from '../../../../impl/tztcm/monitor/monitor-run.ts';
import { ATTACKS } from '../../../../impl/tztcm/monitor/attacks.ts';
import { PAGE_SIZE } from '../../../../impl/tztcm/monitor/host-memory.ts';
import { loadKernelText } from '../../../../impl/tztcm/monitor/kernel-text.ts';
import { createHash } from 'node:crypto';

const base: MonitorRunOptions = { periodMs: 20, policy: 'log', placement: 'dedicated', durationMs: 1200, kernelBytes: 256 * PAGE_SIZE, skip: ['spawn'] };

test('a clean host: measurements run, no alarm, no intervention', async () => {
  const r = await runMonitorScenario(base);
  assert.ok(r.measurements.count >= 3, `only ${r.measurements.count} measurements`);
  assert.deepEqual(r.alarms, []);
  assert.deepEqual(r.interventions, []);
  assert.ok(r.host.rounds > 0);
  // the report names the code it watched, with a digest anyone can recompute from its source
  const k = loadKernelText(base.kernelBytes);
  assert.deepEqual([r.kernel.kind, r.kernel.sha256, r.kernel.source], [k.kind, k.sha256, k.source]);
  assert.equal(r.kernel.sha256, createHash('sha256').update(k.bytes).digest('hex'));
  if (process.env['CI']) assert.equal(r.kernel.kind, 'debian-kernel', r.kernel.fallback);
});

for (const attack of ATTACKS) {
  test(`${attack} is detected and alarmed`, async () => {
    const r = await runMonitorScenario({ ...base, attack, attackAtMs: 150, policy: attack === 'nx-undo' ? 'nx' : 'log' });
    assert.ok(r.attack, 'the attack was injected');
    assert.ok(r.detection, `${attack} was not detected`);
    assert.ok(r.alarms.length > 0, 'a host process can read the alarm');
    if (attack === 'nx-undo') assert.ok(r.timeline.some((t) => t.what === 'detect') && r.interventions.some((i) => i.finding === 'lock-undone'), 'the undone lock is found and set again');
  });
}

test('pause: the host parks at a safe point; nx: the hooked page is refused; revoke-io: net0 withdrawn', async () => {
  const p = await runMonitorScenario({ ...base, attack: 'inline-hook', attackAtMs: 150, policy: 'pause' });
  assert.notEqual(p.hostPausedAtMs, null, 'the host never parked');
  assert.ok(p.host.parkedMs > 0);
  const n = await runMonitorScenario({ ...base, attack: 'inline-hook', attackAtMs: 150, policy: 'nx' });
  assert.ok(n.host.nxFaults > 0, 'the executor kept running the hooked page');
  const r = await runMonitorScenario({ ...base, attack: 'pte-remap', attackAtMs: 150, policy: 'revoke-io' });
  assert.ok(r.interventions.some((i) => i.device === 'net0'));
});

test('the shared placement (no dedicated core) detects too, from the host thread', async () => {
  const r = await runMonitorScenario({ ...base, placement: 'shared', attack: 'inline-hook', attackAtMs: 150 });
  assert.ok(r.detection);
  assert.ok(r.measurements.count >= 3);
});
