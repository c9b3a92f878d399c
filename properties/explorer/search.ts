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
 * - partial order: after a step L, a step C of another instance that commutes with it — C's
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
 *   a run are taken together with their instance's next step (see `leafKind`, `successors`);
 * - the visited set (`visited.ts`): a state is skipped when one already explored is at least as
 *   general (same key up to renaming and symmetry, each constraint allowed at least the same
 *   knowledge), or allows less knowledge only where its own subtree never read a level in a way
 *   the missing knowledge could change (level relevance).
 * A search cut by the state budget, the time budget, the memory budget (`memory-budget.ts`) or a
 * constraint-solving budget reports `inconclusive` for every property it has not refuted.
 * @module
 */
import type { Protocol, PropertyDecl } from '../../models/protocol.ts';
import { applyVariant } from '../../models/protocol.ts';
import { normalize } from '../../models/equations.ts';
import { type Term, type Var, mapTerm, name, termEquals, tup } from '../../models/terms.ts';
import { type Solution, type SolveContext, derivable, isGround, newSolveContext, solve } from './deduction.ts';
import { type ClaimRecord, type Successor, type SymState, execReveal, execTransition, initialState } from './execute.ts';
import { type RevealRecord, type Violation, commitReads, judge, reads } from './judge.ts';
import { type Scenario, buildScenario } from './scenario.ts';
import { knownSends } from './known-sends.ts';
import type { TransitionSpec } from '../../models/steps.ts';
import { symmetryGroups } from './canon.ts';
import { type VisitEntry, VisitedSet } from './visited.ts';
import { type Subst, resolve } from './unify.ts';
import { heapBudget } from './memory-budget.ts';


export interface ExploreOptions {
  /** honest sessions per role (default 1) */
  readonly sessions?: number;
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
  /** one shard of a search split across processes (`tcv verify … --shard i/n`): of the initial
   * state's successors (its first-level branches, numbered in the search's own deterministic
   * order), only those numbered `index` modulo `count` (index from 0) are explored. The shards'
   * subtrees are disjoint and together the whole tree: an attack in any shard is an attack; a
   * property holds when it holds in every shard (no communication, as in swarm verification) */
  readonly branches?: { readonly index: number; readonly count: number };
  /** called now and then during the search (about four times a second), for a progress line */
  readonly onProgress?: (states: number, ms: number) => void;
}

