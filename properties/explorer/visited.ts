/**
 * The search's visited set: states already explored, up to variable renaming and symmetry (keys
 * from `canon.ts`), each with the constraint levels it was explored with and, once its subtree is
 * done, which of its open choices that subtree read the level of.
 *
 * A new state is covered (skipped) by a visited one with the same key when, at every constraint,
 * the visited one allows at least the same knowledge (subsumption: the attacker can make every
 * choice of the new state there too) — or allows less, but its subtree never read that choice's
 * level in a way the missing knowledge could change (level relevance).
 *
 * Level relevance. Solving consults the level of an open choice only at a read (`SolveContext.
 * levelRead`): the choice was bound, so what it became must be derivable at its level, or its
 * level passed to another variable, or the partial-order reduction compared it. A read of a
 * choice bound to a ground term comes with the names that decide it: a knowledge entry holding
 * none of them (and no variable) cannot help derive the term. A choice bound to a ground term
 * that the whole knowledge cannot derive reads no level at all (`SolveContext.
 * skipUnderivableReads`): no part of the knowledge can help, and a state with the same key has
 * the same knowledge as a set, so the answer is the same "no" at every level. The argument is over the search
 * tree below a state without this cache (the other reductions — partial order, leaves,
 * symmetry — applied; they decide the same way in states with the same key): two states with
 * the same key take the same steps with the same solutions, and their judges answer the same,
 * until a read at which their levels differ by an entry holding a deciding name (or by anything,
 * for a read without names). Where the visited state allows at least as much, it has every
 * solution the new one has (and perhaps more), so the new state's tree maps into the visited
 * one's, read for read; the first read at which they would differ would then be one the visited
 * state's tree made, and none did. For the recorded reads to be those of the whole tree, the
 * reads of a state skipped inside it count where it was skipped: those of the state that covered
 * it (by position: same key, same choices), or all of its choices when that state's tree is not
 * finished (an ancestor).
 *
 * The last step. The partial-order reduction decides from a state's last step, which is not in
 * the key, which successors to skip. A finished visited state reached by another last step
 * covers a new one when it skipped none; when it skipped some, it covers the new state in part:
 * two states with the same key have the same successors (up to the renaming), those it took are
 * covered by its subtree as above, and only the transitions it skipped are left to explore from
 * the new state (`VisitEntry.only`, with the reduction applied for the new state's own last
 * step). The new state's reads are the visited state's plus those of what it explores itself.
 * @module
 */
import type { SymClaim, SymState } from './execute.ts';
import { ANY_NAME, type LastStep, canonicalKey, newTokenCache, relabelName, subsumes, uncovered } from './canon.ts';

/** What a subtree read of one choice: the deciding names, or anything. */
type Read = Set<string> | 'all';

export interface VisitEntry {
  readonly levels: string[];
  readonly vars: string[];
  /** the last step it was reached by (`canon.ts`) */
  readonly last: string;
  /** the steps the partial-order reduction skipped right after it: `label|transition`, the
   * instance label canonical (`relabel`). If any, it covers only states reached by the same last
   * step, and others only in part (`only`) */
  readonly skipped: Set<string>;
  /** set when a finished state with the same key, reached by another last step, covers this one
   * except for the steps skipped after it: only these are left to explore here (`label|transition`,
   * this state's instance labels) */
  only?: ReadonlySet<string>;
  /** per level: the choice's reads in this state's subtree, names canonical (null: none);
   * undefined until the subtree is done */
  read: (Read | null)[] | undefined;
  /** this state's instance labels → canonical labels (`canon.ts`) */
  readonly relabel: ReadonlyMap<string, string>;
}

export interface VisitedOptions {
  readonly subsume: boolean;
  readonly relevance: boolean;
  readonly groups: readonly number[][];
  /** the Running claims before a Commit its key lists (`commitReads` in `judge.ts`) */
  readonly commitReads?: (st: SymState, c: SymClaim) => readonly SymClaim[] | null;
}

export class VisitedSet {
  private readonly map = new Map<string, VisitEntry[]>();
  /** per visit on the search path: its subtree's reads, by variable (actual names) */
  private readonly frames: Map<string, Read>[] = [];
  private readonly tokens = newTokenCache();
  /** the reads of a partial cover, for the frame of the visit about to begin */
  private pendingReads: (() => void) | undefined;

  constructor(private readonly opts: VisitedOptions) {}

  /** A read of choice `v` in the current visit's subtree (`SolveContext.levelRead`). */
  read(v: string, names: ReadonlySet<string> | null): void {
    const frame = this.frames[this.frames.length - 1];
    if (frame) addRead(frame, v, names ?? 'all');
  }

  /** The state's key (up to renaming and symmetry), without levels and last step: states that
   * one covers another in have the same (`parallel-search.ts` assigns subtrees by it). */
  keyOf(st: SymState): string {
    const reads = this.opts.commitReads;
    return canonicalKey(st, null, this.opts.groups, this.tokens, reads && ((c) => reads(st, c))).key;
  }

  /** Every open choice of `st` counts as read. */
  readAll(st: SymState): void {
    for (const c of st.cons) this.read((c.t as { name: string }).name, null);
  }

