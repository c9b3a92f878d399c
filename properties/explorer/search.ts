/**
 * The bounded search: depth-first over the interleavings of the scenario's role instances and
 * compromise events, each step a symbolic transition whose attacker inputs are solved lazily.
 * Every reached state is judged (all properties are prefix-closed), so a violation is found at
 * the first state where it exists.
 *
 * Reductions (each keeps every attack within the bound):
 * - START transitions without claims run first: they have no input, and sending earlier only
 *   gives the attacker more at every later point;
 * - symmetry: of two instances with the same role and agents that have not started, the first
 *   starts first;
 * - partial order (`partial-order.ts`): after a step L, a step C of another instance that commutes with it — C's
 *   input is derivable without L's outputs and mentions none of L's inputs — and leaves no
 *   attacker choice open is skipped when C's instance comes first in the scenario order or L
 *   left a choice open (a step of L's own instance is never skipped: it was not enabled before
 *   L, so there is no other order to explore). The order C·L is explored instead, and it is at
 *   least as general: C's inputs are fixed, and L's open choices are made knowing more. Steps
 *   that both leave choices open are not reordered (a choice made later may use the other's
 *   outputs), nor are compromise events (forward secrecy depends on whether a reveal comes
 *   before or after a claim). Every state reached is judged, so skipping a suffix never hides
 *   a violation of a prefix.
 * - a compromise event of agent a is taken only right after a step that made a Secret claim
 *   naming a (for a forward-secrecy tag), or after other reveals right after such a step: a
 *   violation needs the claim before the reveal, and moving the reveal back to right after the
 *   claim's step keeps every step between valid (each gets more knowledge, more general), the
 *   claim honest for forward secrecy, and the knowledge at the end the same. Claims of the steps
 *   it moves past that name a become compromised, but their own violations are found with the
 *   reveal right after them instead.
 * - final silent steps are leaves, judged where enabled and never continued; silent steps inside
 *   a run are taken together with their instance's next step (`silent-steps.ts`);
 * - the visited set (`visited.ts`): a state is skipped when one already explored is at least as
 *   general (same key up to renaming and symmetry, each constraint allowed at least the same
 *   knowledge), or allows less knowledge only where its own subtree never read a level in a way
 *   the missing knowledge could change (level relevance).
 * A search cut by the state budget, the time budget, the memory budget (`memory-budget.ts`) or a
 * constraint-solving budget reports `inconclusive` for every property it has not refuted.
 * @module
 */
import type { Protocol, PropertyDecl } from '../../models/protocol.ts';
import type { TransitionSpec } from '../../models/steps.ts';
import type { Target } from '../../models/target.ts';
import { type Term, termEquals } from '../../models/terms.ts';
import { isGround, newSolveContext } from './deduction.ts';
import { type SymClaim, type SymState, execReveal, execTransition, initialState } from './execute.ts';
import { commitReads } from './judge.ts';
import { type Scenario, buildScenario } from './scenario.ts';
import { symmetryGroups } from './canon.ts';
import { type VisitEntry, VisitedSet } from './visited.ts';
import { resolve } from './unify.ts';
import { heapBudget } from './memory-budget.ts';
import { type Finding, generic, judgeAt } from './state-judge.ts';
import { independent } from './partial-order.ts';
import type { LastStep } from './canon.ts';
import { silentStepper } from './silent-steps.ts';

export { type Finding, generic, judgeAt };

