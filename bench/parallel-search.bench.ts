/**
 * One search split over worker threads (`properties/explorer/parallel-search.ts`) at 1 and 2
 * workers, beside the same search in this thread: wall medians, states summed over the parts
 * (the parts explore the levels above the split depth each, and equal states reached through
 * different owners' subtrees once per owner), verdicts (which must be the single search's).
 * The machine's load average is written with the figures: with other work on the cores, two
 * workers cannot show what two free cores would. Writes bench/results/parallel-search.json.
 * Run: node --import tsx bench/parallel-search.bench.ts   (BENCH_RUNS, default 3; BENCH_CASES)
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { ALL_PROTOCOLS } from '../models/catalog.ts';
import { targetOf } from '../models/target.ts';
import { verifyTarget } from '../properties/explorer/verify.ts';
import { SPLIT_DEPTH, verifySplit } from '../properties/explorer/parallel-search.ts';

const REPS = Number(process.env['BENCH_RUNS'] ?? 3);
const ALL_CASES: readonly { name: string; variant?: string; sessions?: number }[] = [{ name: 'key-exchange', variant: 'two-phase' }, { name: 'attestation', variant: 'M1.2' }, { name: 'provisioning', variant: 'M3.2' }];
// BENCH_CASES=N: the first N cases only (on a loaded machine the three take long)
const CASES = ALL_CASES.slice(0, Number(process.env['BENCH_CASES'] ?? ALL_CASES.length));

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const verdicts = (r: { properties: readonly { id: string; verdict: string }[] }) => r.properties.map((x) => `${x.id}:${x.verdict}`).join(' ');

const rows = [];
for (const c of CASES) {
  const p = ALL_PROTOCOLS.find((x) => x.name === c.name)!;
  const target = targetOf(p, c.variant, c.sessions ? { sessions: c.sessions } : undefined);
  const opts = { timeoutMs: 600_000 };
  const inThread: number[] = [];
  let single;
  const byWorkers: Record<number, { ms: number[]; states: number; verdicts: string }> = {};
  // interleaved: each repetition runs the three settings one after the other
  for (let i = 0; i < REPS; i++) {
    let t0 = performance.now();
    single = verifyTarget(target, opts);
    inThread.push(performance.now() - t0);
    for (const w of [1, 2]) {
      t0 = performance.now();
      const r = await verifySplit(target, opts, w);
      const e = (byWorkers[w] ??= { ms: [], states: r.stats.states, verdicts: verdicts(r) });
      e.ms.push(performance.now() - t0);
    }
  }
  const row = {
    protocol: c.name,
    variant: c.variant ?? null,
    states: single!.stats.states,
    inThreadMs: Math.round(median(inThread)),
    workers: Object.fromEntries(Object.entries(byWorkers).map(([w, e]) => [w, { medianMs: Math.round(median(e.ms)), states: e.states, sameVerdicts: e.verdicts === verdicts(single!) }])),
    speedup2over1: Math.round((median(byWorkers[1]!.ms) / median(byWorkers[2]!.ms)) * 100) / 100,
  };
  process.stderr.write(`${c.name} ${c.variant ?? '-'}: in thread ${row.inThreadMs} ms; 1 worker ${row.workers['1']!.medianMs} ms; 2 workers ${row.workers['2']!.medianMs} ms (${row.workers['2']!.states} states); ×${row.speedup2over1}\n`);
  rows.push(row);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/parallel-search.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: availableParallelism(), loadavg: loadavg().map((x) => Math.round(x * 10) / 10), splitDepth: SPLIT_DEPTH, reps: REPS, rows }, null, 2) + '\n');
