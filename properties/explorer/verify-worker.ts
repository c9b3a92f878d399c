/**
 * A pool worker (see `verify-pool.ts`): resolves each target it is sent — from the catalog, or
 * from the user's module it names — and verifies it, one at a time.
 * @module
 */
import { parentPort, threadId } from 'node:worker_threads';
import { register } from 'node:module';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import type { Protocol } from '../../models/protocol.ts';
import { resolveTarget } from '../../models/target.ts';
import type { PoolAnswer, PoolJob } from './verify-pool.ts';
import { verifyTarget } from './verify.ts';

const registered = new Set<string>();
const modules = new Map<string, Protocol[]>();

/** The protocols a user's module exports (as the CLI's loader finds them: values and arrays). */
async function corpusOf(job: PoolJob): Promise<readonly Protocol[]> {
  if (job.module === undefined) return ALL_PROTOCOLS;
  let found = modules.get(job.module);
  if (!found) {
    for (const h of job.hooks) if (!registered.has(h.url)) (registered.add(h.url), register(h.url, { data: h.data }));
    const mod = (await import(job.module)) as Record<string, unknown>;
    found = Object.values(mod).flatMap((v) => (Array.isArray(v) ? v : [v])).filter((x): x is Protocol => typeof x === 'object' && x !== null && typeof (x as Protocol).name === 'string' && Array.isArray((x as Protocol).roles));
    modules.set(job.module, found);
  }
  return found;
}

parentPort!.on('message', (job: PoolJob) => {
  void corpusOf(job)
    .then((corpus): PoolAnswer => ({ k: job.k, thread: threadId, report: verifyTarget(resolveTarget(corpus, job.target.protocol, job.target.variant, job.target.bound), job.opts) }))
    .catch((e: unknown): PoolAnswer => ({ k: job.k, error: e instanceof Error ? e.message : String(e) }))
    // the report is plain data (traces are JSON), so it crosses threads as it is
    .then((answer) => parentPort!.postMessage(answer));
});