/** How to search (the bound is the target's: `Target.bound`). */
export interface ExploreOptions {
  /** honest nodes (default 1; 2 adds one instance per role on a second node) */
  readonly nodes?: number;
  readonly timeoutMs?: number;
  readonly maxStates?: number;
  /** partial-order reduction (default on; off is for tests) */
  readonly por?: boolean;
  /** final silent steps judged as leaves, never continued (default on; off is for tests) */
  readonly leaves?: boolean;
  /** visited set on canonical state keys (default on; off is for tests) */
  readonly cache?: boolean;
  /** a visited state at least as general (constraint levels) covers a new one (default on) */
  readonly subsume?: boolean;
  /** symmetry between instances with the same role and agents, inside the cache (default on) */
  readonly symmetry?: boolean;
  /** level relevance: a visited state also covers a new one whose open choices it gives less
   * knowledge when the visited state's search never read those choices' levels (default on) */
  readonly levelRelevance?: boolean;
  /** level relevance: a choice bound to a ground term that the whole knowledge cannot derive
   * reads no level (the answer is "no" at every level; `SolveContext.skipUnderivableReads`;
   * default on, off is for tests) */
  readonly relevanceUnderivable?: boolean;
  /** state keys list, per Commit, only the Running claims before it the judge compares, and
   * none once it has a witness no extension can take away (default on; off is for tests) */
  readonly commitReads?: boolean;
  /** work units per constraint-solving call */
  readonly solveBudget?: number;
  /** decide only these properties (ids); the search stops once all of them are refuted */
  readonly properties?: readonly string[];
  /** the deadline as a `performance.now()` time, when it is shared with earlier searches (the
   * rungs of one verification); default: `timeoutMs` from the start of this one */
  readonly deadlineAt?: number;
  /** the share of the heap limit the search may fill (default `HEAP_FRACTION`) */
  readonly heapFraction?: number;
  /** one part of a search split between threads (`parallel-search.ts`): of the states first
   * reached at `depth` steps past the root, only those whose key hashes to `part` of `parts` */
  readonly split?: { readonly part: number; readonly parts: number; readonly depth: number };
  /** called now and then during the search (about four times a second), for a progress line */
  readonly onProgress?: (states: number, ms: number) => void;
}

export type Verdict = 'holds' | 'attack' | 'inconclusive';

export interface ExploreResult {
  readonly bound: string;
  readonly scenario: Scenario;
  readonly verdicts: ReadonlyMap<string, { verdict: Verdict; finding: Finding | null }>;
  readonly stats: {
    readonly states: number;
    readonly ms: number;
    readonly cut: string | null;
    readonly firstAttack: Readonly<Record<string, { states: number; ms: number }>>;
  };
}

