/**
 * Runtime benchmark: per protocol, the median wall time of one honest run with real crypto
 * inside the process, and of the whole `tcv run <protocol>` process. Writes
 * bench/results/runtime.json. Medians of N runs in one go (the machines are shared and noisy).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { PROTOCOLS } from '../models/protocols/index.ts';
import { honestRun } from '../impl/runtime/report.ts';
import { targetOf } from '../models/target.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 11);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export function benchRuntime() {
  // measure the compiled bin, as installed by `npm ci` (the launcher falls back to tsx when
  // dist/ is older than the sources)
  execFileSync('npm', ['run', '-s', 'build'], { stdio: 'ignore' });
  const rows = PROTOCOLS.map((p) => {
    honestRun(targetOf(p)); // warm-up (JIT, noble precomputation)
    const inProc: number[] = [];
    for (let i = 0; i < N; i++) inProc.push(honestRun(targetOf(p)).ms);
    const proc: number[] = [];
    for (let i = 0; i < Math.max(3, Math.floor(N / 2)); i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, ['bin/tcv.js', 'run', p.name], { stdio: 'ignore' });
      proc.push(performance.now() - t0);
    }
    return { protocol: p.name, inProcessMedianMs: +median(inProc).toFixed(2), tcvRunProcessMedianMs: +median(proc).toFixed(1), runs: { inProcess: N, process: proc.length } };
  });
  return { when: new Date().toISOString(), node: process.version, bin: 'the bundle in dist/ with its code cache (npm run build)', rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchRuntime();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/runtime.json', JSON.stringify(r, null, 2) + '\n');
  console.table(r.rows);
}
