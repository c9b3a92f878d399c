/**
 * One run of the active-trust scenario, as `tcv tztcm monitor` and the benchmark use it: boot the
 * host (kernel text loaded, agent reporting), start the TZTCM's monitor on the s-core (or on the
 * host's core, or not at all), run the host's workload on a host core, optionally inject an
 * attack at a chosen time, and collect one timeline on one clock: measurements, the attack,
 * its detection, the interventions, the host paused, the alarms a host process reads.
 * @module
 */
import { startModuleWorker } from '../../threads/module-worker.ts';
import { type Alarm, readAlarms } from './host-memory.ts';
import { bootHost } from './host-boot.ts';
import { type KernelText, loadKernelText, SEED_KERNEL_TEXT_BYTES } from './kernel-text.ts';
import type { BootEvent, Finding } from './monitor-core.ts';
import { type InterventionPolicy, type InterventionRecord, resumeHost } from './interventions.ts';
import type { MeasureHash } from './measurement.ts';
import { absoluteNow, type MonitorPlacement, startMonitor, type TimedTick } from './monitor-service.ts';
import type { HostWorkerData, HostWorkerMessage } from './host-worker.ts';
import type { Component, WorkloadResult } from './host-workload.ts';
import { type AttackKind, type AttackRecord, agentLie, inlineHook, nxUndo, pteRemap, writeDuringMeasurement } from './attacks.ts';
import { parkedThreads } from './host-executor.ts';

export interface MonitorRunOptions {
  readonly periodMs: number;
  readonly policy: InterventionPolicy;
  /** where the checks run; 'off': no monitor (the baseline) */
  readonly placement: MonitorPlacement | 'off';
  readonly durationMs: number;
  readonly attack?: AttackKind;
  /** ms after the host starts */
  readonly attackAtMs?: number;
  readonly kernelBytes?: number;
  readonly alg?: MeasureHash;
  readonly skip?: readonly Component[];
  readonly ioDevice?: string;
}

export interface TimelineEntry {
  /** ms since the host started its workload */
  readonly atMs: number;
  readonly what: 'measure' | 'attack' | 'detect' | 'intervene' | 'host-paused' | 'host-resumed' | 'host-done';
  readonly detail: string;
  /** a measurement: how long it took, and whether it found something */
  readonly durationMs?: number;
  readonly finding?: boolean;
}

export interface MonitorRunReport {
  /** which code was watched: the Debian kernel's text, or a fallback and why (kernel-text.ts) */
  readonly kernel: { readonly kind: KernelText['kind']; readonly source: string; readonly bytes: number; readonly pages: number; readonly sha256: string; readonly fallback?: string };
  readonly placement: MonitorPlacement | 'off';
  readonly periodMs: number;
  readonly policy: InterventionPolicy;
  readonly bootEvents: readonly BootEvent[];
  readonly measurements: { readonly count: number; readonly medianMs: number; readonly maxMs: number };
  readonly attack: (AttackRecord & { readonly atMs: number }) | null;
  readonly detection: { readonly atMs: number; readonly latencyMs: number; readonly findings: readonly Finding[] } | null;
  readonly interventions: readonly InterventionRecord[];
  readonly hostPausedAtMs: number | null;
  readonly alarms: readonly Alarm[];
  readonly host: WorkloadResult;
  readonly timeline: readonly TimelineEntry[];
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export async function runMonitorScenario(opts: MonitorRunOptions): Promise<MonitorRunReport> {
  const kernel = loadKernelText(opts.kernelBytes ?? SEED_KERNEL_TEXT_BYTES);
  const { mem, layout } = bootHost(kernel);
  const coreOptions = { policy: opts.policy, ...(opts.alg ? { alg: opts.alg } : {}), ...(opts.ioDevice ? { ioDevice: opts.ioDevice } : {}) };
  const ticks: TimedTick[] = [];
  let bootEvents: readonly BootEvent[] = [];
  const monitor = opts.placement === 'dedicated' ? await startMonitor(mem, layout, { ...coreOptions, periodMs: opts.periodMs }) : null;
  if (monitor) bootEvents = monitor.bootEvents;

  const hostData: HostWorkerData = {
    buffers: mem.buffers,
    layout,
    durationMs: opts.durationMs,
    maxParkMs: opts.durationMs + 5_000,
    ...(opts.skip ? { skip: opts.skip } : {}),
    ...(opts.placement === 'shared' ? { sharedMonitor: { options: coreOptions, periodMs: opts.periodMs } } : {}),
  };
  let t0 = absoluteNow();
  const timeline: TimelineEntry[] = [];
  const rel = (abs: number) => abs - t0;
  let attack: (AttackRecord & { atMs: number }) | null = null;
  let pausedAt: number | null = null;
  const timers: NodeJS.Timeout[] = [];

  const host = await new Promise<WorkloadResult>((resolve, reject) => {
    const w = startModuleWorker(import.meta.url, 'host-worker', { workerData: hostData });
    let origin = 0;
    w.on('message', (m: HostWorkerMessage) => {
      if (m.type === 'boot') {
        origin = m.timeOrigin;
        bootEvents = m.events;
      } else if (m.type === 'tick') ticks.push({ ...m.record, startedAt: origin + m.record.atMs });
      else if (m.type === 'started') {
        t0 = m.at;
        scheduleRun();
      } else if (m.type === 'result') resolve(m.result);
      else reject(new Error(`host core: ${m.message}`));
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`host core exited (${code}) without a result`)));
    // timers count from the host's start (t0, the worker's clock), not from when this thread
    // got the message, which can be later on a busy machine
    const scheduleRun = () => {
      // the attack, from the host's side (a compromised kernel writes its own memory)
      if (opts.attack) {
        const kind = opts.attack;
        timers.push(
          setTimeout(() => {
            const at = absoluteNow();
            const rec =
              kind === 'inline-hook' || kind === 'nx-undo' ? inlineHook(mem, layout)
              : kind === 'pte-remap' ? pteRemap(mem, layout)
              : kind === 'agent-lie' ? agentLie(mem, layout)
              : writeDuringMeasurement(mem, layout, opts.periodMs * 4 + 1_000);
            if (rec) attack = { ...rec, kind, atMs: rel(kind === 'write-during-measurement' ? absoluteNow() : at) };
          }, Math.max(0, (opts.attackAtMs ?? 0) - rel(absoluteNow()))),
        );
      }
      // watch for the host parking (pause policy) and for the nx-undo attack's second move —
      // only when one can happen: a run without them leaves the host's cores alone
      let undone = false;
      const watching = opts.policy === 'pause' || opts.attack === 'nx-undo';
      const watch = setInterval(() => {
        if (!watching) return;
        if (pausedAt === null && parkedThreads(mem) > 0) pausedAt = rel(absoluteNow());
        if (opts.attack === 'nx-undo' && !undone && [...ticks, ...(monitor?.ticks ?? [])].some((t) => t.interventions.some((i) => i.nxPages?.length))) {
          undone = true;
          const r = nxUndo(mem, layout);
          if (r) timeline.push({ atMs: rel(absoluteNow()), what: 'attack', detail: `nx-undo: ${r.detail}` });
        }
      }, watching ? 2 : 1_000);
      timers.push(watch);
      // at the end of the run the monitor stops first (it would pause the host again), then a
      // paused host is let go so its thread can finish
      timers.push(
        setTimeout(() => {
          void (monitor ? monitor.stop() : Promise.resolve()).then(() => resumeHost(mem));
        }, Math.max(0, opts.durationMs - rel(absoluteNow()))),
      );
    };
  });
  for (const t of timers) clearTimeout(t);
  await monitor?.stop();
  if (monitor) ticks.push(...monitor.ticks);
  ticks.sort((a, b) => a.startedAt - b.startedAt);

