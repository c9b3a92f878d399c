/**
 * Whole `tcv` processes, as a user starts them (compiled bin, `npm run build` first): Lowe's
 * attack (`tcv verify nspk --property NS2`), every NS property at the default bound
 * (`tcv verify nspk`), the same and key-exchange two-phase (a search of seconds) with V8's
 * default tiering instead of the bin's (`TCV_V8_DEFAULT_TIERING=1`, see bin/load-bundle.js),
 * and `tcv verify --all` with one worker thread and with one per core.
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

function timed(args: string[], runs: number, env: Record<string, string> = {}) {
  const ms: number[] = [];
  let code: number | null = null;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    ms.push(performance.now() - t0);
    code = r.status;
  }
  const out = { args: args.join(' '), ...(Object.keys(env).length ? { env } : {}), runs, medianMs: Math.round(median(ms)), exit: code };
  process.stderr.write(`tcv ${out.args}${Object.keys(env).length ? ` (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}: ${out.medianMs} ms (median of ${runs}), exit ${code}\n`);
  return out;
}

const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
const results = [
  timed(['--help'], RUNS),
  timed(['verify', 'nspk', '--property', 'NS2'], RUNS),
  timed(['verify', 'nspk'], RUNS),
  // the bin raises V8's interrupt budget (bin/load-bundle.js): the same commands with V8's
  // default, a short search and a search of seconds
  timed(['verify', 'nspk'], RUNS, { TCV_V8_DEFAULT_TIERING: '1' }),
  timed(['verify', 'key-exchange', '--variant', 'two-phase'], 3),
  timed(['verify', 'key-exchange', '--variant', 'two-phase'], 3, { TCV_V8_DEFAULT_TIERING: '1' }),
  timed(['verify', '--all', '--jobs', '1'], 1),
  timed(['verify', '--all', '--jobs', String(availableParallelism())], 1),
];
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/cli-process.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), cores: availableParallelism(), results }, null, 2) + '\n');
