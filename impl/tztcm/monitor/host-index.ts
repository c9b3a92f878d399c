/**
 * The host's throughput as an index, the way UnixBench scores a system (the seed reports
 * UnixBench 384.6 → 374.7): every component of host-workload.ts's mix (integer, float, 4 MiB
 * copy, SHA-256, kernel code run through the page table, `/bin/true` spawned) is timed on its
 * own, and the index is the geometric mean of the components' rates. A geometric mean keeps one
 * noisy component (process creation) from swamping the others, and the ratio of two indices is
 * the geometric mean of the per-component ratios, whatever each component's unit is.
 *
 * A window is short (hundreds of ms) and made of slices: a calibrated number of units of one
 * component (about `sliceMs` each), the components in turn, until the window's time is up. Each
 * slice is timed in wall time and, from the thread's scheduler accounting, in time on a CPU and
 * time waiting for one: wall time is what the host loses to anything (the monitor sharing its
 * core; other processes), CPU time only what makes it slower while it runs (cache and memory
 * contention from a monitor on another core).
 * @module
 */
import type { HostMemory } from './host-memory.ts';
import type { BootLayout } from './host-boot.ts';
import { COMPONENTS, type Component, unit } from './host-workload.ts';
import { threadSchedStat } from './cpu-affinity.ts';

export type UnitsPerSlice = Record<Component, number>;

export interface ComponentTimes {
  readonly units: number;
  readonly wallMs: number;
  /** time on a CPU (null where /proc/thread-self/schedstat is missing) */
  readonly runMs: number | null;
}

export interface IndexWindow {
  readonly wallMs: number;
  /** of the window's wall time: on a CPU, and runnable but waiting for one */
  readonly runMs: number | null;
  readonly waitMs: number | null;
  readonly components: Record<Component, ComponentTimes>;
  /** geometric mean of the components' units per wall second */
  readonly index: number;
  /** the same per CPU second (null without schedstat) */
  readonly cpuIndex: number | null;
}

function driver(mem: HostMemory, layout: BootLayout) {
  let seed = 12345;
  const rng = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 1);
  const faults = { n: 0 };
  return (c: Component, n: number) => {
    for (let i = 0; i < n; i++) unit(c, mem, layout, rng, faults);
  };
}

/** Units of each component that take about `sliceMs` on this machine now (after a warm-up). */
export function calibrate(mem: HostMemory, layout: BootLayout, sliceMs = 10): UnitsPerSlice {
  const run = driver(mem, layout);
  const out = {} as UnitsPerSlice;
  for (const c of COMPONENTS) {
    run(c, 3); // JIT warm-up
    let n = 1;
    for (;;) {
      const t = performance.now();
      run(c, n);
      const ms = performance.now() - t;
      if (ms >= sliceMs / 4 || n >= 1 << 20) {
        out[c] = Math.max(1, Math.round((n * sliceMs) / Math.max(ms, 1e-3)));
        break;
      }
      n *= 2;
    }
  }
  return out;
}

const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

/** One window of the index: slices of each component in turn for `windowMs` (at least one pass). */
export function runIndexWindow(mem: HostMemory, layout: BootLayout, units: UnitsPerSlice, windowMs: number): IndexWindow {
  const run = driver(mem, layout);
  const acc = Object.fromEntries(COMPONENTS.map((c) => [c, { units: 0, wallMs: 0, runNs: 0 }])) as Record<Component, { units: number; wallMs: number; runNs: number }>;
  const s0 = threadSchedStat();
  const t0 = performance.now();
  let pass = 0;
  while (pass === 0 || performance.now() - t0 < windowMs) {
    for (const c of COMPONENTS) {
      const a = threadSchedStat();
      const t = performance.now();
      run(c, units[c]);
      const wall = performance.now() - t;
      const b = threadSchedStat();
      acc[c].units += units[c];
      acc[c].wallMs += wall;
      if (a && b) acc[c].runNs += b.runNs - a.runNs;
    }
    pass++;
  }
  const wallMs = performance.now() - t0;
  const s1 = threadSchedStat();
  const has = s0 !== null && s1 !== null;
  const components = Object.fromEntries(COMPONENTS.map((c) => [c, { units: acc[c].units, wallMs: acc[c].wallMs, runMs: has ? acc[c].runNs / 1e6 : null }])) as Record<Component, ComponentTimes>;
  return {
    wallMs,
    runMs: has ? (s1.runNs - s0.runNs) / 1e6 : null,
    waitMs: has ? (s1.waitNs - s0.waitNs) / 1e6 : null,
    components,
    index: geomean(COMPONENTS.map((c) => (acc[c].units * 1000) / acc[c].wallMs)),
    cpuIndex: has && COMPONENTS.every((c) => acc[c].runNs > 0) ? geomean(COMPONENTS.map((c) => (acc[c].units * 1e9) / acc[c].runNs)) : null,
  };
}
