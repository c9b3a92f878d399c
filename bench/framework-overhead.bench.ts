/**
 * Framework overhead over the crypto floor (issue 20): for protocols 1–3 (attestation,
 * key-exchange, provisioning) on each suite (noble P-256, tcm, native OpenSSL P-256), the
 * median wall time of an honest run in process (`honestRun`: machines built, started, every
 * message delivered, claims logged) against the sum of its primitive operations timed alone —
 * the very suite calls of one run, recorded with their arguments through a recording suite and
 * replayed back to back. overhead = run / floor − 1; the goal is ≤ 2 % on each suite. The run
 * is timed with each role engine (impl/runtime/role-engine.ts): `compiled` (the default, the
 * overhead reported) and `xstate` (the reference), paired in the same repetitions. Beside the
 * replayed floor, an in-run split: each run's own suite calls timed as they happen, overhead =
 * (run − that time) / that time per run — the run and its crypto under the same load.
 *
 * Randomness (systemRandom: crypto.getRandomValues, a few hundred bytes per run) is counted as
 * framework, not floor. Runs and replays alternate within each repetition so the shared
 * machine's load hits both alike. Writes bench/results/framework-overhead.json.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { protocolByName } from '../models/protocols/index.ts';
import { honestRun } from '../impl/runtime/report.ts';
import { type CryptoSuite, SUITES, type SuiteId } from '../impl/crypto/index.ts';
import { timing, wrapSuite } from './wrap-suite.ts';
import { targetOf } from '../models/target.ts';
import type { RoleEngine } from '../impl/runtime/role-engine.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 21);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const OVERHEAD_PROTOCOLS = ['attestation', 'key-exchange', 'provisioning'] as const;
export const OVERHEAD_SUITES: readonly SuiteId[] = ['tpm2', 'tcm', 'native'];

type Call = { readonly method: keyof CryptoSuite; readonly args: readonly unknown[] };

/** `suite` with every function call appended to `calls` (arguments copied: a caller may reuse a buffer). */
export function recordingSuite(suite: CryptoSuite, calls: Call[]): CryptoSuite {
  const copy = (a: unknown) => (a instanceof Uint8Array ? a.slice() : a);
  return wrapSuite(suite, (method, args, call) => {
    calls.push({ method, args: args.map(copy) });
    return call();
  });
}

/** The suite calls of one honest run of `protocol`, and a replay of them (ms). */
export function cryptoFloor(protocol: string, suite: CryptoSuite): { calls: readonly Call[]; replay: () => number } {
  const calls: Call[] = [];
  const r = honestRun(targetOf(protocolByName(protocol)), { suite: recordingSuite(suite, calls) });
  if (!r.ok) throw new Error(`${protocol} on ${suite.name}: the recorded run did not complete`);
  const fns = calls.map((c) => ({ f: suite[c.method] as (...a: unknown[]) => unknown, args: c.args }));
  return {
    calls,
    replay: () => {
      const t0 = performance.now();
      for (const c of fns) c.f.apply(suite, c.args as unknown[]);
      return performance.now() - t0;
    },
  };
}

/** `suite` with the time spent inside its calls added up (`spent`), for the in-run split: the
 * run and its crypto measured in the same few milliseconds, so a burst of load on the shared
 * machine hits both (the replayed floor is timed apart from the run it is compared with). */
export function timedSuite(suite: CryptoSuite): { suite: CryptoSuite; spent: { ms: number } } {
  const spent = { ms: 0 };
  return { suite: wrapSuite(suite, timing((ms) => (spent.ms += ms))), spent };
}

function countBy(calls: readonly Call[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.method] = (out[c.method] ?? 0) + 1;
  return out;
}

export function benchFrameworkOverhead() {
  const loadAtStart = loadavg().map((x) => +x.toFixed(2));
  const rows = OVERHEAD_SUITES.flatMap((id) =>
    OVERHEAD_PROTOCOLS.map((name) => {
      const suite = SUITES[id];
      const p = protocolByName(name);
      const floor = cryptoFloor(name, suite);
      const runMs = (engine: RoleEngine) => honestRun(targetOf(p), { suite, engine }).ms;
      // the in-run split: (run − its own suite calls) / its own suite calls, per run
      const timed = timedSuite(suite);
      const inRun = (engine: RoleEngine) => {
        timed.spent.ms = 0;
        const ms = honestRun(targetOf(p), { suite: timed.suite, engine }).ms;
        return (ms - timed.spent.ms) / timed.spent.ms;
      };
      for (let i = 0; i < 3; i++) (runMs('compiled'), runMs('xstate'), floor.replay(), inRun('compiled'), inRun('xstate')); // warm-up (JIT, noble's precomputed tables)
      const runs: number[] = [];
      const xstate: number[] = [];
      const floors: number[] = [];
      const split: Record<RoleEngine, number[]> = { compiled: [], xstate: [] };
      // in a rotating order, so none is always first or last under the load
      const order = [() => runs.push(runMs('compiled')), () => xstate.push(runMs('xstate')), () => floors.push(floor.replay()), () => split.compiled.push(inRun('compiled')), () => split.xstate.push(inRun('xstate'))];
      for (let i = 0; i < N; i++) for (let j = 0; j < order.length; j++) order[(i + j) % order.length]!();
      const run = median(runs);
      const xs = median(xstate);
      const fl = median(floors);
      return {
        suite: id,
        protocol: name,
        runMs: +run.toFixed(3),
        xstateRunMs: +xs.toFixed(3),
        cryptoFloorMs: +fl.toFixed(3),
        overheadPct: +(100 * (run / fl - 1)).toFixed(1),
        xstateOverheadPct: +(100 * (xs / fl - 1)).toFixed(1),
        compiledOverXstate: +(run / xs).toFixed(3),
        compiledOverXstatePaired: +median(runs.map((r, i) => r / xstate[i]!)).toFixed(3),
        inRunOverheadPct: +(100 * median(split.compiled)).toFixed(1),
        xstateInRunOverheadPct: +(100 * median(split.xstate)).toFixed(1),
        goalPct: 2,
        met: run / fl - 1 <= 0.02,
        suiteCalls: floor.calls.length,
        calls: countBy(floor.calls),
      };
    }),
  );
  return {
    when: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    machine: `${cpus().length} cores shared with other sessions' jobs (noisy; run and replay alternate within each repetition)`,
    repetitions: N,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg().map((x) => +x.toFixed(2)),
    method: 'runMs: median honestRun().ms with the compiled engine (machines built and started, every message delivered), xstateRunMs: the same with the XState engine; cryptoFloorMs: median time of the same run\'s suite calls (recorded with their arguments) replayed back to back; overheadPct = 100·(runMs/cryptoFloorMs − 1); inRunOverheadPct (xstateInRunOverheadPct): the median over runs of 100·(run − the time inside its own suite calls)/(that time), the run and its crypto measured together (robust to bursts of load on the shared machine; the timing wrapper counts as framework); all five alternate in a rotating order within each repetition',
    rows,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchFrameworkOverhead();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/framework-overhead.json', JSON.stringify(r, null, 2) + '\n');
  console.table(r.rows.map(({ calls: _c, ...x }) => x));
}
