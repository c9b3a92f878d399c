/**
 * Real cores for the NUCAA placement (seed 002 §2.1: the TZTCM's s-core is a core of its own,
 * the host never schedules on it). On Linux a thread is bound to CPUs with sched_setaffinity;
 * Node has no binding for it, so util-linux's `taskset` does it from a child process, given the
 * thread's kernel id (the worker finds its own through `/proc/thread-self`). Threads a pinned
 * thread creates, and processes it spawns, inherit its CPU set (sched_setaffinity(2)).
 *
 * Also the thread's own scheduler accounting (`/proc/thread-self/schedstat`: ns on a CPU, ns
 * waiting on a run queue), which a benchmark uses to tell the host losing its core from the
 * host running slower on it. Everything here answers null or a reason where Linux's /proc or
 * taskset is missing, never throws.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

/** This thread's kernel id (TID), from /proc/thread-self -> "PID/task/TID"; null off Linux. */
export function threadId(): number | null {
  try {
    const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The CPUs this thread may run on, as Linux lists them ("0", "0-1"), or null. */
export function allowedCpus(): string | null {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/thread-self/status', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

function taskset(args: string[]): string | null {
  const r = spawnSync('taskset', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) return `taskset is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}; Debian's util-linux has it)`;
  return r.status === 0 ? null : `taskset ${args.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
}

/** Bind every thread of this process (main, workers, V8's and libuv's helpers) to `cpu`.
 * Returns null when done, else why not. */
export function pinProcess(cpu: number): string | null {
  return taskset(['-a', '-p', '-c', String(cpu), String(process.pid)]);
}

/** Bind the calling thread alone to `cpu` (threads it starts later inherit it). */
export function pinThisThread(cpu: number): string | null {
  const tid = threadId();
  if (tid === null) return 'no /proc/thread-self (not Linux)';
  return taskset(['-p', '-c', String(cpu), String(tid)]) ?? (allowedCpus() === String(cpu) ? null : `thread ${tid} still allowed on ${allowedCpus()}`);
}

export interface SchedStat {
  /** ns this thread ran on a CPU */
  readonly runNs: number;
  /** ns it was runnable but waited for a CPU (another thread or process had it) */
  readonly waitNs: number;
}

/** This thread's scheduler accounting (Documentation/scheduler/sched-stats.rst), or null. */
export function threadSchedStat(): SchedStat | null {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    return run === undefined || wait === undefined || Number.isNaN(run) ? null : { runNs: run, waitNs: wait };
  } catch {
    return null;
  }
}
