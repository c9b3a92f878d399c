/**
 * One search split across shards (`tcv verify <target> --shard i/n`: the explorer's `split`
 * option, the one the worker threads of properties/explorer/parallel-search.ts use: of the states
 * first reached a few steps below the root, a shard explores those whose key hashes to it) and the
 * shards' reports combined again by `tcv merge`. The soundness rule (parallel-search.ts): every
 * state at the split depth is explored by its owner, so an attack found by any shard is an attack, and
 * a property holds only when every shard of the split holds it within the same bound; a property
 * no shard refutes and some shard left open (a budget cut it) is inconclusive. Each shard keeps
 * its own visited set, so the shards' states add up to at least the unsplit search's (a state
 * reachable through two shards' subtrees is explored once per shard that reaches it, and the few
 * levels above the split depth by every shard).
 * @module
 */
import type { PropertyReport, VerifyReport } from '../properties/explorer/verify.ts';
import { UsageError } from './command.ts';

export interface SplitReport extends VerifyReport {
  /** which shard of a split search this report is (index from 1) */
  readonly split: { readonly index: number; readonly count: number };
}

export function isSplit(r: VerifyReport): r is SplitReport {
  const s = (r as Partial<SplitReport>).split;
  return typeof s === 'object' && s !== null && Number.isInteger(s.index) && Number.isInteger(s.count);
}

/** The shards of one target's split search combined into the report of the whole search. */
export function combineSplit(name: string, shards: readonly SplitReport[]): VerifyReport & { shards: { index: number; states: number; ms: number; cut?: string }[] } {
  const count = shards[0]!.split.count;
  const byIndex = new Map<number, SplitReport>();
  for (const s of shards) {
    if (s.split.count !== count) throw new UsageError(`${name}: shards of splits into ${count} and ${s.split.count} do not combine`);
    if (byIndex.has(s.split.index)) throw new UsageError(`${name}: shard ${s.split.index}/${count} is given twice`);
    byIndex.set(s.split.index, s);
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !byIndex.has(k));
  // a missing shard's branches were not searched: nothing would back a `holds`
  if (missing.length) throw new UsageError(`${name}: shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} of the split search missing`);
  const ordered = [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  const first = ordered[0]!;
  const properties = first.properties.map((p): PropertyReport => {
    const all = ordered.map((s) => s.properties.find((x) => x.id === p.id));
    if (all.some((x) => !x)) throw new UsageError(`${name}: the shards decide different properties (${p.id} is not in every shard)`);
    const attack = all.find((x) => x!.verdict === 'attack');
    if (attack) return attack;
    const open = all.find((x) => x!.verdict === 'inconclusive');
    return open ?? p;
  });
  const cut = ordered.flatMap((s) => (s.stats.cut ? [`shard ${s.split.index}/${count}: ${s.stats.cut}`] : [])).join('; ');
  const { split: _split, ...rest } = first;
  return {
    ...rest,
    properties,
    // states: all the work; ms: the slowest shard (the shards run at once)
    stats: { states: ordered.reduce((n, s) => n + s.stats.states, 0), ms: Math.max(...ordered.map((s) => s.stats.ms)), ...(cut ? { cut } : {}) },
    shards: ordered.map((s) => ({ index: s.split.index, states: s.stats.states, ms: s.stats.ms, ...(s.stats.cut ? { cut: s.stats.cut } : {}) })),
  };
}
