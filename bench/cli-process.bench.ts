/**
 * Whole `tcv` processes, as a user starts them (compiled bin, `npm run build` first): Lowe's
 * attack (`tcv verify nspk --property NS2`), every NS property at the default bound
 * (`tcv verify nspk`), and `tcv verify --all` with one worker thread and with one per core.
 * Writes bench/results/cli-process.json. Run: node --import tsx bench/cli-process.bench.ts
 * @module
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 9);
const bin = new URL('../bin/tcv.js', import.meta.url).pathname;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed(args: string[], runs: number) {
  const ms: number[] = [];
  let code: number | null = null;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    ms.push(performance.now() - t0);
    code = r.status;
  }
  const out = { args: args.join(' '), runs, medianMs: Math.round(median(ms)), exit: code };
  process.stderr.write(`tcv ${out.args}: ${out.medianMs} ms (median of ${runs}), exit ${code}\n`);
  return out;
}

const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
const results = [
  timed(['--help'], RUNS),
  timed(['verify', 'nspk', '--property', 'NS2'], RUNS),
  timed(['verify', 'nspk'], RUNS),
  timed(['verify', '--all', '--jobs', '1'], 1),
  timed(['verify', '--all', '--jobs', String(availableParallelism())], 1),
];
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/cli-process.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), cores: availableParallelism(), results }, null, 2) + '\n');
