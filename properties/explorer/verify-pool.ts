/**
 * `verifyProtocol` over many targets on the machine's cores: a pool of worker threads, each
 * verifying one (protocol, variant) at a time and taking the next when it is done. A target's
 * search is single-threaded (one search's visited set is what makes it fast; split between
 * threads, the same states were explored twice), so the cores are used across targets.
 *
 * Workers load protocols from the catalog by name (machines are code, not data). Reports come
 * back as JSON data, in the order of the targets. A worker that fails makes its target run in
 * this thread instead, so a report is never lost.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import type { Protocol } from '../../models/protocol.ts';
import { type VerifyOptions, type VerifyReport, verifyProtocol } from './verify.ts';

export interface PoolTarget {
  readonly protocol: Protocol;
  readonly variant: string | undefined;
  readonly opts: VerifyOptions;
}

/** What a pool worker is sent, and what it answers. */
export interface PoolJob {
  readonly k: number;
  readonly protocol: string;
  readonly variant: string | undefined;
  readonly opts: VerifyOptions;
}
export type PoolAnswer = { readonly k: number; readonly report: VerifyReport } | { readonly k: number; readonly error: string };

/**
 * Verify every target with `jobs` workers (1: in this thread, in order). `onDone` is called as
 * each target finishes (for a progress line).
 */
export async function verifyMany(targets: readonly PoolTarget[], jobs: number, onDone?: (done: number, t: PoolTarget, r: VerifyReport) => void): Promise<VerifyReport[]> {
  const reports: VerifyReport[] = new Array(targets.length);
  let done = 0;
  const finish = (k: number, r: VerifyReport) => {
    reports[k] = r;
    onDone?.(++done, targets[k]!, r);
  };
  // targets the workers cannot load by name run here
  const local = targets.map((t, k) => (ALL_PROTOCOLS.includes(t.protocol) ? -1 : k)).filter((k) => k >= 0);
  const queue = targets.map((_, k) => k).filter((k) => !local.includes(k));
  const n = Math.min(Math.max(1, jobs), queue.length);
  if (jobs <= 1 || n <= 1) {
    targets.forEach((t, k) => finish(k, verifyProtocol(t.protocol, t.variant, t.opts)));
    return reports;
  }
  // the worker file beside this module, of its kind: verify-worker.ts beside the source,
  // verify-worker.cjs beside the bundle (scripts/build.mjs)
  const self = fileURLToPath(import.meta.url);
  const source = self.endsWith('.ts');
  const file = new URL(`./verify-worker${self.slice(self.lastIndexOf('.'))}`, import.meta.url);
  // a worker running the TypeScript sources needs tsx, whether or not this thread got it by flag
  const execArgv = source && !process.execArgv.some((a) => a.includes('tsx')) ? [...process.execArgv, '--import', 'tsx'] : process.execArgv;
  const failed: number[] = [];
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<void>((resolve) => {
        const w = new Worker(file, { execArgv });
        let current = -1;
        const next = () => {
          current = queue.shift() ?? -1;
          if (current < 0) {
            void w.terminate().then(() => resolve());
            return;
          }
          const t = targets[current]!;
          const job: PoolJob = { k: current, protocol: t.protocol.name, variant: t.variant, opts: t.opts };
          w.postMessage(job);
        };
        w.on('message', (a: PoolAnswer) => {
          if ('report' in a) finish(a.k, a.report);
          else failed.push(a.k);
          next();
        });
        w.on('error', () => {
          if (current >= 0) failed.push(current);
          current = -1;
          // the rest of the queue goes to the other workers, or to this thread below
          resolve();
        });
        next();
      }),
    ),
  );
  for (const k of [...local, ...failed, ...queue]) finish(k, verifyProtocol(targets[k]!.protocol, targets[k]!.variant, targets[k]!.opts));
  return reports;
}
