/**
 * The explorer's entry point: verify one protocol (or one variant of it) and report each
 * property's verdict next to the expectation the model declares (`expectedVerdict`), with the
 * attack trace as data. This is the JSON `tcv verify --json` prints.
 * @module
 */
import { type Target, atSessions } from '../../models/target.ts';
import { type PropertyDecl, expectedAtRuns } from '../../models/protocol.ts';
import { type ExploreOptions, type ExploreResult, type Finding, type Verdict, explore } from './search.ts';
import { type TraceData, traceData } from './trace.ts';
import { minimise } from './minimise.ts';
import type { SymState, TraceStep } from './execute.ts';
import type { Scenario } from './scenario.ts';
import { type ReplayOutcome, replayOutcome } from '../attack-replay.ts';

export interface VerifyOptions extends ExploreOptions {
  /** replay the attacks on a variant with real crypto (on the variant and on the correct
   * protocol): `PropertyReport.replay` (what `tcv report` shows), once per distinct trace */
  readonly replay?: boolean;
}

export interface PropertyReport {
  readonly id: string;
  readonly kind: string;
  /** at this bound: 'holds' for an attack the model declares to need more runs than a runs bound
   * allows (`PropertyDecl.attackFromRuns`; then `expectedAttackFromRuns` says from which) */
  readonly expected: 'holds' | 'attack';
  /** the model expects an attack from this runs bound on, not at the smaller one searched: so
   * 'holds' here is as expected, not a difference */
  readonly expectedAttackFromRuns?: number;
  readonly verdict: Verdict;
  /** the bound this verdict was decided at */
  readonly bound: string;
  readonly trace: TraceData | null;
  /** with `VerifyOptions.replay`, an attack on a variant replayed with real crypto */
  readonly replay?: ReplayOutcome;
}

export interface VerifyReport {
  readonly protocol: string;
  /** null for the base protocol */
  readonly variant: string | null;
  /** what was searched; `holds` means: no attack within this bound */
  readonly bound: string;
  readonly properties: readonly PropertyReport[];
  readonly stats: { readonly states: number; readonly ms: number; readonly cut?: string };
}

/** Where a verification is: the rung's bound, the properties it decides, its states and time. */
export interface VerifyProgress {
  readonly sessions: number;
  readonly properties: readonly string[];
  readonly states: number;
  readonly ms: number;
}

/**
 * Verify a resolved target (models/target.ts) at its bound. The search runs as a ladder: first at one session
 * per role, where attacks are found fastest and their traces are the shortest; the properties
 * not refuted there are then decided at the full bound (an attack within a smaller bound is an
 * attack within the larger). A replay variant whose attack needs more sessions than the
 * protocol's default (`VariantDecl.sessions`) gets a last rung at that bound for the properties
 * it breaks (unless the user chose the bound). Each property reports the bound it was decided at.
 * The target's bound is the top of the ladder. Within a rung, forward-secrecy properties are
 * searched apart from the others (`searchGroups`); the report's states are the sum.
 */
