/**
 * The host-side handle on the active measurement running on the TZTCM's s-core (NUCAA): starts
 * the TZTCM service (impl/tztcm/service.ts: the s-core worker with the TPM engine) with the
 * monitor TA watching this host's memory, and reads the TA's tick records through the TEE
 * Client API as they come (a session to MONITOR_TA_UUID, READ_TICKS about twice a period).
 * Alarms are in the shared alarm ring at once; the records are for the timeline. (The
 * comparison without a dedicated core, the checks stealing the host's own thread, is in
 * host-worker.ts.)
 * @module
 */
import type { HostMemory } from './host-memory.ts';
import type { BootLayout } from './host-boot.ts';
import type { BootEvent, MonitorCoreOptions, TickRecord } from './monitor-core.ts';
import { MONITOR_CMD, MONITOR_TA_UUID } from './monitor-ta.ts';
import { startTztcmService, type TztcmService } from '../service.ts';

/** `dedicated`: on the s-core (NUCAA); `shared`: on the host's own core, at its safe points. */
export type MonitorPlacement = 'dedicated' | 'shared';

export interface TimedTick extends TickRecord {
  /** absolute start time of the tick (ms since the epoch, sub-ms precision) */
  readonly startedAt: number;
}

export interface RunningMonitor {
  readonly bootEvents: readonly BootEvent[];
  readonly placement: SCorePlacement;
  readonly ticks: TimedTick[];
  /** the TZTCM service the monitor runs in (its TPM is there too) */
  readonly service: TztcmService;
  /** resolves with the first tick (after now) that has a finding, or null after `timeoutMs` */
  nextFinding(timeoutMs: number): Promise<TimedTick | null>;
  stop(): Promise<void>;
}

export function absoluteNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface StartMonitorOptions extends Omit<MonitorCoreOptions, 'now'> {
  readonly periodMs: number;
  /** bind the s-core to this CPU (MonitorTaConfig.cpu) */
  readonly cpu?: number;
  /** benchmark only (MonitorTaConfig.gate) */
  readonly gate?: SharedArrayBuffer;
}

/** Where the s-core thread ended up: the CPUs Linux lets it run on, and why a pin failed. */
export interface SCorePlacement {
  readonly cpus: string | null;
  readonly pinFailed?: string;
}

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};
const fromJson = <T>(b: Uint8Array): T => JSON.parse(new TextDecoder().decode(b)) as T;

export async function startMonitor(mem: HostMemory, layout: BootLayout, opts: StartMonitorOptions): Promise<RunningMonitor> {
  if (!(opts.periodMs >= 1 && opts.periodMs <= 3_600_000)) throw new RangeError(`period must be 1..3600000 ms, got ${opts.periodMs}`);
  const { periodMs, cpu, gate, ...options } = opts;
  const service = await startTztcmService({ mode: 'async', monitor: { buffers: mem.buffers, layout, options, periodMs, ...(cpu !== undefined ? { cpu } : {}), ...(gate ? { gate } : {}) } });
  const ticks: TimedTick[] = [];
  const waiters: Array<(t: TimedTick) => void> = [];
  let poller: NodeJS.Timeout | undefined;
  try {
    const { session } = await service.newContext().openSession(MONITOR_TA_UUID);
    const boot = fromJson<{ bootedAt: number; events: BootEvent[]; placement: SCorePlacement }>(await session.invokeCommand(MONITOR_CMD.BOOT_EVENTS, new Uint8Array(0)));
    let next = 0;
    let reading: Promise<void> | null = null;
    const read = async () => {
      const r = fromJson<{ next: number; ticks: TickRecord[] }>(await session.invokeCommand(MONITOR_CMD.READ_TICKS, u32(next)));
      next = r.next;
      for (const t of r.ticks) {
        const timed = { ...t, startedAt: boot.bootedAt + t.atMs };
        ticks.push(timed);
        if (timed.findings.length) for (const w of waiters.splice(0)) w(timed);
      }
    };
    const poll = () => {
      reading ??= read()
        .catch(() => undefined)
        .finally(() => (reading = null));
    };
    poller = setInterval(poll, Math.max(1, periodMs / 2));
    let stopping: Promise<void> | null = null;
    return {
      bootEvents: boot.events,
      placement: boot.placement,
      ticks,
      service,
      nextFinding: (timeoutMs) =>
        new Promise<TimedTick | null>((resolve) => {
          const done = (t: TimedTick) => {
            clearTimeout(timer);
            resolve(t);
          };
          const timer = setTimeout(() => {
            const i = waiters.indexOf(done);
            if (i >= 0) waiters.splice(i, 1);
            resolve(null);
          }, timeoutMs);
          waiters.push(done);
        }),
      stop() {
        // idempotent: the run's end and its clean-up may both ask; the last records are read first
        stopping ??= (async () => {
          clearInterval(poller);
          await reading;
          await read().catch(() => undefined);
          await service.stop();
        })();
        return stopping;
      },
    };
  } catch (e) {
    clearInterval(poller);
    await service.stop();
    throw e;
  }
}
