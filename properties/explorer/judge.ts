/**
 * The property judge: a pure function from a trace's claim and compromise events to a verdict
 * for one property. It knows nothing about the search; secrecy asks an oracle whether the
 * attacker can derive a term, and data are compared with an equality the caller supplies
 * (equality modulo the theory, with the attacker's open choices instantiated generically).
 *
 * Honesty: a claim counts only if every agent its instance names (itself and each agent
 * variable) is honest — not the attacker's agent, and none of its long-term values revealed
 * (at any time; for forward secrecy, reveals named in `compromiseAfter` after the claim are allowed).
 *
 * - secrecy / forward-secrecy: no honest Secret(tag, d) with `d` derivable.
 * - aliveness: each honest Commit(tag) by the commit role is preceded by some Running (any tag)
 *   by an instance of the running role played by the commit's peer (any peer if it names none).
 * - weak-agreement: the same with a Running of the same tag.
 * - non-injective-agreement: a Running(tag) by the running role earlier, with equal data.
 * - injective-agreement: as non-injective, with distinct Running events for distinct Commits.
 * - `mutual`: also with the roles swapped.
 * @module
 */
import type { PropertyDecl } from '../../models/protocol.ts';
import type { Term } from '../../models/terms.ts';
import type { ClaimRecord } from './execute.ts';
import { ATTACKER } from './scenario.ts';

export interface RevealRecord {
  readonly step: number;
  readonly event: string;
  readonly agent: string;
}

export interface JudgeInput {
  readonly claims: readonly ClaimRecord[];
  readonly reveals: readonly RevealRecord[];
  /** can the attacker derive `t` at the end of the trace? */
  readonly derivable: (t: Term) => boolean;
  readonly equal: (a: Term, b: Term) => boolean;
}

export interface Violation {
  readonly claim: ClaimRecord;
  readonly why: string;
}

function honest(c: ClaimRecord, reveals: readonly RevealRecord[], allowedAfter: readonly string[]): boolean {
  if (c.agents.includes(ATTACKER)) return false;
  return !reveals.some((r) => c.agents.includes(r.agent) && !(r.step > c.step && allowedAfter.includes(r.event)));
}

function agentOf(t: Term | null): string | null {
  return t && t.t === 'const' ? t.name : null;
}

/** The (commit role, running role) pairs an agreement property judges: one, or both ways round
 * if `mutual`. */
function roles(prop: PropertyDecl): [string, string][] {
  return prop.mutual ? [[prop.commit!, prop.running!], [prop.running!, prop.commit!]] : [[prop.commit!, prop.running!]];
}

/** The first violation of `prop` in the trace, or null. */
export function judge(prop: PropertyDecl, input: JudgeInput): Violation | null {
  const { claims, reveals } = input;
  if (prop.kind === 'secrecy' || prop.kind === 'forward-secrecy') {
    const allowed = prop.kind === 'forward-secrecy' ? prop.compromiseAfter ?? [] : [];
    for (const c of claims) {
      if (c.event !== 'Secret' || c.tag !== prop.tag || !honest(c, reveals, allowed)) continue;
      if (input.derivable(c.data)) return { claim: c, why: `the attacker derives the secret of Secret(${prop.tag})` };
    }
    return null;
  }
  for (const [commitRole, runningRole] of roles(prop)) {
    const commits = claims.filter((c) => c.event === 'Commit' && c.tag === prop.tag && c.role === commitRole && honest(c, reveals, []));
    const runnings = claims.filter((r) => r.event === 'Running' && r.role === runningRole);
    const candidates = (c: ClaimRecord): number[] => {
      const out: number[] = [];
      runnings.forEach((r, k) => {
        if (r.step >= c.step) return; // earlier in the trace (a role never runs and commits as the other)
        const peer = agentOf(c.peer);
        switch (prop.kind) {
          case 'aliveness':
            if (peer === null || r.self === peer) out.push(k);
            break;
          case 'weak-agreement':
            if (r.tag === prop.tag && (peer === null || r.self === peer)) out.push(k);
            break;
          default:
            if (r.tag === prop.tag && input.equal(r.data, c.data)) out.push(k);
        }
      });
      return out;
    };
    const cands = commits.map(candidates);
    const lonely = cands.findIndex((x) => x.length === 0);
    if (lonely >= 0) return { claim: commits[lonely]!, why: `Commit(${prop.tag}) by ${commitRole} without a matching earlier Running by ${runningRole}` };
    if (prop.kind === 'injective-agreement') {
      const unmatched = injectiveMatch(cands);
      if (unmatched >= 0) return { claim: commits[unmatched]!, why: `two Commit(${prop.tag}) by ${commitRole} share one Running by ${runningRole} (replay)` };
    }
  }
  return null;
}

