/**
 * Host slowdown with the active measurement on (seed 002 §5: −2.57 %, UnixBench 384.6 → 374.7;
 * goal ≤ 1 % on a dedicated core). Part `host` of bench/monitor.bench.ts.
 *
 * Method (the first version compared medians of a few 2–3 s runs of a spawn-dominated workload,
 * whose "off" runs alone spread from 36 to 183 rounds/s, so it could not resolve 1 %):
 * - real cores: the benchmark runs in a child process whose threads (main, V8's and libuv's
 *   helpers) are all bound to CPU 0 (`taskset -a -p -c 0`), the host's one core in every
 *   configuration; `dedicated` binds the s-core thread to CPU 1 (NUCAA), `shared` to CPU 0 (no
 *   NUCAA: the OS time-slices the host and the TZTCM on one core); the s-core reports the CPUs it
 *   may run on and the run is marked unpinned if that is not what was asked;
 * - the child runs with V8's `--single-threaded-gc`: the s-core's garbage collection then runs
 *   on the s-core's own thread, not on V8's shared helper threads (bound to the host's core);
 *   `--expose-gc` lets it collect between windows so no window pays for another's garbage;
 * - the host workload is the UnixBench-like index of host-index.ts (a geometric mean over the
 *   components), in short windows; per round the windows off, dedicated, off, shared in an order
 *   rotated every round, both monitors running all along and switched by the TZTCM-side gate;
 * - the figure is the median over rounds of the paired ratio (window / geometric mean of the
 *   round's two off windows), with the order-statistics 95 % interval of the median; the two off
 *   windows of a round against each other (A/A) show what the method can resolve here.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BootLayout, bootHost } from '../impl/tztcm/monitor/host-boot.ts';
import type { HostMemory } from '../impl/tztcm/monitor/host-memory.ts';
import { loadKernelText } from '../impl/tztcm/monitor/kernel-text.ts';
import { startMonitor, type RunningMonitor } from '../impl/tztcm/monitor/monitor-service.ts';
import { calibrate, type IndexWindow, runIndexWindow, type UnitsPerSlice } from '../impl/tztcm/monitor/host-index.ts';
import { COMPONENTS } from '../impl/tztcm/monitor/host-workload.ts';
import { allowedCpus, pinProcess } from '../impl/tztcm/monitor/cpu-affinity.ts';

const CHILD_FLAGS = ['--single-threaded-gc', '--expose-gc'];
const CONFIGS = ['offA', 'dedicated', 'offB', 'shared'] as const;
type Config = (typeof CONFIGS)[number];

const load1 = () => +loadavg()[0]!.toFixed(2);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => {
  const s = sorted(xs);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/** The median's distribution-free 95 % interval: order statistics n/2 ∓ 0.98·√n (binomial). */
function medianInterval(xs: number[]): [number, number] {
  const s = sorted(xs);
  const h = 0.98 * Math.sqrt(s.length);
  return [s[Math.max(0, Math.floor(s.length / 2 - h))]!, s[Math.min(s.length - 1, Math.ceil(s.length / 2 + h))]!];
}
const pct = (ratio: number) => +((1 - ratio) * 100).toFixed(2);
const geo2 = (a: number, b: number) => Math.sqrt(a * b);

interface Window {
  readonly w: IndexWindow;
  readonly ticks: number;
  readonly busyMs: number;
}

