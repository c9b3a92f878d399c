/**
 * A host core: a worker thread running the host's workload over the shared memory. In the
 * `shared` placement (no dedicated core) it also runs the TZTCM's checks itself, at its safe
 * points whenever a period is due — the cost the NUCAA design avoids — and posts the tick
 * records as the s-core would.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { HostMemory, type HostMemoryBuffers } from './host-memory.ts';
import type { BootLayout } from './host-boot.ts';
import { MonitorCore, type MonitorCoreOptions } from './monitor-core.ts';
import { type Component, runWorkload, type WorkloadResult } from './host-workload.ts';
import type { BootEvent, TickRecord } from './monitor-core.ts';

export interface HostWorkerData {
  readonly buffers: HostMemoryBuffers;
  readonly layout: BootLayout;
  readonly durationMs: number;
  readonly skip?: readonly Component[];
  readonly maxParkMs?: number;
  /** run the monitor on this thread (the shared placement) */
  readonly sharedMonitor?: { readonly options: Omit<MonitorCoreOptions, 'now'>; readonly periodMs: number };
}

export type HostWorkerMessage =
  | { readonly type: 'boot'; readonly events: readonly BootEvent[]; readonly timeOrigin: number }
  | { readonly type: 'tick'; readonly record: TickRecord }
  | { readonly type: 'error'; readonly message: string }
  /** the workload begins now (absolute ms): the run's clock starts here, not when the thread was asked for */
  | { readonly type: 'started'; readonly at: number }
  | { readonly type: 'result'; readonly result: WorkloadResult };

const data = workerData as HostWorkerData;
try {
  const mem = new HostMemory(data.buffers);
  let onSafePoint: (() => void) | undefined;
  if (data.sharedMonitor) {
    const { options, periodMs } = data.sharedMonitor;
    const core = new MonitorCore(mem, data.layout, options);
    const bootAt = performance.timeOrigin + performance.now();
    parentPort!.postMessage({ type: 'boot', events: core.boot(), timeOrigin: bootAt } satisfies HostWorkerMessage);
    let due = performance.now() + periodMs;
    onSafePoint = () => {
      if (performance.now() < due) return;
      parentPort!.postMessage({ type: 'tick', record: core.tick() } satisfies HostWorkerMessage);
      due = Math.max(due + periodMs, performance.now());
    };
  }
  parentPort!.postMessage({ type: 'started', at: performance.timeOrigin + performance.now() } satisfies HostWorkerMessage);
  const result = runWorkload(mem, data.layout, { durationMs: data.durationMs, ...(data.skip ? { skip: data.skip } : {}), ...(data.maxParkMs ? { maxParkMs: data.maxParkMs } : {}), ...(onSafePoint ? { onSafePoint } : {}) });
  parentPort!.postMessage({ type: 'result', result } satisfies HostWorkerMessage);
} catch (e) {
  parentPort!.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies HostWorkerMessage);
}
