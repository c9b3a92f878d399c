/**
 * The host-side handle on the active measurement on the s-core (NUCAA): the checks run on the
 * s-core worker (monitor-worker.ts) on its own timer. (The comparison without a dedicated core,
 * the checks stealing the host's own thread, lives in host-worker.ts.)
 *
 * Tick records come back as events with absolute times (ms, performance.timeOrigin-based), so
 * the host's attack times and the s-core's detection times are on one clock.
 * @module
 */
import { startModuleWorker } from '../../threads/module-worker.ts';
import type { HostMemory } from './host-memory.ts';
import type { BootLayout } from './host-boot.ts';
import type { BootEvent, MonitorCoreOptions, TickRecord } from './monitor-core.ts';
import type { MonitorWorkerData, MonitorWorkerMessage } from './monitor-worker.ts';

/** `dedicated`: on the s-core (NUCAA); `shared`: on the host's own core, at its safe points. */
export type MonitorPlacement = 'dedicated' | 'shared';

export interface TimedTick extends TickRecord {
  /** absolute start time of the tick (ms since the epoch, sub-ms precision) */
  readonly startedAt: number;
}

export interface RunningMonitor {
  readonly placement: MonitorPlacement;
  readonly bootEvents: readonly BootEvent[];
  readonly ticks: TimedTick[];
  /** resolves with the first tick (after now) that has a finding, or null after `timeoutMs` */
  nextFinding(timeoutMs: number): Promise<TimedTick | null>;
  stop(): Promise<void>;
}

export function absoluteNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface StartMonitorOptions extends Omit<MonitorCoreOptions, 'now'> {
  readonly periodMs: number;
  readonly placement: MonitorPlacement;
}

export async function startMonitor(mem: HostMemory, layout: BootLayout, opts: StartMonitorOptions): Promise<RunningMonitor> {
  if (!(opts.periodMs >= 1 && opts.periodMs <= 3_600_000)) throw new RangeError(`period must be 1..3600000 ms, got ${opts.periodMs}`);
  const { periodMs, placement, ...coreOptions } = opts;
  const ticks: TimedTick[] = [];
  const waiters: Array<(t: TimedTick) => void> = [];
  const record = (t: TimedTick) => {
    ticks.push(t);
    if (t.findings.length) for (const w of waiters.splice(0)) w(t);
  };
  const nextFinding = (timeoutMs: number) =>
    new Promise<TimedTick | null>((resolve) => {
      const timer = setTimeout(() => {
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve(null);
      }, timeoutMs);
      const done = (t: TimedTick) => {
        clearTimeout(timer);
        resolve(t);
      };
      waiters.push(done);
    });

  if (placement === 'shared') throw new RangeError('the shared placement runs inside the host thread (host-worker.ts), not here');

  const stopWord = new SharedArrayBuffer(4);
  const workerData: MonitorWorkerData = { buffers: mem.buffers, layout, options: coreOptions, periodMs, stop: stopWord };
  const worker = startModuleWorker(import.meta.url, 'monitor-worker', { workerData });
  let origin = 0;
  let stopping: Promise<void> | null = null;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const bootEvents = await new Promise<readonly BootEvent[]>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: MonitorWorkerMessage) => {
      if (m.type === 'boot') {
        origin = m.timeOrigin;
        resolve(m.events);
      } else if (m.type === 'tick') record({ ...m.record, startedAt: origin + m.record.atMs });
      else reject(new Error(`s-core monitor: ${m.message}`));
    });
    worker.once('exit', (code) => reject(new Error(`s-core monitor exited (${code}) before its boot measurement`)));
  });
  return {
    placement,
    bootEvents,
    ticks,
    nextFinding,
    stop() {
      // idempotent: the run's end and its clean-up may both ask
      stopping ??= (async () => {
        const w = new Int32Array(stopWord);
        Atomics.store(w, 0, 1);
        Atomics.notify(w, 0);
        const timer = setTimeout(() => void worker.terminate(), 2_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
