/**
 * One search split across processes (`tcv verify key-exchange --variant two-phase --sessions 3
 * --shard i/n`, issue 23 item 8): 1, 2 and 4 shards, all shards of a split started at once on
 * this machine, each with the same time budget; per shard its states, its time and whether the
 * budget cut it, and the merged verdicts (`tcv merge`). The unsplit search does not finish at
 * this bound in minutes, so the figures compare how much of the tree each split covers in the
 * same wall time; a verdict is `holds` only if every shard finished.
 * Writes bench/results/split-search.json. Run: node --import tsx bench/split-search.bench.ts
 * (BENCH_TIMEOUT_S, default 120, is each shard's budget).
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const TIMEOUT_S = Number(process.env['BENCH_TIMEOUT_S'] ?? 120);
const SPLITS = (process.env['BENCH_SPLITS'] ?? '1,2,4').split(',').map(Number);
const bin = new URL('../bin/tcv.js', import.meta.url).pathname;
const target = ['verify', 'key-exchange', '--variant', 'two-phase', '--sessions', '3', '--timeout', String(TIMEOUT_S)];
const work = mkdtempSync(join(tmpdir(), 'tcv-split-bench-'));

const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);

function shard(i: number, n: number): Promise<{ index: number; wallMs: number; file: string; exit: number | null }> {
  const file = join(work, `${n}-${i}.json`);
  const t0 = performance.now();
  return new Promise((res) => {
    const args = n === 1 ? [...target, '--json'] : [...target, '--shard', `${i}/${n}`, '--json'];
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('exit', (code) => {
      writeFileSync(file, out);
      res({ index: i, wallMs: Math.round(performance.now() - t0), file, exit: code });
    });
  });
}

const results = [];
for (const n of SPLITS) {
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const runs = await Promise.all(Array.from({ length: n }, (_, k) => shard(k + 1, n)));
  const wallMs = Math.round(performance.now() - t0);
  const shards = runs.map((r) => {
    const j = JSON.parse(readFileSync(r.file, 'utf8')) as { stats: { states: number; ms: number; cut?: string }; properties: { id: string; verdict: string }[] };
    return { index: r.index, states: j.stats.states, searchMs: j.stats.ms, wallMs: r.wallMs, cut: j.stats.cut ?? null, verdicts: j.properties.map((x) => `${x.id} ${x.verdict}`) };
  });
  const merged = spawnSync(process.execPath, [bin, 'merge', ...runs.map((r) => r.file), '--json'], { encoding: 'utf8' });
  const m = (JSON.parse(merged.stdout) as { properties: { id: string; verdict: string }[] }[])[0]!;
  const row = { shards: n, wallMs, loadAvg1mBefore: Math.round(load * 10) / 10, totalStates: shards.reduce((s, x) => s + x.states, 0), merged: m.properties.map((x) => `${x.id} ${x.verdict}`), mergeExit: merged.status, perShard: shards };
  process.stderr.write(`${n} shard(s): ${row.totalStates} states in ${wallMs} ms wall; merged ${row.merged.join(', ')}; per shard ${shards.map((s) => `${s.states} states ${s.searchMs} ms${s.cut ? ' (cut)' : ''}`).join(' | ')}\n`);
  results.push(row);
}

rmSync(work, { recursive: true, force: true });
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/split-search.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), cores: availableParallelism(), target: target.join(' '), timeoutPerShardS: TIMEOUT_S, note: 'shared 2-core machine with other helpers running: noisy; more shards than cores share the CPU', results }, null, 2) + '\n',
);
