/**
 * What a command that waits on something outside (a prover, a TPM) needs so that nothing
 * outlives it: an interruption seam (SIGINT/SIGTERM/SIGHUP become an AbortSignal, so the command
 * can tidy up — flush the TPM, close the transport — and then exit with 128 + the signal's
 * number), and child processes in their own process group, killed as a group when the command
 * is interrupted, times out, or exits (a prover's own workers included).
 * @module
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof SIGNALS)[number];

/** 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP: the shell's convention. */
export function signalExit(sig: StopSignal): number {
  return 128 + constants.signals[sig];
}

/**
 * Runs `work` with an AbortSignal that aborts on the first SIGINT/SIGTERM/SIGHUP (its reason the
 * signal's name); a second signal exits at once. Returns what `work` returns and the signal, if
 * one came.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; stoppedBy: StopSignal | null }> {
  const ac = new AbortController();
  let stoppedBy: StopSignal | null = null;
  const handlers = SIGNALS.map((sig) => {
    const h = () => {
      if (stoppedBy) process.exit(signalExit(sig));
      stoppedBy = sig;
      ac.abort(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  try {
    return { value: await work(ac.signal), stoppedBy };
  } finally {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  }
}

/** Kills the process group of a child started by `spawnGroup` (nothing if it is gone). */
export function killGroup(child: ChildProcess, sig: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // the group is gone
  }
}

/**
 * Spawns `exe` as the leader of a new process group. On SIGINT/SIGTERM/SIGHUP, on `signal`'s
 * abort, and at this process's exit, the whole group is killed: a prover that forks workers
 * leaves none behind.
 */
export function spawnGroup(exe: string, args: readonly string[], opts: SpawnOptions & { signal?: AbortSignal } = {}): ChildProcess {
  const { signal, ...rest } = opts;
  const child = spawn(exe, args, { ...rest, detached: true });
  const kill = () => killGroup(child);
  const onSignal = (sig: NodeJS.Signals) => {
    kill();
    // then the signal's default action, unless the command handles the signal itself
    if (process.listenerCount(sig) > 1) return;
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.kill(process.pid, sig);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', kill);
  signal?.addEventListener('abort', kill, { once: true });
  child.once('exit', () => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.removeListener('exit', kill);
    signal?.removeEventListener('abort', kill);
    // the leader is gone; its workers go with it
    kill();
  });
  return child;
}
