/**
 * A pool worker (see `verify-pool.ts`): verifies the targets it is sent, one at a time.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import type { PoolAnswer, PoolJob } from './verify-pool.ts';
import { verifyProtocol } from './verify.ts';

parentPort!.on('message', (job: PoolJob) => {
  let answer: PoolAnswer;
  try {
    const p = ALL_PROTOCOLS.find((x) => x.name === job.protocol);
    if (!p) throw new Error(`no protocol ${job.protocol} in the catalog`);
    // the report is plain data (traces are JSON), so it crosses threads as it is
    answer = { k: job.k, report: verifyProtocol(p, job.variant, job.opts) };
  } catch (e) {
    answer = { k: job.k, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(answer);
});
