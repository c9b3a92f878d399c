/**
 * The host's work, timed as throughput: a small, stated mix after UnixBench's index (the seed
 * reports UnixBench 384.6 → 374.7 with monitoring on): integer arithmetic (Dhrystone's part),
 * floating point (Whetstone's), memory copy, hashing, running kernel code through the page
 * table (the executor, which honours NX), and process creation (`/bin/true` spawned, UnixBench's
 * "Process Creation"/"Execl"). One unit of each component per round; a safe point between units.
 * The throughput is rounds per second of wall time (so time the host loses to anything — a
 * monitor stealing its core, a parked pause — counts); per-component rates are given beside it.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { HostMemory } from './host-memory.ts';
import { type BootLayout, hotPage } from './host-boot.ts';
import { executePage, safePoint } from './host-executor.ts';

export const COMPONENTS = ['integer', 'float', 'memcpy', 'hash', 'exec', 'spawn'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface WorkloadResult {
  readonly durationMs: number;
  readonly rounds: number;
  /** units per second of each component (time in the component only) */
  readonly perSecond: Record<Component, number>;
  /** rounds (one unit of every component) per second of wall time */
  readonly roundsPerSecond: number;
  /** code pages the executor was refused (never-execute) */
  readonly nxFaults: number;
  readonly parkedMs: number;
}

export interface WorkloadOptions {
  readonly durationMs: number;
  /** components to leave out (e.g. spawn, for a quick in-test run) */
  readonly skip?: readonly Component[];
  /** called at each safe point (the shared-core monitor polls here) */
  readonly onSafePoint?: () => void;
  /** a bound on parking, so a run can never hang */
  readonly maxParkMs?: number;
}

// 4 MiB: source and destination (8 MiB) are beyond the 2 MiB L2 and live in the L3, which the
// s-core's 13.4 MiB hashing stream passes through too: the copy is where cache and memory
// bandwidth contention from the monitor shows
const copySrc = new Uint8Array(4 * 1024 * 1024).map((_, i) => i * 7);
const copyDst = new Uint8Array(copySrc.length);
const hashInput = new Uint8Array(64 * 1024).map((_, i) => i);
let sink = 0;

/** One unit of component `c` (exported for the index of host-index.ts: the same mix). */
export function unit(c: Component, mem: HostMemory, layout: BootLayout, rng: () => number, faults: { n: number }): void {
  switch (c) {
    case 'integer': {
      let x = 88172645;
      for (let i = 0; i < 20_000; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        x = (x + Math.imul(i, 2654435761)) | 0;
      }
      sink ^= x;
      return;
    }
    case 'float': {
      let y = 0.5;
      for (let i = 1; i < 5_000; i++) y = Math.sqrt(y * y + Math.sin(i) * Math.cos(y)) / 1.0001;
      sink ^= y * 1e6;
      return;
    }
    case 'memcpy':
      copyDst.set(copySrc);
      sink ^= copyDst[rng() % copyDst.length]!;
      return;
    case 'hash':
      sink ^= createHash('sha256').update(hashInput).digest()[0]!;
      return;
    case 'exec':
      // the hot page (a syscall entry every round) and 31 others at random
      for (let i = 0; i < 32; i++) {
        const r = executePage(mem, layout.kernelVpage0 + (i === 0 ? hotPage(layout) : rng() % layout.pages), 256);
        if (r.ok) sink ^= r.checksum;
        else faults.n++;
      }
      return;
    case 'spawn':
      spawnSync('/bin/true', { stdio: 'ignore' });
      return;
  }
}

export function runWorkload(mem: HostMemory, layout: BootLayout, opts: WorkloadOptions): WorkloadResult {
  const comps = COMPONENTS.filter((c) => !opts.skip?.includes(c));
  const spent = Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Record<Component, number>;
  const units = Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Record<Component, number>;
  let seed = 12345;
  const rng = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 1);
  const faults = { n: 0 };
  let parkedMs = 0;
  let rounds = 0;
  const t0 = performance.now();
  const over = () => performance.now() - t0 >= opts.durationMs;
  while (!over()) {
    for (const c of comps) {
      if (over()) break;
      const s = performance.now();
      unit(c, mem, layout, rng, faults);
      spent[c] += performance.now() - s;
      units[c]++;
      opts.onSafePoint?.();
      parkedMs += safePoint(mem, opts.maxParkMs);
    }
    rounds++;
  }
  const perSecond = Object.fromEntries(COMPONENTS.map((c) => [c, spent[c] > 0 ? (units[c] * 1000) / spent[c] : 0])) as Record<Component, number>;
  const durationMs = performance.now() - t0;
  return { durationMs, rounds, perSecond, roundsPerSecond: (rounds * 1000) / durationMs, nxFaults: faults.n, parkedMs };
}
