/**
 * Issue 22 rows 1 and 6: every budget holds. A bound above MAX_SESSIONS is an error before any
 * work; at the largest bound allowed the time budget holds (the symmetry permutations are no
 * longer all built before their cap, the scenario is not built in O(n²)); `attack` has a
 * --timeout; past 75% of the heap limit the search ends inconclusive with the reason instead of
 * V8's fatal out-of-memory. Searches that would run long run in child processes killed after a
 * few seconds, so a regression fails here instead of hanging the suite.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ALL_PROTOCOLS } from '../../../models/catalog.ts';
import { protocolByName } from '../../../models/protocols/index.ts';
import { buildScenario } from '../../../properties/explorer/scenario.ts';
import { explore } from '../../../properties/explorer/search.ts';
import { BoundError, MAX_SESSIONS, targetOf } from '../../../models/target.ts';

const nspk = protocolByName('nspk', ALL_PROTOCOLS);

test('a bound above MAX_SESSIONS is refused before any work', () => {
  for (const sessions of [MAX_SESSIONS + 1, 10_000, 1e9, 1e20, 0, -1, 1.5]) {
    const t0 = performance.now();
    assert.throws(() => explore(targetOf(nspk, undefined, { sessions })), BoundError, String(sessions));
    assert.ok(performance.now() - t0 < 100);
  }
  assert.equal(buildScenario(nspk, { sessions: MAX_SESSIONS }).instances.filter((i) => i.role === 'I').length, MAX_SESSIONS + 1);
});

/** `tcv ...args` in a child process, killed after `killMs`: its exit code, output and wall time. */
function timed(args: string[], killMs: number, nodeArgs: string[] = []) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, 'bin/tcv.js', ...args], { encoding: 'utf8', timeout: killMs, killSignal: 'SIGKILL' });
  return { status: r.status, signal: r.signal, out: r.stdout, err: r.stderr, ms: performance.now() - t0 };
}

// the launcher's own start (from the sources: a second, several on a machine shared by many jobs)
// is not the search's; the search's own time is checked to the timeout plus 2 s
const START_MS = 6000;

test(`verify at the largest bound (${MAX_SESSIONS} sessions) stops at --timeout 1 (was 106 s at 9)`, () => {
  const r = timed(['verify', 'nspk', '--sessions', String(MAX_SESSIONS), '--timeout', '1', '--json'], 30_000);
  assert.equal(r.status, 4, `exit ${r.status} ${r.signal ?? ''} ${r.err}`);
  const j = JSON.parse(r.out) as { properties: { verdict: string }[]; stats: { ms: number; cut?: string } };
  assert.match(j.stats.cut ?? '', /time budget \(1 s\) reached/);
  assert.ok(j.properties.every((p) => p.verdict !== 'holds'), 'nothing holds in a cut search');
  assert.ok(j.stats.ms < 3000, `the search took ${j.stats.ms} ms`);
  assert.ok(r.ms < 3000 + START_MS, `the process took ${Math.round(r.ms)} ms`);
});

test('attack has --timeout: a cut search is inconclusive, exit 4', () => {
  const r = timed(['attack', 'provisioning', '--variant', 'M3.2', '--sessions', String(MAX_SESSIONS), '--timeout', '1', '--json'], 30_000);
  assert.equal(r.status, 4, `exit ${r.status} ${r.signal ?? ''} ${r.err}`);
  const j = JSON.parse(r.out) as { found: boolean; inconclusive: boolean; cut: string };
  assert.equal(j.found, false);
  assert.equal(j.inconclusive, true);
  assert.match(j.cut, /time budget \(1 s\)/);
  assert.ok(r.ms < 3000 + START_MS, `the process took ${Math.round(r.ms)} ms`);
});

test('at the heap limit the search ends inconclusive with the reason (memory budget), not a fatal OOM', () => {
  // a 192 MB heap, 77% of it taken by ballast the search cannot free: past the budget at once
  const script = `
    import { getHeapStatistics } from 'node:v8';
    const { main } = await import('./cli/main.ts');
    await import('./properties/explorer/verify.ts');
    const ballast = [];
    while (getHeapStatistics().used_heap_size < 0.77 * getHeapStatistics().heap_size_limit) ballast.push(new Array(1 << 14).fill(ballast.length));
    const out = [];
    const code = await main(['verify', 'nspk', '--sessions', '2', '--json'], { out: (l) => out.push(l), err: (l) => console.error(l), isTTY: false });
    console.log(JSON.stringify({ code, report: JSON.parse(out.join('\\n')), kept: ballast.length > 0 }));`;
  const r = spawnSync(process.execPath, ['--max-old-space-size=192', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
  assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}: ${r.stderr.slice(-400)}`);
  const { code, report } = JSON.parse(r.stdout) as { code: number; report: { properties: { verdict: string }[]; stats: { cut?: string } } };
  assert.match(report.stats.cut ?? '', /memory budget \(75% of the \d+ MB heap limit\) reached/);
  assert.ok(report.properties.some((p) => p.verdict === 'inconclusive'));
  assert.equal(code, 4);
});
