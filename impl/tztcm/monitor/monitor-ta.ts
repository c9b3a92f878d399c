/**
 * The active measurement as a trusted application of the TZTCM's TEE (seed 002 §2.1: the
 * s-core's own timer "drives the scheduler that runs the TZTCM's active measurement and
 * monitoring modules in time slices"). The TA is built on the TEE side with the host memory the
 * secure world maps (SharedArrayBuffers, as the normal world's RAM is visible to the secure world
 * on a TrustZone SoC); it measures at boot, schedules `tick()` on the s-core timer, and keeps the
 * tick records. The host reads them through the TEE Client API:
 *
 * - command 1 (`BOOT_EVENTS`): the boot measurement's event-log entries and when it was taken
 *   (absolute ms), and the CPUs the s-core thread may run on, JSON `{ bootedAt, events,
 *   placement: { cpus, pinFailed? } }`;
 * - command 2 (`READ_TICKS`, payload: UINT32 first index, big-endian): the tick records from that
 *   index on (at most 256), JSON `{ next, ticks }`.
 *
 * Alarms do not wait for the host to ask: they are in the shared alarm ring at once.
 * @module
 */
import type { TaAnswer, TrustedApp } from '../gp/tee-core.ts';
import { TEEC } from '../gp/teec.ts';
import { HostMemory, type HostMemoryBuffers } from './host-memory.ts';
import type { BootLayout } from './host-boot.ts';
import { allowedCpus, pinThisThread } from './cpu-affinity.ts';
import { type BootEvent, MonitorCore, type MonitorCoreOptions, type TickRecord } from './monitor-core.ts';

export const MONITOR_TA_UUID = '6d6f6e69-746f-7200-747a-74636d000001';
export const MONITOR_CMD = { BOOT_EVENTS: 1, READ_TICKS: 2 } as const;
const MAX_TICKS_PER_READ = 256;
/** the oldest records are dropped beyond this many (a long run must not grow without bound) */
const MAX_KEPT = 4096;

/** What the TEE side is given to watch; plain data (crosses into the s-core as workerData). */
export interface MonitorTaConfig {
  readonly buffers: HostMemoryBuffers;
  readonly layout: BootLayout;
  readonly options: Omit<MonitorCoreOptions, 'now'>;
  /** the re-measurement period; 0: the boot measurement only */
  readonly periodMs: number;
  /** the CPU the s-core thread binds itself to (cpu-affinity.ts), so that the host's
   * threads and the TZTCM's are on real, separate cores; unset: wherever the OS puts it */
  readonly cpu?: number;
  /**
   * BENCHMARK ONLY: a word the TZTCM's own configuration shares with the benchmark (never part
   * of the host's memory, so a host cannot switch the monitor off): ticks are skipped while
   * word 0 is 0; word 1 counts the ticks run, word 2 their microseconds. The benchmark opens
   * and closes it around paired windows without restarting the s-core.
   */
  readonly gate?: SharedArrayBuffer;
}

/** The s-core timer's scheduling call (impl/tztcm/score/timer.ts). */
export interface Scheduler {
  schedule(periodMs: number, task: (lateMs: number) => void): () => void;
}

const json = (x: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(x));

export function monitorTrustedApp(timer: Scheduler, cfg: MonitorTaConfig): TrustedApp & { readonly bootEvents: readonly BootEvent[] } {
  // bind the s-core first, so the boot measurement already runs on its own core
  const pin = cfg.cpu === undefined ? null : pinThisThread(cfg.cpu);
  const placement = { cpus: allowedCpus(), ...(pin ? { pinFailed: pin } : {}) };
  const core = new MonitorCore(new HostMemory(cfg.buffers), cfg.layout, cfg.options);
  const gate = cfg.gate ? new Int32Array(cfg.gate) : null;
  // tick times are relative to the boot measurement; the host gets this to put them on its clock
  const bootedAt = performance.timeOrigin + performance.now();
  const bootEvents = core.boot();
  const ticks: TickRecord[] = [];
  let dropped = 0;
  // period 0: the boot-time measurement only (a measured boot without run-time monitoring)
  if (cfg.periodMs > 0)
    timer.schedule(cfg.periodMs, (lateMs) => {
      if (gate && Atomics.load(gate, 0) === 0) return;
      const t = core.tick();
      if (gate) {
        Atomics.add(gate, 1, 1);
        Atomics.add(gate, 2, Math.round(t.durationMs * 1000));
      }
      ticks.push({ ...t, lateMs: Math.round(lateMs * 100) / 100 });
      if (ticks.length > MAX_KEPT) dropped += ticks.splice(0, ticks.length - MAX_KEPT).length;
    });
  const invoke = (command: number, payload: Uint8Array): TaAnswer => {
    if (command === MONITOR_CMD.BOOT_EVENTS) return { result: TEEC.SUCCESS, payload: json({ bootedAt, events: bootEvents, placement }) };
    if (command === MONITOR_CMD.READ_TICKS) {
      if (payload.length !== 4) return { result: TEEC.ERROR_BAD_PARAMETERS, payload: new Uint8Array(0) };
      const from = new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
      const start = Math.max(0, from - dropped);
      const slice = ticks.slice(start, start + MAX_TICKS_PER_READ);
      return { result: TEEC.SUCCESS, payload: json({ next: dropped + start + slice.length, ticks: slice }) };
    }
    return { result: TEEC.ERROR_NOT_SUPPORTED, payload: new Uint8Array(0) };
  };
  return {
    bootEvents,
    uuid: MONITOR_TA_UUID,
    openSession: () => ({ result: TEEC.SUCCESS, payload: new Uint8Array(0), session: { invoke, close: () => true } }),
  };
}