/**
 * Does `prop` ever read a claim `event` by an instance of `role` with `tag`? Secrecy reads the
 * Secret claims of its tag; an agreement property the Commits of its tag by its commit role and,
 * as witnesses, the Running claims by its running role (of its tag, or any for aliveness) —
 * both ways round if `mutual`. Nothing reads another claim.
 */
export function reads(prop: PropertyDecl, event: ClaimRecord['event'], role: string, tag: string): boolean {
  if (prop.kind === 'secrecy' || prop.kind === 'forward-secrecy') return event === 'Secret' && tag === prop.tag;
  if (event === 'Commit') return tag === prop.tag && roles(prop).some(([commit]) => commit === role);
  if (event === 'Running') return (prop.kind === 'aliveness' || tag === prop.tag) && roles(prop).some(([, running]) => running === role);
  return false;
}

/**
 * What the judge can still read about Commit `c` on any extension of the trace (more steps after
 * it, more bindings of the attacker's open choices), for the properties `props`: null when
 * nothing — no property judges it (another tag or role, or an instance naming the attacker's
 * agent), or it has a witness no extension can take away (for aliveness and weak agreement a
 * Running by its peer, a constant or none named; for non-injective agreement a Running with
 * equal data, which bindings keep equal) — else the Running claims before it that a property
 * judging it compares (its running role, and its tag unless aliveness) and that could be a
 * witness (by its peer if a constant; with data equal to its own, unless both are `fixed`,
 * i.e. no binding can change them, and differ). Injective agreement is
 * never settled: later commits compete for the same Running events. The search's state keys
 * read a commit through this (`canon.ts`).
 */
export function commitReads(
  props: readonly PropertyDecl[],
  claims: readonly ClaimRecord[],
  c: ClaimRecord,
  equal: (a: Term, b: Term) => boolean,
  fixed: (t: Term) => boolean,
): ClaimRecord[] | null {
  if (c.event !== 'Commit' || c.agents.includes(ATTACKER)) return null;
  const read = new Set<ClaimRecord>();
  let open = false;
  for (const prop of props) {
    if (prop.kind === 'secrecy' || prop.kind === 'forward-secrecy' || c.tag !== prop.tag) continue;
    for (const [commitRole, runningRole] of roles(prop)) {
      if (c.role !== commitRole) continue;
      const peer = agentOf(c.peer);
      const byData = prop.kind !== 'aliveness' && prop.kind !== 'weak-agreement';
      const dataFixed = byData && fixed(c.data);
      // a Running that can never be a witness is not read: another agent than a constant peer,
      // or data that differ and can no longer change
      const before = claims.filter(
        (r) =>
          r.event === 'Running' &&
          r.role === runningRole &&
          r.step < c.step &&
          (prop.kind === 'aliveness' || r.tag === prop.tag) &&
          (byData ? !(dataFixed && fixed(r.data) && !equal(r.data, c.data)) : peer === null || r.self === peer),
      );
      for (const r of before) read.add(r);
      const witness =
        prop.kind === 'aliveness' || prop.kind === 'weak-agreement'
          ? // a peer still open may become anyone
            (c.peer === null || peer !== null) && before.some((r) => peer === null || r.self === peer)
          : prop.kind === 'non-injective-agreement'
            ? before.some((r) => equal(r.data, c.data))
            : false; // injective agreement (or a kind not listed)
      if (!witness) open = true;
    }
  }
  return open ? [...read] : null;
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