export interface Finding {
  readonly prop: PropertyDecl;
  readonly violation: Violation;
  readonly state: SymState;
  /** secrecy: how the attacker derives the secret */
  readonly goal: Solution | null;
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

/** The attacker's open choices replaced by distinct values of its own, then normalised: a
 * choice that makes two data different is always available to it. */
export function generic(t: Term, s: Subst): Term {
  return normalize(mapTerm(resolve(t, s), (u) => (u.t === 'var' ? name(`x:${u.name}`, u.sort) : u)));
}

/** The judge's verdict on one property at a state: the violation (with, for secrecy, how the
 * attacker derives the secret), or null. */
export function judgeAt(prop: PropertyDecl, st: SymState, ctx: SolveContext): Finding | null {
  let goal: Solution | null = null;
  ctx.know = st.know;
  const v = judge(prop, {
    claims: st.claims,
    reveals: st.steps.flatMap((s, k): RevealRecord[] => (s.reveal ? [{ step: k, event: s.reveal.event, agent: s.reveal.agent }] : [])),
    derivable: (t) => {
      goal = derivable(t, st.know.length, st.cons, st.s, ctx);
      return goal !== null;
    },
    equal: (a, b) => termEquals(generic(a, st.s), generic(b, st.s)),
  });
  return v ? { prop, violation: v, state: st, goal } : null;
}

export function explore(p: Protocol, variantId: string | undefined, opts: ExploreOptions = {}): ExploreResult {
  const t0 = performance.now();
  const { protocol } = applyVariant(p, variantId);
  const sessions = opts.sessions ?? 1;
  const scen = buildScenario(protocol, { sessions, nodes: opts.nodes ?? 1 });
  const deadline = opts.deadlineAt ?? t0 + (opts.timeoutMs ?? 60_000);
  const memory = heapBudget(opts.heapFraction);
  const maxStates = opts.maxStates ?? 2_000_000;
  const por = opts.por ?? true;
  const ctx = newSolveContext(undefined, opts.solveBudget);
  const props = opts.properties ? protocol.properties.filter((x) => opts.properties!.includes(x.id)) : protocol.properties;
  const found = new Map<string, Finding>();
  let states = 0;
  const firstAttack: Record<string, { states: number; ms: number }> = {};
  let cut: string | null = null;
  let stopped = false;
  let lastProgress = t0;

  // START transitions without claims first
  let root = initialState(scen);
  for (let i = 0; i < root.insts.length; i++) {
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

  const independent = (st: SymState, m: Term | null, knowFrom: number): boolean => {
    if (!m) return true;
    const levels = new Map(st.cons.map((c) => [(c.t as { name: string }).name, c.lvl]));
    const vars: string[] = [];
    mapTerm(m, (u) => (u.t === 'var' && vars.push(u.name), u));
    if (vars.some((x) => (levels.get(x) ?? 0) >= knowFrom)) return false;
    for (const x of vars) if (levels.has(x)) ctx.levelRead?.(x, null);
    ctx.know = st.know;
    const sols = solve([...st.cons, { lvl: knowFrom, t: m }], st.s, ctx);
    // the same state, not a more specific one: no open choice gets fixed
    return sols.some((sol) => st.cons.every((c) => resolve(c.t, sol.s).t === 'var'));
  };

  // what a state key shows of a Commit (`commitReads`); a settled Commit stays settled in every
  // descendant, where its record is the same object
  const settledMemo = new WeakSet<ClaimRecord>();
  const readsOf = (st: SymState, c: ClaimRecord): readonly ClaimRecord[] | null => {
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

  // Final silent steps. A transition that sends nothing the attacker does not already have (no
  // message, or only attacker-built ones: `known-sends.ts`), claims no Running and no Secret
  // that a property of this search reads (the judge reads no other), and ends its instance (no
  // transition leaves its target) changes nothing any other step can see: not what the attacker
  // can derive, not a later step of its instance, not another claim's verdict (only its own
  // Commits are judged, against Running claims already in the trace and reveals, which a later
  // position only adds). Its checks may fix attacker choices, which only makes the rest of a
  // trace less general. So for a trace A·S·B, the trace A·B (explored, or covered by the
  // partial-order reduction, which applies to the system without these steps) shows every
  // violation by a claim of A or B, at least as generally; and S's own violation shows at the
  // state A·S, which is judged: S is evaluated at every state where it is enabled, as a leaf.
  // Only its Commits are judged there: it adds nothing derivable and no Secret claim, and its
  // bindings only narrow the instantiations of A, so a secret derivable at A·S is derivable at A
  // already. A leaf without a Commit claim a property of this search judges (its tag and its
  // commit role) has nothing to judge and is not taken at all. Not so for a Commit judged by
  // injective agreement: a later Commit can take its Running claim, so a step with one is always
  // continued.
  const leaves = opts.leaves ?? true;
  const leafMemo = new Map<string, 'commits' | 'nothing' | 'silent' | null>();
  const sendsKnown = new Map<number, (t: TransitionSpec) => boolean>();
  const leafKind = (i: number, t: TransitionSpec): 'commits' | 'nothing' | 'silent' | null => {
    const { label, role, env } = scen.instances[i]!;
    const k = `${label}|${t.label}|${t.from}`;
    let r = leafMemo.get(k);
    if (r === undefined) {
      const def = scen.roles.get(role)!;
      let known = sendsKnown.get(i);
      if (!known) sendsKnown.set(i, (known = knownSends(def.transitions, def.initial, env, scen.knowledge)));
      const final = !def.transitions.some((u) => u.from === t.to);
      const quiet =
        t.steps.every((x) => !(x.op === 'claim' && (x.event === 'Running' || x.event === 'Secret') && props.some((p) => reads(p, x.event, role, x.tag)))) &&
        (t.steps.every((x) => x.op !== 'send') || known(t));
      // its Commits matter only if a property of this search judges them; one judged by
      // injective agreement competes with later Commits for the same Running claims: a later
      // step can see it, so the step is no leaf
      const judged = (x: (typeof t.steps)[number], kind?: PropertyDecl['kind']) =>
        x.op === 'claim' && x.event === 'Commit' && props.some((p) => (!kind || p.kind === kind) && reads(p, 'Commit', role, x.tag));
      const commits = t.steps.some((x) => judged(x));
      if (!quiet || t.steps.some((x) => judged(x, 'injective-agreement'))) r = null;
      else if (final) r = commits ? 'commits' : 'nothing';
      else r = commits ? null : 'silent';
      leafMemo.set(k, r);
    }
    return r;
  };

  // Silent steps inside a run. A transition that does not end its instance but is otherwise as
  // silent as a leaf (nothing new for the attacker, no claim a property reads) changes nothing
  // another instance can see; only its own instance's next step depends on it. So for a trace
  // A·S·B·N (N the instance's next step), A·B·S·N is a trace too and at least as general (S's
  // input is made knowing more, B's steps never saw S), with the same claims at every state
  // (a state A·S·B' judges what A·B' does, bindings aside, which only narrow); and A·S·B alone
  // shows nothing A·B does not. S is therefore taken only together with the next step of its
  // instance, as one step (chains of them likewise, up to a depth). The compound step's input,
  // for the partial-order reduction, is both inputs.
  const successors = (st: SymState, i: number, t: TransitionSpec, depth = 0): { succ: Successor; leaf: boolean }[] => {
    const kind = leaves ? leafKind(i, t) : null;
    if (kind === 'nothing') return [];
    ctx.know = st.know;
    const first = execTransition(st, i, t, ctx);
    if (kind !== 'silent' || depth >= 8) return first.map((succ) => ({ succ, leaf: kind === 'commits' }));
    const def = scen.roles.get(st.insts[i]!.role)!;
    const old = new Set(st.cons.map((c) => (c.t as Var).name));
    const out: { succ: Successor; leaf: boolean }[] = [];
    for (const s1 of first)
      for (const u of def.transitions) {
        if (u.from !== t.to) continue;
        for (const x of successors(s1.state, i, u, depth + 1)) {
          const next = x.succ.state;
          const both = s1.recvTerm && x.succ.recvTerm ? tup(s1.recvTerm, x.succ.recvTerm) : (s1.recvTerm ?? x.succ.recvTerm);
          out.push({ succ: { state: next, free: next.cons.some((c) => !old.has((c.t as Var).name)), recvTerm: both && resolve(both, next.s) }, leaf: x.leaf });
        }
      }
    return out;
  };

  const visit = (st: SymState, last: Last | null): void => {
    if (stopped) return;
    // the compromise events open right here: a reveal matters only right after a Secret claim it
    // could break (forward secrecy; see the module comment). They depend on the last steps, which
    // are not in the state key, so they join it.
    const open = fsTags.size ? scen.reveals.flatMap((r, k) => (!st.revealed.includes(k) && rightAfterSecret(st, r.agent) ? [k] : [])) : [];
    const entry = cache ? cache.lookup(st, last, open.join(',')) : null;
    if (entry === true) return;
    cache?.enter();
    explore1(st, last, entry, open);
    cache?.leave(entry, !stopped);
  };
  const explore1 = (st: SymState, last: Last | null, entry: VisitEntry | null, open: readonly number[]): void => {
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
    // a split search (`branches`): the initial state's successors dealt round-robin to the shards
    let branch = -1;
    const mine = () => st !== root || !opts.branches || ++branch % opts.branches.count === opts.branches.index;
    for (let i = 0; i < n && !stopped; i++) {
      const inst = st.insts[i]!;
      if (!inst.started && st.insts.some((o, j) => j < i && !o.started && o.role === inst.role && sameAgents(o.agents, inst.agents))) continue;
      for (const t of scen.roles.get(inst.role)!.transitions) {
        if (t.from !== inst.state || stopped) continue;
        // covered in part by a state with the same key (`VisitEntry.only`): only what it skipped
        if (entry?.only && !entry.only.has(`${inst.label}|${t.label}`)) continue;
        for (const { succ, leaf } of successors(st, i, t)) {
          if (!mine()) continue;
          if (leaf) {
            // a final silent step: its Commits judged here, never continued (see `leafKind`)
            states++;
            judgeState(succ.state, true);
            if (found.size === props.length) stopped = true;
            if (stopped) return;
            continue;
          }
          if (por && last && !succ.free && i !== last.inst && (i < last.inst || last.free) && independent(succ.state, succ.recvTerm, last.knowFrom)) {
            if (entry) cache!.skip(entry, inst.label, t.label);
            continue;
          }
          visit(succ.state, { inst: i, knowFrom: st.know.length, free: succ.free });
          if (stopped) return;
        }
      }
    }
    // a partial cover explored the reveals (never skipped by the partial-order reduction)
    for (const k of entry?.only ? [] : open) {
      const r = scen.reveals[k]!;
      if (stopped) return;
      if (!mine()) continue;
      // reveals are explored for forward secrecy only: once those properties are refuted, stop
      if (props.every((x) => x.kind !== 'forward-secrecy' || !(x.compromiseAfter ?? []).includes(r.event) || found.has(x.id))) continue;
      // never reordered: forward secrecy depends on whether a reveal comes before or after a
      // claim, and a reveal is only taken right after one, so no step after it is skipped for the
      // order with the reveal later (no last step for the partial-order reduction)
      visit(execReveal(st, k, r), null);
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

/** The step that led to a state: its instance, the knowledge before it, and whether it left an
 * attacker choice open. */
interface Last {
  readonly inst: number;
  readonly knowFrom: number;
  readonly free: boolean;
}

function sameAgents(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
