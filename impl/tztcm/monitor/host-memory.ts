/**
 * The host the TZTCM watches (seed 002 §3.2): its "physical memory", its page table and its IO
 * grants, all in SharedArrayBuffers that the host threads and the TZTCM's s-core worker both map
 * — as the normal world's RAM is visible to the secure world on a TrustZone SoC.
 *
 * What the host controls and what it does not:
 * - physical frames and page-table entries are the host kernel's: a compromised kernel (or an
 *   attack in the tests) may write any of them, so the TZTCM trusts none of them;
 * - the IO grants stand for a TrustZone Protection Controller (TZPC): secure-world registers
 *   that gate a peripheral. The host side of this module has no writer for them.
 * - the control block carries the pause request and the alarm ring (the secure world writes,
 *   the host reads): the "event a host process can read" of the log-and-alarm policy.
 * @module
 */

/** 4 KiB pages, as the ARMv8 kernel text the seed measures (Linux 4.4, 4 KiB granule). */
export const PAGE_SIZE = 4096;

/** Page-table entry flags (one Int32 per virtual page, beside the frame number). */
export const PTE_PRESENT = 1;
/** never execute (ARMv8 PXN/UXN, x86 NX): the host executor refuses the page */
export const PTE_NX = 2;
export const PTE_WRITABLE = 4;

/** Control-block words (Int32 indices). */
export const CTRL_PAUSE = 0; // 1: the secure world asks the host to stop at its next safe point
export const CTRL_PARKED = 1; // how many host threads are parked at a safe point
export const CTRL_ALARMS = 2; // alarms written so far (the ring's write index)
export const CTRL_MEASURING = 3; // 1 while the s-core is hashing the region (read by the write-during-measurement attack)
export const CTRL_MEASUREMENTS = 4; // measurements started so far
const CTRL_WORDS = 5;

/** The host agent's report area: Int32 length, then that many ASCII bytes (a /proc/iomem line). */
export const REPORT_BYTES = 256;

/** The alarm ring: ALARM_SLOTS entries of ALARM_WORDS Int32 each. */
export const ALARM_SLOTS = 256;
export const ALARM_WORDS = 4; // code, virtual page, detail, milliseconds since boot (low 31 bits)

/** What the shared buffers hold; plain data, so it crosses to a worker with postMessage. */
export interface HostMemoryBuffers {
  readonly frames: SharedArrayBuffer;
  readonly pteFrame: SharedArrayBuffer;
  readonly pteFlags: SharedArrayBuffer;
  readonly ioGrants: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  readonly alarms: SharedArrayBuffer;
  readonly agentReport: SharedArrayBuffer;
  readonly devices: readonly string[];
}

/** Typed views over the shared buffers; built the same way on the host and in the s-core. */
export class HostMemory {
  readonly frameCount: number;
  readonly bytes: Uint8Array;
  readonly pteFrame: Int32Array;
  readonly pteFlags: Int32Array;
  readonly ioGrants: Int32Array;
  readonly control: Int32Array;
  readonly alarmRing: Int32Array;
  readonly report: Int32Array;

  constructor(readonly buffers: HostMemoryBuffers) {
    this.bytes = new Uint8Array(buffers.frames);
    this.frameCount = this.bytes.length / PAGE_SIZE;
    this.pteFrame = new Int32Array(buffers.pteFrame);
    this.pteFlags = new Int32Array(buffers.pteFlags);
    this.ioGrants = new Int32Array(buffers.ioGrants);
    this.control = new Int32Array(buffers.control);
    this.alarmRing = new Int32Array(buffers.alarms);
    this.report = new Int32Array(buffers.agentReport);
  }

  /** A host with `frames` physical frames, `vpages` virtual pages (all unmapped) and devices (all granted). */
  static create(frames: number, vpages: number, devices: readonly string[]): HostMemory {
    const grants = new SharedArrayBuffer(4 * Math.max(1, devices.length));
    new Int32Array(grants).fill(1);
    return new HostMemory({
      frames: new SharedArrayBuffer(frames * PAGE_SIZE),
      pteFrame: new SharedArrayBuffer(4 * vpages),
      pteFlags: new SharedArrayBuffer(4 * vpages),
      ioGrants: grants,
      control: new SharedArrayBuffer(4 * CTRL_WORDS),
      alarms: new SharedArrayBuffer(4 * ALARM_SLOTS * ALARM_WORDS),
      agentReport: new SharedArrayBuffer(4 + REPORT_BYTES),
      devices,
    });
  }