async function periodBlock(mem: HostMemory, layout: BootLayout, units: UnitsPerSlice, periodMs: number, rounds: number, windowMs: number, twoCpus: boolean) {
  const loadStart = load1();
  const gates = { dedicated: new SharedArrayBuffer(12), shared: new SharedArrayBuffer(12) };
  const started: RunningMonitor[] = [];
  try {
    const ded = await startMonitor(mem, layout, { policy: 'log', periodMs, gate: gates.dedicated, ...(twoCpus ? { cpu: 1 } : {}) });
    started.push(ded);
    const sh = await startMonitor(mem, layout, { policy: 'log', periodMs, gate: gates.shared, ...(twoCpus ? { cpu: 0 } : {}) });
    started.push(sh);
    const windows: Record<Config, Window[]> = { offA: [], dedicated: [], offB: [], shared: [] };
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < CONFIGS.length; k++) {
        const config = CONFIGS[(k + r) % CONFIGS.length]!;
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((res) => setTimeout(res, 5)); // let the monitors' record polls run now, not inside a window
        const gate = config === 'dedicated' || config === 'shared' ? new Int32Array(gates[config]) : null;
        const t0 = gate ? Atomics.load(gate, 1) : 0;
        const us0 = gate ? Atomics.load(gate, 2) : 0;
        if (gate) Atomics.store(gate, 0, 1);
        const w = runIndexWindow(mem, layout, units, windowMs);
        if (gate) Atomics.store(gate, 0, 0);
        windows[config].push({ w, ticks: gate ? Atomics.load(gate, 1) - t0 : 0, busyMs: gate ? (Atomics.load(gate, 2) - us0) / 1000 : 0 });
      }
    }
    const ratio = (c: 'dedicated' | 'shared' | 'offB', f: (w: IndexWindow) => number | null) =>
      windows[c].map((x, r) => {
        const a = f(windows.offA[r]!.w);
        const b = f(windows.offB[r]!.w);
        const v = f(x.w);
        return a && b && v ? (c === 'offB' ? v / a : v / geo2(a, b)) : NaN;
      }).filter((x) => !Number.isNaN(x));
    const summary = (c: 'dedicated' | 'shared' | 'offB') => {
      const wall = ratio(c, (w) => w.index);
      const cpu = ratio(c, (w) => w.cpuIndex);
      const [lo, hi] = medianInterval(wall);
      const comps = Object.fromEntries(COMPONENTS.map((k) => [k, pct(median(ratio(c, (w) => (w.components[k].units * 1000) / w.components[k].wallMs)))]));
      return {
        slowdownPercent: pct(median(wall)),
        interval95Percent: [pct(hi), pct(lo)],
        cpuTimeSlowdownPercent: cpu.length ? pct(median(cpu)) : null,
        perComponentSlowdownPercent: comps,
        ...(c === 'offB' ? {} : { measurementsPerWindowMedian: median(windows[c].map((x) => x.ticks)), sCoreBusyPercentOfWindow: +((median(windows[c].map((x) => x.busyMs / x.w.wallMs)) * 100).toFixed(2)) }),
      };
    };
    const offWait = [...windows.offA, ...windows.offB].map((x) => (x.w.waitMs ?? 0) / x.w.wallMs);
    return {
      periodMs,
      windowMs,
      rounds,
      sCoreCpus: { dedicated: ded.placement, shared: sh.placement },
      loadAverage1m: { atStart: loadStart, atEnd: load1() },
      dedicated: summary('dedicated'),
      shared: summary('shared'),
      aa: summary('offB'),
      offIndexMedian: +median(windows.offA.map((x) => x.w.index)).toFixed(2),
      offIndexSpreadPercent: +((Math.max(...windows.offA.map((x) => x.w.index)) / Math.min(...windows.offA.map((x) => x.w.index)) - 1) * 100).toFixed(1),
      hostWaitingForCpuPercentOff: +(median(offWait) * 100).toFixed(2),
    };
  } finally {
    for (const m of started) await m.stop();
  }
}

/** The host part, in this process (the child: pinned, with CHILD_FLAGS). */
export async function hostSlowdownHere() {
  const periods = (process.env['BENCH_PERIODS'] ?? '50,100,200,500').split(',').map(Number);
  const rounds = Number(process.env['BENCH_HOST_ROUNDS'] ?? 24);
  const minWindow = Number(process.env['BENCH_HOST_WINDOW_MS'] ?? 600);
  // create libuv's thread pool now, from this (host) thread, so it is bound with the host
  await readFile('/proc/self/stat').catch(() => undefined);
  const twoCpus = (allowedCpus() ?? '') === '0-1' || /^0-\d+$/.test(allowedCpus() ?? '');
  const pinFailed = twoCpus ? pinProcess(0) : 'fewer than 2 CPUs: nothing to pin';
  const kernel = loadKernelText();
  const { mem, layout } = bootHost(kernel);
  const units = calibrate(mem, layout, 8);
  const loadStart = load1();
  const blocks = [];
  for (const p of periods) {
    const b = await periodBlock(mem, layout, units, p, rounds, Math.max(minWindow, 3 * p), twoCpus && !pinFailed);
    process.stderr.write(`host: period ${p} ms: dedicated ${b.dedicated.slowdownPercent} % [${b.dedicated.interval95Percent.join(', ')}], shared ${b.shared.slowdownPercent} %, A/A ${b.aa.slowdownPercent} % [${b.aa.interval95Percent.join(', ')}], load ${b.loadAverage1m.atStart}->${b.loadAverage1m.atEnd}\n`);
    blocks.push(b);
  }
  return {
    method: 'median over rounds of paired index ratios; windows off/dedicated/off/shared rotated per round; index = geometric mean of the UnixBench-like components (host-index.ts)',
    kernel: { kind: kernel.kind, bytes: kernel.bytes.length, sha256: kernel.sha256 },
    host: { cpus: pinFailed ? allowedCpus() : '0', pinFailed: pinFailed ?? undefined, v8Flags: process.execArgv.filter((a) => CHILD_FLAGS.includes(a)) },
    unitsPerSlice: units,
    loadAverage1m: { atStart: loadStart, atEnd: load1() },
    periods: blocks,
  };
}

/** Runs the host part in a child process with the flags it needs; its JSON comes back on stdout. */
export function hostSlowdown(): unknown {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...CHILD_FLAGS, '--import', 'tsx', self], { env: { ...process.env, BENCH_HOST_CHILD: '1' }, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`host bench child failed (${r.status ?? r.signal})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

if (process.env['BENCH_HOST_CHILD'] === '1' && import.meta.url === `file://${process.argv[1]}`) {
  const out = await hostSlowdownHere();
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}