  /** Is `st` covered by a visited state (true; its reads are counted), or else the entry made for
   * it, to pass to `leave`. `extra` is more of the key: what the search decides from outside the
   * state's key (the compromise events open there). */
  lookup(st: SymState, last: LastStep | null, extra: string): VisitEntry | true {
    const reads = this.opts.commitReads;
    const ck = canonicalKey(st, last, this.opts.groups, this.tokens, reads && ((c) => reads(st, c)));
    const key = `${ck.key}#${extra}`;
    const prev = this.map.get(key) ?? [];
    let cover: VisitEntry | undefined;
    // a finished state reached by another last step, after which the partial-order reduction
    // skipped steps: it covers this one except for those steps
    let partial: VisitEntry | undefined;
    for (const e of prev) {
      // reached by another last step: only a finished state covers it, in whole when no
      // partial-order skip followed it (it explored every successor), else in part
      if (e.last !== ck.last && e.read === undefined) continue;
      const gaps = uncovered(e.levels, ck.levels, this.opts.subsume);
      // where e allows less knowledge: each read of that choice in e's subtree is decided by
      // names the missing entries do not hold
      const covers = gaps.length === 0 || (this.opts.relevance && e.read !== undefined && gaps.every((k) => irrelevant(e.read![k]!, e.levels[k]!, ck.levels[k]!, ck.knowNames)));
      if (!covers) continue;
      if (e.last !== ck.last && e.skipped.size) {
        partial ??= e;
        continue;
      }
      if (gaps.length === 0 || !cover) cover = e;
      if (gaps.length === 0) break;
    }
    // canonical labels back to this state's (only needed when something covers it)
    let backMap: Map<string, string> | undefined;
    const back = () => (backMap ??= new Map([...ck.relabel].map(([a, b]) => [b, a])));
    // the cover's subtree reads count here (by position: same key, same choices)
    const countReads = (c: VisitEntry) => {
      const frame = this.frames[this.frames.length - 1];
      if (!frame) return;
      if (!c.read) return this.readAll(st);
      const own = back();
      ck.vars.forEach((v, k) => {
        const r = c.read![k];
        if (r) addRead(frame, v, r === 'all' ? r : new Set([...r].map((n) => relabelName(n, own))));
      });
    };
    if (cover) {
      countReads(cover);
      return true;
    }
    const entry: VisitEntry = { levels: ck.levels, vars: ck.vars, last: ck.last, skipped: new Set(), read: undefined, relabel: ck.relabel };
    if (partial) {
      // its reads are this visit's too: counted in the frame `enter` opens, see `leave`
      const own = back();
      entry.only = new Set([...partial.skipped].map((x) => {
        const bar = x.indexOf('|');
        return `${own.get(x.slice(0, bar)) ?? x.slice(0, bar)}|${x.slice(bar + 1)}`;
      }));
      this.pendingReads = () => countReads(partial!);
    }
    // keep only the most general ones (of those reached by the same last step)
    this.map.set(key, [...(this.opts.subsume ? prev.filter((e) => e.last !== ck.last || !subsumes(ck.levels, e.levels)) : prev), entry]);
    return entry;
  }

  /** A visit begins: reads from now on are in its subtree. */
  enter(): void {
    this.frames.push(new Map());
    this.pendingReads?.();
    this.pendingReads = undefined;
  }

  /** The partial-order reduction skipped transition `transition` of the instance labelled
   * `label` right after the state of `entry`. */
  skip(entry: VisitEntry, label: string, transition: string): void {
    entry.skipped.add(`${entry.relabel.get(label) ?? label}|${transition}`);
  }

  /** A visit ends (`done`: its subtree was searched to the end): its entry keeps the reads, and
   * the parent's subtree has them too. */
  leave(entry: VisitEntry | null, done: boolean): void {
    const mine = this.frames.pop()!;
    if (entry && done)
      entry.read = entry.vars.map((v) => {
        const r = mine.get(v);
        return r === undefined ? null : r === 'all' ? r : new Set([...r].map((n) => relabelName(n, entry.relabel)));
      });
    const parent = this.frames[this.frames.length - 1];
    if (parent) for (const [v, r] of mine) addRead(parent, v, r);
  }
}

function addRead(frame: Map<string, Read>, v: string, names: ReadonlySet<string> | 'all'): void {
  const cur = frame.get(v);
  if (cur === 'all') return;
  if (names === 'all') frame.set(v, 'all');
  else if (!cur) frame.set(v, new Set(names));
  else for (const n of names) cur.add(n);
}

/** Could the knowledge entries in `mine` and not in `theirs` (bit strings over the key's
 * knowledge) change a read `r`? Not when there was none, or when none of them holds one of its
 * deciding names (nor a variable, which could become anything). */
function irrelevant(r: Read | null, theirs: string, mine: string, knowNames: (j: number) => ReadonlySet<string>): boolean {
  if (r === null) return true;
  if (r === 'all') return false;
  for (let j = 0; j < mine.length; j++) {
    if (mine.charCodeAt(j) !== 49 || theirs.charCodeAt(j) === 49) continue;
    const names = knowNames(j);
    if (names.has(ANY_NAME)) return false;
    for (const n of names) if (r.has(n)) return false;
  }
  return true;
}