  get vpageCount(): number {
    return this.pteFrame.length;
  }

  /** Map virtual page `v` to physical frame `f` with `flags`. */
  map(v: number, f: number, flags: number): void {
    this.checkVpage(v);
    if (!Number.isInteger(f) || f < 0 || f >= this.frameCount) throw new RangeError(`frame ${f} outside 0..${this.frameCount - 1}`);
    Atomics.store(this.pteFrame, v, f);
    Atomics.store(this.pteFlags, v, flags);
  }

  flags(v: number): number {
    return Atomics.load(this.pteFlags, v);
  }

  frameOf(v: number): number {
    return Atomics.load(this.pteFrame, v);
  }

  setFlags(v: number, flags: number): void {
    this.checkVpage(v);
    Atomics.store(this.pteFlags, v, flags);
  }

  /** The bytes of physical frame `f` (a view, not a copy). */
  frame(f: number): Uint8Array {
    return this.bytes.subarray(f * PAGE_SIZE, (f + 1) * PAGE_SIZE);
  }

  /** Is the device's IO grant still in force (TZPC register)? */
  ioGranted(device: string): boolean {
    const i = this.buffers.devices.indexOf(device);
    return i >= 0 && Atomics.load(this.ioGrants, i) === 1;
  }

  /** Host agent: publish its report (one ASCII line, at most REPORT_BYTES). */
  writeReport(line: string): void {
    const bytes = Buffer.from(line, 'latin1').subarray(0, REPORT_BYTES);
    new Uint8Array(this.buffers.agentReport, 4).set(bytes);
    Atomics.store(this.report, 0, bytes.length);
  }

  /** Secure side: the agent's last report, or '' before the agent has reported. */
  readReport(): string {
    const n = Math.min(Math.max(0, Atomics.load(this.report, 0)), REPORT_BYTES);
    return Buffer.from(new Uint8Array(this.buffers.agentReport, 4, n)).toString('latin1');
  }

  private checkVpage(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v >= this.pteFrame.length) throw new RangeError(`virtual page ${v} outside 0..${this.pteFrame.length - 1}`);
  }
}

/** The alarm codes the secure world writes into the ring (what a host process reads). */
export const ALARM_CODES = {
  'code-modified': 1,
  'mapping-changed': 2,
  'report-mismatch': 3,
  'lock-undone': 4,
} as const;
export type AlarmKind = keyof typeof ALARM_CODES;

export interface Alarm {
  readonly kind: AlarmKind;
  readonly vpage: number;
  readonly detail: number;
  readonly atMs: number;
}

/** Host side: read the alarms written since index `from` (the ring keeps the last ALARM_SLOTS). */
export function readAlarms(mem: HostMemory, from = 0): { alarms: Alarm[]; next: number } {
  const total = Atomics.load(mem.control, CTRL_ALARMS);
  const start = Math.max(from, total - ALARM_SLOTS);
  const kinds = Object.entries(ALARM_CODES);
  const alarms: Alarm[] = [];
  for (let i = start; i < total; i++) {
    const o = (i % ALARM_SLOTS) * ALARM_WORDS;
    const code = Atomics.load(mem.alarmRing, o);
    const kind = kinds.find(([, c]) => c === code)?.[0] as AlarmKind | undefined;
    if (kind) alarms.push({ kind, vpage: Atomics.load(mem.alarmRing, o + 1), detail: Atomics.load(mem.alarmRing, o + 2), atMs: Atomics.load(mem.alarmRing, o + 3) });
  }
  return { alarms, next: total };
}

/** Secure side: append an alarm to the ring. */
export function writeAlarm(mem: HostMemory, a: Alarm): void {
  const i = Atomics.load(mem.control, CTRL_ALARMS);
  const o = (i % ALARM_SLOTS) * ALARM_WORDS;
  Atomics.store(mem.alarmRing, o, ALARM_CODES[a.kind]);
  Atomics.store(mem.alarmRing, o + 1, a.vpage);
  Atomics.store(mem.alarmRing, o + 2, a.detail);
  Atomics.store(mem.alarmRing, o + 3, a.atMs & 0x7fffffff);
  Atomics.store(mem.control, CTRL_ALARMS, i + 1);
  Atomics.notify(mem.control, CTRL_ALARMS);
}