export function verifyTarget(target: Target, opts: VerifyOptions = {}, progress?: (at: VerifyProgress) => void): VerifyReport {
  const { base: p, variant, bound } = target;
  const variantId = variant?.id;
  const top = bound.sessions;
  const replay = !bound.chosen && variant?.sessions && variant.sessions > top ? variant.sessions : undefined;
  // a runs bound (`runs.ts`, Scyther's) is one search at that bound: no ladder, no replay rung
  // a reflection variant (`VariantDecl.runs`): a last search at its runs bound for what it breaks
  const reflect = !bound.chosen && variant?.runs ? variant.runs : undefined;
  const rungs: { sessions: number; only?: readonly string[]; runs?: number }[] =
    bound.runs !== undefined
      ? [{ sessions: top }]
      : [...(top > 1 ? [{ sessions: 1 }] : []), { sessions: top }, ...(replay ? [{ sessions: replay, only: variant!.breaks }] : []), ...(reflect ? [{ sessions: top, runs: reflect, only: variant!.breaks }] : [])];
  // `opts.properties` narrows the report (and the search, which stops once they are refuted)
  const judged = target.protocol.properties;
  const selected = opts.properties ? judged.filter((x) => opts.properties!.includes(x.id)) : judged;
  // one time budget for the whole ladder: a later rung gets what the earlier ones left
  const deadlineAt = performance.now() + (opts.timeoutMs ?? 60_000);
  const decided = new Map<string, { verdict: Verdict; r: ExploreResult; finding: Finding | null }>();
  const runs: { sessions: number; r: ExploreResult }[] = [];
  for (const [k, rung] of rungs.entries()) {
    // the first rung decides everything; later rungs only what is not refuted yet
    const open = selected.filter((x) => (rung.only ? rung.only.includes(x.id) : true) && decided.get(x.id)?.verdict !== 'attack').map((x) => x.id);
    if (!open.length) continue;
    const at = rung.runs ? { ...target, bound: { ...bound, sessions: rung.sessions, runs: rung.runs } } : atSessions(target, rung.sessions);
    const groups = searchGroups(open, judged);
    for (const group of groups) {
      const onProgress = progress && ((states: number, ms: number) => progress({ sessions: rung.sessions, properties: group, states, ms }));
      const narrowed = k > 0 || rung.only || opts.properties || groups.length > 1;
      const r = explore(at, { ...opts, deadlineAt, ...(narrowed ? { properties: group } : {}), ...(onProgress ? { onProgress } : {}) });
      runs.push({ sessions: rung.sessions, r });
      for (const [id, v] of r.verdicts) {
        // below the top, only attacks are final
        if (rung.sessions < top && v.verdict !== 'attack') continue;
        decided.set(id, { verdict: v.verdict, r, finding: v.finding });
      }
    }
  }
  // traces without the steps their attacks do not use (`minimise.ts`); properties violated on
  // the same path try the steps kept for the first one
  const kept = new Map<SymState, readonly TraceStep[]>();
  // a trace several properties share (one printed trace) is replayed once, for the first
  const replayed = new Set<string>();
  const shortTrace = (scen: Scenario, f: Finding): { trace: TraceData; replay?: ReplayOutcome } => {
    const m = minimise(scen, f, kept.get(f.state));
    kept.set(f.state, m.kept);
    const trace = traceData(scen, m.finding, m.omitted);
    const shape = JSON.stringify(trace.steps);
    if (!opts.replay || variantId === undefined || replayed.has(shape)) return { trace };
    replayed.add(shape);
    return { trace, replay: replayOutcome(target, scen, m.finding) };
  };
  const properties = selected.map((prop): PropertyReport => {
    const d = decided.get(prop.id)!;
    const t = d.finding ? shortTrace(d.r.scenario, d.finding) : null;
    const exp = expectedAtRuns(p, prop.id, variant, bound.runs);
    return {
      id: prop.id,
      kind: prop.kind,
      expected: exp.expected,
      ...(exp.fromRuns !== undefined ? { expectedAttackFromRuns: exp.fromRuns } : {}),
      verdict: d.verdict,
      bound: d.r.bound,
      trace: t ? t.trace : null,
      ...(t?.replay ? { replay: t.replay } : {}),
    };
  });
  const atTop = runs.find((x) => x.sessions === top)?.r;
  const mainBound = atTop ? atTop.bound : `${top} session(s) per role (every property refuted at ${runs[0]!.r.bound})`;
  const cut = runs.map((x) => x.r.stats.cut).filter(Boolean).join('; ');
  return {
    protocol: p.name,
    variant: variantId ?? null,
    bound: (replay ? `${mainBound}; ${variant!.breaks.join(', ')} at ${replay} session(s) per role` : mainBound) + (reflect ? `; ${variant!.breaks.join(', ')} at --runs ${reflect}` : '') + (!bound.chosen && p.bound ? ` (declared bound: ${p.bound.why})` : ''),
    properties,
    stats: { states: runs.reduce((n, x) => n + x.r.stats.states, 0), ms: runs.reduce((n, x) => n + x.r.stats.ms, 0), ...(cut ? { cut } : {}) },
  };
}

/**
 * The searches a rung makes for its open properties: forward-secrecy properties on their own.
 * Forward secrecy lets the attacker compromise a key after the claim, so its search places the
 * compromise after every later step; searched together with properties that make those steps
 * non-silent (an injective Commit on every message of a session: P2.3), the two multiply —
 * key-exchange two-phase took 7578 states together, 540 + 1250 apart. Each property's verdict is
 * a search that judges it (the `properties` option, as `--property` uses), so nothing changes but
 * the count.
 */
function searchGroups(open: readonly string[], judged: readonly PropertyDecl[]): string[][] {
  const fs = new Set(judged.filter((x) => x.kind === 'forward-secrecy').map((x) => x.id));
  const groups = [open.filter((id) => !fs.has(id)), open.filter((id) => fs.has(id))].filter((g) => g.length > 0);
  return groups;
}

/** Does every verdict equal its expectation? */
export function asExpected(r: VerifyReport): boolean {
  return r.properties.every((x) => x.verdict === x.expected);
}