  for (const t of ticks)
    timeline.push({ atMs: rel(t.startedAt), what: 'measure', detail: `${t.durationMs.toFixed(1)} ms, ${t.findings.length ? t.findings.map((f) => f.kind).join(', ') : 'as at boot'}`, durationMs: t.durationMs, finding: t.findings.length > 0 });
  let detection: MonitorRunReport['detection'] = null;
  const atk = attack as (AttackRecord & { atMs: number }) | null;
  if (atk) {
    timeline.push({ atMs: atk.atMs, what: 'attack', detail: `${atk.kind}: ${atk.detail} (virtual page 0x${atk.vpage.toString(16)})` });
    const hit = ticks.find((t) => rel(t.startedAt) + t.durationMs >= atk.atMs && t.findings.length);
    if (hit) {
      const at = rel(hit.startedAt) + hit.durationMs;
      detection = { atMs: at, latencyMs: at - atk.atMs, findings: hit.findings };
      timeline.push({ atMs: at, what: 'detect', detail: hit.findings.map((f) => `${f.kind} (${f.detail})`).join('; ') });
    }
  }
  const interventions = ticks.flatMap((t) => t.interventions.map((i) => ({ i, at: rel(t.startedAt) + t.durationMs })));
  for (const { i, at } of interventions) timeline.push({ atMs: at, what: 'intervene', detail: `${i.policy}: ${i.action}` });
  if (pausedAt !== null) timeline.push({ atMs: pausedAt, what: 'host-paused', detail: 'a host thread parked at its safe point' });
  timeline.push({ atMs: host.durationMs, what: 'host-done', detail: `${host.rounds} rounds, ${host.roundsPerSecond.toFixed(1)}/s; ${host.nxFaults} never-execute refusals; parked ${host.parkedMs.toFixed(0)} ms` });
  timeline.sort((a, b) => a.atMs - b.atMs);
  const times = ticks.map((t) => t.durationMs);
  return {
    kernel: { kind: kernel.kind, source: kernel.source, bytes: kernel.bytes.length, pages: layout.pages, sha256: kernel.sha256, ...(kernel.fallback ? { fallback: kernel.fallback } : {}) },
    placement: opts.placement,
    periodMs: opts.periodMs,
    policy: opts.policy,
    bootEvents,
    measurements: { count: ticks.length, medianMs: median(times), maxMs: times.length ? Math.max(...times) : 0 },
    attack: atk,
    detection,
    interventions: interventions.map((x) => x.i),
    hostPausedAtMs: pausedAt,
    alarms: readAlarms(mem).alarms,
    host,
    timeline,
  };
}
