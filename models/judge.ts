/**
 * The one property judge: claims are data, a property is a pure policy over them. Generic in the
 * value type — symbolic terms for the explorer (properties/explorer/judge.ts: equality modulo the
 * theory, derivability by the attacker, honesty from the trace's compromises), concrete values
 * for the runtime (impl/runtime/claims-check.ts: byte equality, the bytes observed on the
 * network). The semantics are written once, here (after Lowe's hierarchy, "A hierarchy of
 * authentication specifications", CSFW 1997, and Tamarin's lemma forms):
 *
 * - secrecy / forward-secrecy: no honest Secret(tag, d) whose `d` the attacker has; with
 *   `unlessOops`, a Secret claim whose sid an Oops claim names (that session's key leaked, by a
 *   reveal of its own: Paulson's Oops) is not judged — a key of another session leaking still counts.
 * - aliveness: each honest Commit(tag) by the commit role is preceded by some Running (any tag)
 *   by an instance of the running role played by the commit's peer (any peer if it names none).
 * - weak-agreement: the same with a Running of the same tag.
 * - non-injective-agreement: a Running(tag) by the running role earlier, with equal data.
 * - injective-agreement: as non-injective, with distinct Running events for distinct Commits.
 * - `mutual`: also with the roles swapped.
 * - peers: a Commit counts when its instance is honest — its actor and its peer (Lowe's "with an
 *   honest peer"). With `peers: 'any'` a Commit by an honest actor naming a dishonest peer is
 *   judged too: it holds iff the attacker had its data before the claim (`attackerHad`) — the
 *   attacker's agent cannot have sent what it never knew.
 *
 * A verdict is a typed union: `holds`, `violated` (the claim and why), or `vacuous` — nothing the
 * property reads happened (no honest Commit, no honest Secret): it holds, trivially, which a run
 * that should have exercised the property reports as a failure and a search as `holds`.
 * @module
 */
import type { PropertyDecl } from './protocol.ts';
import type { ClaimEvent } from './steps.ts';

/** A claim as the judge reads it. `V` is the value type (a term, a concrete value). */
export interface JudgedClaim<V> {
  readonly role: string;
  readonly event: ClaimEvent;
  readonly tag: string;
  readonly peer: V | null;
  readonly data: V;
  /** the session the claim names (Secret and Oops claims may name one) */
  readonly sid?: V | null;
}

/** What the judge asks of its caller. */
export interface JudgePolicy<V, C extends JudgedClaim<V>> {
  /** position in the trace: a witness must come strictly before the claim it witnesses */
  readonly at: (c: C) => number;
  /** the agent that made the claim */
  readonly self: (c: C) => string;
  /** the agent a peer value names, null if none (or not a constant agent name) */
  readonly agentOf: (peer: V | null) => string | null;
  readonly equal: (a: V, b: V) => boolean;
  /** does the claim count: its instance honest (for forward secrecy, the compromises named in
   * `allowedAfter` are allowed after the claim) */
  readonly honest: (c: C, allowedAfter: readonly string[]) => boolean;
  /** secrecy: why the attacker has the secret of this Secret claim, or null */
  readonly leaked: (c: C) => string | null;
  /** `peers: 'any'`: is the claim's own agent honest (its peer may not be)? */
  readonly actorHonest?: (c: C) => boolean;
  /** `peers: 'any'`: did the attacker have the claim's data before the claim? */
  readonly attackerHad?: (c: C) => boolean;
}

export type Verdict<C> =
  | { readonly verdict: 'holds' }
  | { readonly verdict: 'violated'; readonly claim: C; readonly why: string }
  | { readonly verdict: 'vacuous'; readonly why: string };

const HOLDS = { verdict: 'holds' } as const;

/** The (commit role, running role) pairs an agreement property judges: one, or both ways round
 * if `mutual`. */
export function agreementRoles(prop: PropertyDecl): [string, string][] {
  return prop.mutual ? [[prop.commit!, prop.running!], [prop.running!, prop.commit!]] : [[prop.commit!, prop.running!]];
}

export const isSecrecy = (prop: PropertyDecl): boolean => prop.kind === 'secrecy' || prop.kind === 'forward-secrecy';

