/**
 * The TZTCM's active measurement (seed 002 §3.2–3.3): at boot a static measurement of the
 * kernel code (digest, per-page digests, the page-table entries it runs from, the agent's
 * image), recorded in an event log bound for the boot PCRs; then, on the s-core's own timer,
 * `tick()` re-checks everything and intervenes on a difference:
 *
 * 1. the agent's region report against the boot-time layout (the agent is not trusted blindly);
 * 2. the page attributes the TZTCM locked (an NX bit cleared again is "lock undone");
 * 3. the kernel's page-table entries against the boot snapshot (a remapped or writable page);
 * 4. the region's digest through the page table against the boot digest, localised to pages.
 *
 * Every tick reports what it finds; alarms and interventions happen once per new finding (a
 * hook that stays is not re-alarmed every period), except a lock undone, which is new each time.
 *
 * The core is plain synchronous code over shared memory: the s-core worker runs it on its timer
 * (monitor-ta.ts, on the TZTCM's s-core timer), and the shared-core comparison runs it on the
 * host's own thread (host-worker.ts).
 * @module
 */
import { type Alarm, type AlarmKind, CTRL_MEASUREMENTS, CTRL_MEASURING, type HostMemory, PTE_NX, PTE_PRESENT, PTE_WRITABLE, writeAlarm } from './host-memory.ts';
import { type BootLayout, parseIomemLine } from './host-boot.ts';
import { changedPages, type MeasureHash, measureChunks, type PageIndex, pageIndex, rootDigest } from './measurement.ts';
import { applyIntervention, type InterventionPolicy, type InterventionRecord } from './interventions.ts';

/** TCG PC Client Platform Firmware Profile §3.3.4: PCR 4 holds boot code (the kernel image);
 * PCR 10 is where Linux IMA records what it measures at run time (the agent here). */
export const KERNEL_PCR = 4;
export const AGENT_PCR = 10;

export interface BootEvent {
  readonly pcr: number;
  readonly alg: MeasureHash;
  readonly digest: string;
  readonly event: string;
}

export interface Finding {
  readonly kind: AlarmKind;
  /** virtual pages concerned (empty for a report mismatch) */
  readonly vpages: readonly number[];
  readonly detail: string;
}

export interface TickRecord {
  /** ms since the monitor's boot measurement */
  readonly atMs: number;
  readonly durationMs: number;
  readonly digestMatches: boolean;
  readonly findings: readonly Finding[];
  readonly interventions: readonly InterventionRecord[];
  /** how late the s-core timer started this tick after its due time (ms; on the s-core only) */
  readonly lateMs?: number;
}

export interface MonitorCoreOptions {
  readonly policy: InterventionPolicy;
  readonly alg?: MeasureHash;
  /** the device whose IO grant the revoke-io policy withdraws */
  readonly ioDevice?: string;
  /** the clock (ms); performance.now by default */
  readonly now?: () => number;
}

function findingKey(f: Finding): string {
  return `${f.kind}:${f.vpages.join(',')}`;
}

export class MonitorCore {
  readonly alg: MeasureHash;
  readonly bootEvents: BootEvent[] = [];
  private readonly now: () => number;
  private bootDigest: Buffer = Buffer.alloc(0);
  private bootIndex: PageIndex = { chunks: [], pages: [] };
  private bootFrames: Int32Array = new Int32Array(0);
  private bootFlags: Int32Array = new Int32Array(0);
  /** virtual pages the TZTCM set NX on (the host must not clear them) */
  readonly locked = new Set<number>();
  /** the findings of the last tick: a change that persists is alarmed and acted on once; one that
   * went away and comes back is new again */
  private known = new Set<string>();
  private t0 = 0;

  constructor(
    readonly mem: HostMemory,
    readonly layout: BootLayout,
    readonly options: MonitorCoreOptions,
  ) {
    this.alg = options.alg ?? 'sha256';
    this.now = options.now ?? (() => performance.now());
  }

