/**
 * Running an external prover as a child in its own process group, so that everything it
 * starts (Tamarin runs Maude; a shell wrapper runs the real binary) stops with it: on a
 * timeout, and when tcv itself is stopped (SIGINT, SIGTERM), the whole group gets SIGTERM,
 * then SIGKILL after a grace period. Nothing is left running.
 * @module
 */
import { spawn } from 'node:child_process';

export interface ProverRun {
  readonly code: number | null;
  readonly output: string;
  /** 'timeout': the wall-clock budget ran out; 'idle': no output line for `idleMs` */
  readonly stopped: 'timeout' | 'idle' | 'signal' | null;
  readonly seconds: number;
}

export interface RunOptions {
  /** wall-clock budget for the whole run */
  readonly timeoutMs: number;
  /** stop when no line matching `progress` came for this long (a per-query budget) */
  readonly idleMs?: number;
  readonly progress?: RegExp;
  /** every line of stdout and stderr, as it comes */
  readonly onLine?: (line: string) => void;
}

const GRACE_MS = 2000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal); // the group: the prover and what it started
  } catch {
    // already gone
  }
}

/** Run `exe args` and collect its output; resolves when the group's leader has exited. */
export function runProver(exe: string, args: readonly string[], o: RunOptions): Promise<ProverRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let stopped: ProverRun['stopped'] = null;
    let partial = '';
    let hardKill: NodeJS.Timeout | undefined;
    const stop = (why: NonNullable<ProverRun['stopped']>) => {
      if (stopped) return;
      stopped = why;
      killGroup(child.pid, 'SIGTERM');
      hardKill = setTimeout(() => killGroup(child.pid, 'SIGKILL'), GRACE_MS);
    };
    const total = setTimeout(() => stop('timeout'), o.timeoutMs);
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (o.idleMs === undefined) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => stop('idle'), o.idleMs);
    };
    armIdle();
    const onData = (d: Buffer) => {
      const text = partial + d.toString();
      output += d.toString();
      const lines = text.split('\n');
      partial = lines.pop()!;
      for (const l of lines) {
        o.onLine?.(l);
        if (o.progress?.test(l)) armIdle();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const onSignal = (sig: NodeJS.Signals) => {
      stop('signal');
      killGroup(child.pid, 'SIGKILL');
      process.exitCode = sig === 'SIGINT' ? 130 : 143;
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const done = () => {
      clearTimeout(total);
      if (idle) clearTimeout(idle);
      if (hardKill) clearTimeout(hardKill);
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      // the leader is gone; take anything it left in its group with it
      killGroup(child.pid, 'SIGKILL');
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('close', (code) => {
      done();
      if (partial) o.onLine?.(partial);
      resolve({ code, output, stopped, seconds: (Date.now() - started) / 1000 });
    });
  });
}
