/**
 * One search split between worker threads: each worker searches the same target with its own
 * visited set, and of the states first reached at a fixed depth below the root it explores only
 * those whose canonical key hashes to its part (`ExploreOptions.split`). Above that depth every
 * worker does the same work (a few states); below it the subtrees are shared out, and a state
 * another part owns is a dead end that counts as reading every open choice.
 *
 * Why it is sound: ownership goes by the state's key, and a visited state covers another only
 * when their keys are equal, so a state and the one that covers it always have the same owner.
 * Each part is thus the single-thread search of the system in which other parts' states at the
 * split depth are dead ends; every state at the split depth of the whole search is explored (or
 * covered) by its owner, so every attack is found by some part. A property holds when it holds in
 * every part, none of them cut. What it costs: no visited set is shared, so states below the
 * split depth with equal keys reached through different owners' subtrees are explored once per
 * owner, and the levels above the split depth are explored by every part (docs/explorer-speed.md
 * has the measurements at 1 and 2 workers).
 * @module
 */
import type { PoolJob, PoolAnswer } from './verify-pool.ts';
import { PoolError } from './verify-pool.ts';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { type Target, targetName, targetRequest } from '../../models/target.ts';
import { startModuleWorker } from '../../impl/threads/module-worker.ts';
import type { PropertyReport, VerifyOptions, VerifyReport } from './verify.ts';

/** The default split depth: steps past the root's eager starts. */
export const SPLIT_DEPTH = 4;

/** The reports of every part of one split search, as one report. Per property: an attack if
 * some part found one (the shortest trace), else inconclusive if some part was cut, else holds. */
export function mergeParts(parts: readonly VerifyReport[], ms: number): VerifyReport {
  const first = parts[0]!;
  const properties = first.properties.map((p0): PropertyReport => {
    const all = parts.map((r) => r.properties.find((x) => x.id === p0.id)!);
    const attacks = all.filter((x) => x.verdict === 'attack').sort((a, b) => a.trace!.steps.length - b.trace!.steps.length);
    if (attacks.length) return attacks[0]!;
    return all.find((x) => x.verdict === 'inconclusive') ?? p0;
  });
  const cut = parts.map((r) => r.stats.cut).filter(Boolean).join('; ');
  return { ...first, properties, stats: { states: parts.reduce((n, r) => n + r.stats.states, 0), ms: Math.round(ms), ...(cut ? { cut } : {}) } };
}

/** Verify one catalog target with its search split over `workers` threads. */
export async function verifySplit(target: Target, opts: VerifyOptions, workers: number, depth = SPLIT_DEPTH): Promise<VerifyReport> {
  const name = targetName(target);
  if (!ALL_PROTOCOLS.includes(target.base)) throw new PoolError(`${name}: not in the catalog, so no worker can load it`);
  const t0 = performance.now();
  const reports = await Promise.all(
    Array.from(
      { length: workers },
      (_, part) =>
        new Promise<VerifyReport>((resolve, reject) => {
          const w = startModuleWorker(import.meta.url, 'verify-worker');
          const job: PoolJob = { k: part, module: undefined, target: targetRequest(target), opts: { ...opts, split: { part, parts: workers, depth } }, hooks: [] };
          w.on('message', (a: PoolAnswer) => {
            void w.terminate();
            if ('error' in a) reject(new PoolError(`part ${part + 1} of ${workers} of ${name} failed: ${a.error}`));
            else resolve(a.report);
          });
          w.on('error', (e) => reject(new PoolError(`part ${part + 1} of ${workers} of ${name} failed: ${e.message}`)));
          w.postMessage(job);
        }),
    ),
  );
  return mergeParts(reports, performance.now() - t0);
}
