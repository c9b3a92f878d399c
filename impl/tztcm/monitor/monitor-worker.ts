/**
 * The s-core side of the active measurement (seed 002 §2.1 NUCAA): a worker thread the host
 * never schedules work on, driven by its own timer. It sleeps on a shared word until the next
 * period is due (Atomics.wait with a timeout: the core idles, then its timer fires), runs one
 * `MonitorCore.tick()`, and posts the record to the host side. The same word stops it.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HostMemory, type HostMemoryBuffers } from './host-memory.ts';
import type { BootLayout } from './host-boot.ts';
import { type BootEvent, MonitorCore, type MonitorCoreOptions } from './monitor-core.ts';

export interface MonitorWorkerData {
  readonly buffers: HostMemoryBuffers;
  readonly layout: BootLayout;
  readonly options: Omit<MonitorCoreOptions, 'now'>;
  readonly periodMs: number;
  /** Int32[1]: 0 run, 1 stop */
  readonly stop: SharedArrayBuffer;
}

export type MonitorWorkerMessage =
  | { readonly type: 'boot'; readonly events: readonly BootEvent[]; readonly timeOrigin: number }
  | { readonly type: 'tick'; readonly record: ReturnType<MonitorCore['tick']> }
  | { readonly type: 'error'; readonly message: string };

const data = workerData as MonitorWorkerData;
const stop = new Int32Array(data.stop);
try {
  const core = new MonitorCore(new HostMemory(data.buffers), data.layout, data.options);
  // the core's clock starts inside boot(); tick times are relative to it
  const bootAt = performance.timeOrigin + performance.now();
  parentPort!.postMessage({ type: 'boot', events: core.boot(), timeOrigin: bootAt } satisfies MonitorWorkerMessage);
  let next = performance.now() + data.periodMs;
  while (Atomics.load(stop, 0) === 0) {
    const wait = next - performance.now();
    if (wait > 0 && Atomics.wait(stop, 0, 0, wait) !== 'timed-out') break;
    next += data.periodMs;
    parentPort!.postMessage({ type: 'tick', record: core.tick() } satisfies MonitorWorkerMessage);
    // a tick longer than the period: start the next one now rather than queue a backlog
    if (next < performance.now()) next = performance.now();
  }
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies MonitorWorkerMessage);
}