/** The verdict on `prop` of a trace's claims (the first violation, in claim order). */
export function judgeProperty<V, C extends JudgedClaim<V>>(prop: PropertyDecl, claims: readonly C[], policy: JudgePolicy<V, C>): Verdict<C> {
  if (isSecrecy(prop)) {
    const allowed = prop.kind === 'forward-secrecy' ? (prop.compromiseAfter ?? []) : [];
    let any = false;
    const oopsed = prop.unlessOops ? claims.filter((o) => o.event === 'Oops' && o.sid != null) : [];
    const revealed = (c: C) => {
      const sid = c.sid;
      return sid != null && oopsed.some((o) => policy.equal(o.sid!, sid));
    };
    for (const c of claims) {
      if (c.event !== 'Secret' || c.tag !== prop.tag || !policy.honest(c, allowed)) continue;
      any = true;
      if (revealed(c)) continue; // read, and exempt: its own session's key leaked
      const why = policy.leaked(c);
      if (why !== null) return { verdict: 'violated', claim: c, why };
    }
    return any ? HOLDS : { verdict: 'vacuous', why: `no honest Secret(${prop.tag}) claim` };
  }
  let vacuous: string | null = null;
  for (const [commitRole, runningRole] of agreementRoles(prop)) {
    const commits = claims.filter((c) => c.event === 'Commit' && c.tag === prop.tag && c.role === commitRole && policy.honest(c, []));
    if (commits.length === 0) vacuous ??= `no honest Commit(${prop.tag}) by ${commitRole}`;
    const runnings = claims.filter((r) => r.event === 'Running' && r.role === runningRole);
    const candidates = (c: C): number[] => {
      const out: number[] = [];
      const peer = policy.agentOf(c.peer);
      runnings.forEach((r, k) => {
        if (policy.at(r) >= policy.at(c)) return; // earlier in the trace
        switch (prop.kind) {
          case 'aliveness':
            if (peer === null || policy.self(r) === peer) out.push(k);
            break;
          case 'weak-agreement':
            if (r.tag === prop.tag && (peer === null || policy.self(r) === peer)) out.push(k);
            break;
          default:
            if (r.tag === prop.tag && policy.equal(r.data, c.data)) out.push(k);
        }
      });
      return out;
    };
    const cands = commits.map(candidates);
    // with any peer: a Commit naming a dishonest peer on data the attacker did not have
    if (prop.peers === 'any' && policy.actorHonest && policy.attackerHad) {
      const misled = claims.find((c) => c.event === 'Commit' && c.tag === prop.tag && c.role === commitRole && !policy.honest(c, []) && policy.actorHonest!(c) && !policy.attackerHad!(c));
      if (misled) return { verdict: 'violated', claim: misled, why: `Commit(${prop.tag}) by ${commitRole} with a dishonest peer on data the attacker did not have` };
    }
    const lonely = cands.findIndex((x) => x.length === 0);
    if (lonely >= 0) return { verdict: 'violated', claim: commits[lonely]!, why: `Commit(${prop.tag}) by ${commitRole} without a matching earlier Running by ${runningRole}` };
    if (prop.kind === 'injective-agreement') {
      const unmatched = injectiveMatch(cands);
      if (unmatched >= 0) return { verdict: 'violated', claim: commits[unmatched]!, why: `two Commit(${prop.tag}) by ${commitRole} share one Running by ${runningRole} (replay)` };
    }
  }
  return vacuous === null ? HOLDS : { verdict: 'vacuous', why: vacuous };
}

/**
 * Does `prop` ever read a claim `event` by an instance of `role` with `tag`? Secrecy reads the
 * Secret claims of its tag (and, `unlessOops`, every Oops claim); an agreement property the Commits of its tag by its commit role and,
 * as witnesses, the Running claims by its running role (of its tag, or any for aliveness) —
 * both ways round if `mutual`. Nothing reads another claim.
 */
export function reads(prop: PropertyDecl, event: ClaimEvent, role: string, tag: string): boolean {
  if (isSecrecy(prop)) return (event === 'Secret' && tag === prop.tag) || (event === 'Oops' && prop.unlessOops === true);
  if (event === 'Commit') return tag === prop.tag && agreementRoles(prop).some(([commit]) => commit === role);
  if (event === 'Running') return (prop.kind === 'aliveness' || tag === prop.tag) && agreementRoles(prop).some(([, running]) => running === role);
  return false;
}

/** Bipartite matching of commits to distinct runnings (augmenting paths); the first commit left
 * unmatched, or -1. */
function injectiveMatch(cands: readonly number[][]): number {
  const owner = new Map<number, number>();
  const tryAssign = (c: number, seen: Set<number>): boolean => {
    for (const r of cands[c]!) {
      if (seen.has(r)) continue;
      seen.add(r);
      const o = owner.get(r);
      if (o === undefined || tryAssign(o, seen)) {
        owner.set(r, c);
        return true;
      }
    }
    return false;
  };
  for (let c = 0; c < cands.length; c++) if (!tryAssign(c, new Set())) return c;
  return -1;
}