/** Explore a resolved target (models/target.ts: its variant applied) at its bound. */
export function explore(target: Target, opts: ExploreOptions = {}): ExploreResult {
  const t0 = performance.now();
  const { protocol, bound } = target;
  const scen = buildScenario(protocol, { sessions: bound.sessions, nodes: opts.nodes ?? 1, ...(bound.runs !== undefined ? { runs: bound.runs } : {}) });
  const deadline = opts.deadlineAt ?? t0 + (opts.timeoutMs ?? 60_000);
  const memory = heapBudget(opts.heapFraction);
  const maxStates = opts.maxStates ?? 2_000_000;
  const ctx = newSolveContext(undefined, opts.solveBudget);
  const props = opts.properties ? protocol.properties.filter((x) => opts.properties!.includes(x.id)) : protocol.properties;
  // `peers: 'any'` judges a Commit on what the attacker had before it: that depends on the order
  // of independent steps, which the partial-order reduction takes as one
  const anyPeer = props.some((x) => x.peers === 'any');
  if (anyPeer) ctx.attackerHad = true;
  const por = (opts.por ?? true) && !anyPeer;
  const found = new Map<string, Finding>();
  let states = 0;
  const firstAttack: Record<string, { states: number; ms: number }> = {};
  let cut: string | null = null;
  let stopped = false;
  let lastProgress = t0;

  // START transitions without claims first (not under a runs bound, where a start spends a run)
  let root = initialState(scen);
  for (let i = 0; i < (scen.runs === undefined ? root.insts.length : 0); i++) {
    const inst = root.insts[i]!;
    const def = scen.roles.get(inst.role)!;
    const start = def.transitions.find((t) => t.from === inst.state && t.trigger === 'START');
    if (!start || start.steps.some((s) => s.op === 'claim')) continue;
    ctx.know = root.know;
    const next = execTransition(root, i, start, ctx);
    if (next.length === 1) root = next[0]!.state;
  }

  const fsTags = new Set(props.filter((x) => x.kind === 'forward-secrecy').map((x) => x.tag));
  // the last transition, past the reveals right after it, made a Secret claim naming `agent`
  const rightAfterSecret = (x: SymState, agent: string): boolean => {
    let k = x.steps.length - 1;
    while (k >= 0 && x.steps[k]!.reveal) k--;
    return k >= 0 && x.steps[k]!.claims.some((c) => c.event === 'Secret' && fsTags.has(c.tag) && c.agents.includes(agent));
  };

  // `commitsOnly`: a final silent step's state (see `leafKind`), where only Commit claims are new
  const judgeState = (st: SymState, commitsOnly = false) => {
    for (const prop of props) {
      if (commitsOnly && (prop.kind === 'secrecy' || prop.kind === 'forward-secrecy')) continue;
      const prev = found.get(prop.id);
      if (prev && prev.state.steps.length <= st.steps.length) continue;
      const f = judgeAt(prop, st, ctx);
      if (f) {
        if (!prev) firstAttack[prop.id] = { states, ms: Math.round(performance.now() - t0) };
        found.set(prop.id, f);
      }
    }
  };

  // what a state key shows of a Commit (`commitReads`); a settled Commit stays settled in every
  // descendant, where its record is the same object
  const settledMemo = new WeakSet<SymClaim>();
  const readsOf = (st: SymState, c: SymClaim): readonly SymClaim[] | null => {
    if (settledMemo.has(c)) return null;
    // the Commit's data is compared with every Running before it: made generic once
    const gen = new Map<Term, Term>();
    const g = (t: Term): Term => {
      let r = gen.get(t);
      if (!r) gen.set(t, (r = generic(t, st.s)));
      return r;
    };
    const r = commitReads(props, st.claims, c, (a, b) => termEquals(g(a), g(b)), (t) => isGround(resolve(t, st.s)));
    if (!r) settledMemo.add(c);
    return r;
  };
  // states already explored, up to variable renaming and symmetry, with subsumption on
  // constraint levels and level relevance (see `visited.ts`)
  const cache =
    opts.cache === false
      ? null
      : new VisitedSet({
          subsume: opts.subsume ?? true,
          relevance: opts.levelRelevance ?? true,
          groups: opts.symmetry === false ? [] : symmetryGroups(root.insts),
          ...(opts.commitReads === false ? {} : { commitReads: readsOf }),
        });
  if (cache) ctx.levelRead = (v, names) => cache.read(v, names);
  if (opts.relevanceUnderivable ?? true) ctx.skipUnderivableReads = true;

  // final silent steps as leaves, silent steps inside a run with their next step (`silent-steps.ts`)
  const successors = silentStepper(scen, props, ctx, opts.leaves ?? true);

  // Under a runs bound, a run starts by a START step without claims (no input) only in the prefix
  // of the trace made of such steps: in a trace A·S·B with S such a start, S·A·B is a trace too,
  // at least as general (S needs nothing; what it sends every later step may use), with the same
  // claims in the same order and the same knowledge at the end (the eager starts of the sessions
  // bound, with the choice of which runs to start left to the search).
  const startsOver = (st: SymState): boolean => scen.runs !== undefined && st.steps.some((x) => x.recv || x.reveal || x.claims.length);
  const lateStart = (t: TransitionSpec): boolean => t.trigger === 'START' && t.steps.every((x) => x.op !== 'claim' && x.op !== 'recv');

  // a split search (`parallel-search.ts`): a state first reached at the split depth is another
  // part's unless its key hashes to this part; another part's state is a dead end here that
  // counts as reading every open choice (the visited set then covers nothing by what its
  // subtree did not read), and never enters the visited set
  const split = opts.split;
  const splitAt = split ? root.steps.length + split.depth : Infinity;
  const othersPart = (st: SymState, from: number): boolean => {
    if (!split || from >= splitAt || st.steps.length < splitAt) return false;
    if (ownerOf(cache ? cache.keyOf(st) : st.steps.map((x) => `${x.inst}.${x.transition}`).join(' '), split.parts) === split.part) return false;
    cache?.readAll(st);
    return true;
  };

  // symmetry: of identical instances that have not started, the first starts first, so the
  // started ones of a kind are always its first ones and an instance may start only once the
  // nearest earlier one of its kind (`twin`, -1 for none) has
  const twin = root.insts.map((x, i) => {
    for (let j = i - 1; j >= 0; j--) if (root.insts[j]!.role === x.role && sameAgents(root.insts[j]!.agents, x.agents)) return j;
    return -1;
  });

  const visit = (st: SymState, last: LastStep | null, from = -1): void => {
    if (stopped) return;
    if (othersPart(st, from)) return;
    // the compromise events open right here: a reveal matters only right after a Secret claim it
    // could break (forward secrecy; see the module comment). They depend on the last steps, which
    // are not in the state key, so they join it.
    const open = fsTags.size ? scen.reveals.flatMap((r, k) => (!st.revealed.includes(k) && rightAfterSecret(st, r.agent) ? [k] : [])) : [];
    // under a runs bound, whether new runs may still start (`startsOver`) joins the key too
    const entry = cache ? cache.lookup(st, last, open.join(',') + (startsOver(st) ? '' : '^')) : null;
    if (entry === true) return;
    cache?.enter();
    explore1(st, last, entry, open);
    cache?.leave(entry, !stopped);
  };
  const explore1 = (st: SymState, last: LastStep | null, entry: VisitEntry | null, open: readonly number[]): void => {
    states++;
    if (states > maxStates) cut = `state budget (${maxStates}) reached`;
    else if (ctx.budget.cut) cut = 'constraint-solving budget reached';
    else {
      // every state: at large bounds one state can take tens of milliseconds (the state key's
      // symmetry permutations), and a search past a shared deadline must do no work
      const now = performance.now();
      if (now > deadline) cut = `time budget (${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s) reached`;
      else if ((states & 15) === 0 && (cut = memory.exceeded())) {
        // cut: the search stops below
      } else if (opts.onProgress && now - lastProgress >= 250) {
        lastProgress = now;
        opts.onProgress(states, Math.round(now - t0));
      }
    }
    if (cut) {
      stopped = true;
      return;
    }
    judgeState(st);
    if (found.size === props.length) {
      stopped = true;
      return;
    }
    const n = st.insts.length;
    // a runs bound (`runs.ts`): once that many instances started, no other starts
    const full = scen.runs !== undefined && st.insts.reduce((k, x) => k + (x.started ? 1 : 0), 0) >= scen.runs;
    const late = startsOver(st);
    for (let i = 0; i < n && !stopped; i++) {
      const inst = st.insts[i]!;
      if (!inst.started && (full || (twin[i]! >= 0 && !st.insts[twin[i]!]!.started))) continue;
      for (const t of scen.roles.get(inst.role)!.transitions) {
        if (t.from !== inst.state || stopped) continue;
        if (late && !inst.started && lateStart(t)) continue;
        // covered in part by a state with the same key (`VisitEntry.only`): only what it skipped
        if (entry?.only && !entry.only.has(`${inst.label}|${t.label}`)) continue;
        for (const { succ, leaf } of successors(st, i, t)) {
          if (leaf) {
            // a final silent step: its Commits judged here, never continued (`silent-steps.ts`)
            states++;
            judgeState(succ.state, true);
            if (found.size === props.length) stopped = true;
            if (stopped) return;
            continue;
          }
          if (por && last && !succ.free && i !== last.inst && (i < last.inst || last.free) && independent(succ.state, succ.recvTerm, last.knowFrom, ctx)) {
            if (entry) cache!.skip(entry, inst.label, t.label);
            continue;
          }
          visit(succ.state, { inst: i, knowFrom: st.know.length, free: succ.free }, st.steps.length);
          if (stopped) return;
        }
      }
    }
    // a partial cover explored the reveals (never skipped by the partial-order reduction)
    for (const k of entry?.only ? [] : open) {
      const r = scen.reveals[k]!;
      if (stopped) return;
      // reveals are explored for forward secrecy only: once those properties are refuted, stop
      if (props.every((x) => x.kind !== 'forward-secrecy' || !(x.compromiseAfter ?? []).includes(r.event) || found.has(x.id))) continue;
      // never reordered: forward secrecy depends on whether a reveal comes before or after a
      // claim, and a reveal is only taken right after one, so no step after it is skipped for the
      // order with the reveal later (no last step for the partial-order reduction)
      visit(execReveal(st, k, r), null, st.steps.length);
    }
  };
  visit(root, null);

  const verdicts = new Map<string, { verdict: Verdict; finding: Finding | null }>();
  for (const prop of props) {
    const f = found.get(prop.id) ?? null;
    verdicts.set(prop.id, { verdict: f ? 'attack' : cut ? 'inconclusive' : 'holds', finding: f });
  }
  return {
    bound: scen.bound,
    scenario: scen,
    verdicts,
    stats: { states, ms: Math.round(performance.now() - t0), cut, firstAttack },
  };
}

/** Which of `parts` a key belongs to (FNV-1a): the same in every thread. */
function ownerOf(key: string, parts: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < key.length; k++) h = Math.imul(h ^ key.charCodeAt(k), 0x01000193);
  return (h >>> 0) % parts;
}

function sameAgents(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
