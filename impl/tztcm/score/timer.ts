/**
 * The s-core's own timer (seed 002 §2.1: "S-core 上拥有独立的 TEE 时钟 timer, 驱动调度程序分时运行
 * TZTCM 的主动度量和监控模块" — the s-core has its own TEE timer driving the scheduler that runs the
 * active measurement and monitoring modules in time slices). Periodic tasks are kept here; the
 * loop that owns the core (the s-core worker, or the passive service's driver) asks how long it
 * may sleep and runs what is due. Host calls never wait behind a task for longer than one task.
 * @module
 */

/** A periodic task; it is told how late this run starts after its due time (ms): on a loaded
 * machine the core's wake-up can be late, and a measurement's timeline should show it. */
export type ScheduledTask = (lateMs: number) => void;

interface Entry {
  readonly id: number;
  readonly periodMs: number;
  readonly task: ScheduledTask;
  due: number;
  runs: number;
  failures: number;
}

export interface TaskStats {
  readonly id: number;
  readonly periodMs: number;
  readonly runs: number;
  readonly failures: number;
}

export class SCoreTimer {
  private readonly entries: Entry[] = [];
  private nextId = 1;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Run `task` every `periodMs` milliseconds (first run one period from now). Returns a cancel
   * function. A task that throws is counted (stats) and keeps its schedule: one failing
   * measurement must not stop the others. */
  schedule(periodMs: number, task: ScheduledTask): () => void {
    if (!Number.isFinite(periodMs) || periodMs <= 0) throw new RangeError(`a schedule period must be a positive number of milliseconds, got ${periodMs}`);
    const e: Entry = { id: this.nextId++, periodMs, task, due: this.now() + periodMs, runs: 0, failures: 0 };
    this.entries.push(e);
    return () => {
      const i = this.entries.indexOf(e);
      if (i >= 0) this.entries.splice(i, 1);
    };
  }

  /** Milliseconds until the next task is due (0: now), or undefined when nothing is scheduled. */
  nextDelay(): number | undefined {
    if (this.entries.length === 0) return undefined;
    const t = this.now();
    return Math.max(0, Math.min(...this.entries.map((e) => e.due)) - t);
  }

  /** Run every task that is due, each once; a task late by several periods runs once and is
   * rescheduled from now (no burst of catch-up runs). */
  runDue(): number {
    const t = this.now();
    let ran = 0;
    for (const e of [...this.entries]) {
      if (e.due > t) continue;
      const late = t - e.due;
      e.due = e.due + e.periodMs > t ? e.due + e.periodMs : t + e.periodMs;
      e.runs++;
      ran++;
      try {
        e.task(late);
      } catch {
        e.failures++;
      }
    }
    return ran;
  }

  stats(): TaskStats[] {
    return this.entries.map(({ id, periodMs, runs, failures }) => ({ id, periodMs, runs, failures }));
  }
}