  /** The static measurement at boot; returns the event-log entries for the boot PCRs. */
  boot(): readonly BootEvent[] {
    const { mem, layout } = this;
    this.t0 = this.now();
    this.bootIndex = pageIndex(mem, layout, this.alg);
    this.bootDigest = rootDigest(this.bootIndex.chunks, this.alg);
    this.bootFrames = mem.pteFrame.slice(layout.kernelVpage0, layout.kernelVpage0 + layout.pages);
    this.bootFlags = mem.pteFlags.slice(layout.kernelVpage0, layout.kernelVpage0 + layout.pages);
    this.bootEvents.push(
      { pcr: KERNEL_PCR, alg: this.alg, digest: this.bootDigest.toString('hex'), event: `kernel code ${layout.pages} pages at frame 0x${layout.kernelFrame0.toString(16)} (${layout.kernelSource})` },
      { pcr: AGENT_PCR, alg: 'sha256', digest: this.layout.agentDigest, event: 'host agent image' },
    );
    return this.bootEvents;
  }

  /** Milliseconds since the boot measurement. */
  elapsed(): number {
    return this.now() - this.t0;
  }

  /** One periodic check; intervenes according to the policy on every finding. */
  tick(): TickRecord {
    const start = this.now();
    const findings: Finding[] = [];
    this.checkReport(findings);
    this.checkLocks(findings);
    this.checkMappings(findings);
    Atomics.store(this.mem.control, CTRL_MEASURING, 1);
    Atomics.add(this.mem.control, CTRL_MEASUREMENTS, 1);
    let chunks: Buffer[];
    try {
      chunks = measureChunks(this.mem, this.layout, this.alg);
    } finally {
      Atomics.store(this.mem.control, CTRL_MEASURING, 0);
    }
    const digest = rootDigest(chunks, this.alg);
    const digestMatches = digest.equals(this.bootDigest);
    if (!digestMatches) {
      const pages = changedPages(this.mem, this.layout, this.bootIndex, this.alg, chunks);
      // a remapped page already found by the mapping check shows here too; name it once
      const fresh = pages.filter((v) => !findings.some((f) => f.kind === 'mapping-changed' && f.vpages.includes(v)));
      if (fresh.length || !pages.length) findings.push({ kind: 'code-modified', vpages: fresh, detail: `digest ${digest.toString('hex').slice(0, 16)}… differs from boot ${this.bootDigest.toString('hex').slice(0, 16)}…` });
    }
    const atMs = start - this.t0;
    const interventions: InterventionRecord[] = [];
    const seen = new Set(findings.map(findingKey));
    const fresh = findings.filter((x) => x.kind === 'lock-undone' || !this.known.has(findingKey(x)));
    this.known = seen;
    for (const f of fresh) {
      for (const v of f.vpages.length ? f.vpages : [-1]) writeAlarm(this.mem, { kind: f.kind, vpage: v, detail: 0, atMs: Math.round(atMs) } satisfies Alarm);
      interventions.push(applyIntervention(this, f));
    }
    return { atMs, durationMs: this.now() - start, digestMatches, findings, interventions };
  }

  private checkReport(findings: Finding[]): void {
    const line = this.mem.readReport();
    const r = parseIomemLine(line);
    const { kernelFrame0, pages } = this.layout;
    if (!r || r.startFrame !== kernelFrame0 || r.pages !== pages) {
      findings.push({ kind: 'report-mismatch', vpages: [], detail: `agent reports '${line.slice(0, 60)}', boot layout is frames 0x${kernelFrame0.toString(16)}+${pages}` });
    }
  }

  private checkLocks(findings: Finding[]): void {
    const undone = [...this.locked].filter((v) => (this.mem.flags(v) & PTE_NX) === 0);
    if (undone.length) findings.push({ kind: 'lock-undone', vpages: undone, detail: `NX cleared again on ${undone.length} locked page(s)` });
  }

  private checkMappings(findings: Finding[]): void {
    const { mem, layout } = this;
    const changed: number[] = [];
    for (let i = 0; i < layout.pages; i++) {
      const v = layout.kernelVpage0 + i;
      const flags = mem.flags(v);
      // NX the TZTCM set itself is not a change; writable or unmapped code is
      const drift = (flags & ~PTE_NX) !== (this.bootFlags[i]! & ~PTE_NX) || (flags & (PTE_WRITABLE | PTE_PRESENT)) !== PTE_PRESENT;
      if (mem.frameOf(v) !== this.bootFrames[i] || drift) changed.push(v);
    }
    if (changed.length) findings.push({ kind: 'mapping-changed', vpages: changed, detail: `${changed.length} kernel page-table entr${changed.length === 1 ? 'y' : 'ies'} differ from boot` });
  }
}
