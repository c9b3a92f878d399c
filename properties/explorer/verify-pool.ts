/**
 * `verifyTarget` over many targets on the machine's cores: a pool of worker threads, each
 * verifying one target at a time and taking the next when it is done. A target's search is
 * single-threaded here (the cores are used across targets; `parallel-search.ts` splits one).
 *
 * Machines are code, not data, so a worker is sent where a target comes from — the catalog, or
 * the user's module (`PoolTarget.module`) — with the request the target was resolved from
 * (`targetRequest`: name, variant, bound), and resolves it into the same Target. Workers start from the bundle or from the
 * TypeScript sources alike (`impl/threads/module-worker.ts`). A target no worker can load, a
 * worker that fails or dies, is an error of the whole call (never a silent run in this thread):
 * a report is never lost and never made elsewhere than asked.
 * @module
 */
import { threadId } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { type Target, type TargetRequest, targetName, targetRequest } from '../../models/target.ts';
import { startModuleWorker } from '../../impl/threads/module-worker.ts';
import { type VerifyOptions, type VerifyReport, verifyTarget } from './verify.ts';

export interface PoolTarget {
  readonly target: Target;
  readonly opts: VerifyOptions;
  /** the module (a path or file URL) a protocol from the user's files was loaded from; a
   * worker imports it to load the protocol (catalog protocols need none) */
  readonly module?: string;
}

/** Loader hooks a worker registers before it imports a user's module (`module.register`). */
export interface PoolHooks {
  readonly url: string;
  readonly data?: unknown;
}

/** What a pool worker is sent, and what it answers. */
export interface PoolJob {
  readonly k: number;
  /** undefined: the catalog */
  readonly module: string | undefined;
  readonly target: TargetRequest;
  readonly opts: VerifyOptions;
  readonly hooks: readonly PoolHooks[];
}
export type PoolAnswer = { readonly k: number; readonly report: VerifyReport; readonly thread: number } | { readonly k: number; readonly error: string };

/** A pool worker failed, or a target cannot be sent to one. */
export class PoolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoolError';
  }
}

const nameOf = (t: PoolTarget) => targetName(t.target);

/**
 * Verify every target with `jobs` workers (1: in this thread, in order). `onDone` is called as
 * each target finishes (for a progress line), with the thread that verified it. Rejects with a
 * PoolError when a worker fails.
 */
export async function verifyMany(
  targets: readonly PoolTarget[],
  jobs: number,
  onDone?: (done: number, t: PoolTarget, r: VerifyReport, thread: number) => void,
  hooks: readonly PoolHooks[] = [],
): Promise<VerifyReport[]> {
  const reports: VerifyReport[] = new Array(targets.length);
  let done = 0;
  const finish = (k: number, r: VerifyReport, thread: number) => {
    reports[k] = r;
    onDone?.(++done, targets[k]!, r, thread);
  };
  const n = Math.min(Math.max(1, jobs), targets.length);
  if (n <= 1) {
    for (const [k, t] of targets.entries()) finish(k, verifyTarget(t.target, t.opts), threadId);
    return reports;
  }
  const jobsOf = targets.map((t, k): PoolJob => {
    if (!t.module && !ALL_PROTOCOLS.includes(t.target.base)) throw new PoolError(`${nameOf(t)}: not in the catalog and no module given, so no worker can load it (verify it with one job)`);
    const module = t.module === undefined ? undefined : /^file:/.test(t.module) ? t.module : pathToFileURL(t.module).href;
    return { k, module, target: targetRequest(t.target), opts: t.opts, hooks };
  });
  const queue = jobsOf.slice();
  const workers: { terminate(): Promise<number> }[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve, reject) => {
            const w = startModuleWorker(import.meta.url, 'verify-worker');
            workers.push(w);
            let current: PoolJob | undefined;
            const next = () => {
              current = queue.shift();
              if (!current) return void w.terminate().then(() => resolve(), reject);
              w.postMessage(current);
            };
            w.on('message', (a: PoolAnswer) => {
              if ('error' in a) return reject(new PoolError(`verifying ${nameOf(targets[a.k]!)} in a worker failed: ${a.error}`));
              finish(a.k, a.report, a.thread);
              next();
            });
            w.on('error', (e) => reject(new PoolError(`a verify worker failed${current ? ` on ${nameOf(targets[current.k]!)}` : ''}: ${e.message}`)));
            w.on('exit', (code) => current && reject(new PoolError(`a verify worker exited (code ${code}) while verifying ${nameOf(targets[current.k]!)}`)));
            next();
          }),
      ),
    );
  } finally {
    // on a failure the other workers stop too; the error is the call's
    await Promise.all(workers.map((w) => w.terminate().catch(() => 0)));
  }
  return reports;
}
