/**
 * `--shard i/n` for `tcv verify --all`, as jest, vitest and playwright shard: every target lands in
 * exactly one shard, the same one on every machine, and the shards are balanced by what each
 * target costs — the explorer benchmark's median time per target (bench/results/explorer.json),
 * or one unit for a target the benchmark has not seen. Longest first onto the least-loaded shard
 * (LPT scheduling; ties by target name), so the slowest shard is within one target of the mean.
 * @module
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './command.ts';

export const MAX_SHARDS = 64;

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d{1,3})\/(\d{1,3})$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) throw new UsageError(`--shard wants i/n with 1 <= i <= n <= ${MAX_SHARDS}, got '${text}'`);
  return { index, count };
}

/** Median ms per target ("protocol" or "protocol variant") from the explorer benchmark, if present. */
export function benchCosts(): ReadonlyMap<string, number> {
  try {
    const d = JSON.parse(readFileSync(new URL('../bench/results/explorer.json', import.meta.url), 'utf8')) as { perTarget?: { protocol: string; variant: string | null; medianMs: number }[] };
    return new Map((d.perTarget ?? []).map((r) => [r.variant ? `${r.protocol} ${r.variant}` : r.protocol, Math.max(1, r.medianMs)]));
  } catch {
    return new Map();
  }
}

/** The targets of shard `s` (in their original order). */
export function shardOf<T>(targets: readonly T[], key: (t: T) => string, s: Shard, costs: ReadonlyMap<string, number> = benchCosts()): T[] {
  const cost = (t: T) => costs.get(key(t)) ?? 1;
  const order = targets.map((t, k) => ({ t, k })).sort((a, b) => cost(b.t) - cost(a.t) || (key(a.t) < key(b.t) ? -1 : key(a.t) > key(b.t) ? 1 : 0));
  const load = new Array<number>(s.count).fill(0);
  const mine = new Set<number>();
  for (const { t, k } of order) {
    let least = 0;
    for (let i = 1; i < s.count; i++) if (load[i]! < load[least]!) least = i;
    load[least]! += cost(t);
    if (least === s.index - 1) mine.add(k);
  }
  return targets.filter((_, k) => mine.has(k));
}

/** The targets of shard `s` of `verify --all`: every shard gets at least one target (LPT deals
 * the first n targets to the n shards), so each shard's JSON names its shard (`stampShard`) and
 * `tcv merge` can tell a missing one. */
export function shardOfAll<T>(targets: readonly T[], key: (t: T) => string, s: Shard): T[] {
  if (s.count > targets.length) throw new UsageError(`--shard ${s.index}/${s.count}: more shards than the ${targets.length} targets`);
  return shardOf(targets, key, s);
}

/** A shard's reports, each saying which shard of how many it is (`tcv merge` checks all are there). */
export function stampShard<R extends object>(reports: readonly R[], s: Shard): (R & { allShard: Shard })[] {
  return reports.map((r) => ({ ...r, allShard: { index: s.index, count: s.count } }));
}
