/**
 * The explorer's side of the one judge (models/judge.ts): claims of a symbolic trace, judged with
 * the explorer's policy — data compared with an equality the caller supplies (equality modulo the
 * theory, with the attacker's open choices instantiated generically), secrecy by asking an oracle
 * whether the attacker can derive a term. A vacuous verdict (nothing to judge yet) holds.
 *
 * Honesty: a claim counts only if every agent its instance names (itself and each agent
 * variable) is honest — not the attacker's agent, and none of its long-term values revealed
 * (at any time; for forward secrecy, reveals named in `compromiseAfter` after the claim are allowed).
 * The agents an instance names are its actor, its peer and authorities (never compromised), so
 * this is Lowe's "with an honest peer". With `peers: 'any'`, a Commit by an honest actor with
 * the attacker's agent as peer is judged on `had`: the attacker had its data before the claim.
 *
 * `commitReads` is the search's: what of a Commit a state key must keep (canon.ts).
 * @module
 */
import { type JudgePolicy, agreementRoles, isSecrecy, judgeProperty } from '../../models/judge.ts';
import type { PropertyDecl } from '../../models/protocol.ts';
import type { Term } from '../../models/terms.ts';
import type { SymClaim } from './execute.ts';
import { ATTACKER } from './scenario.ts';

export { reads } from '../../models/judge.ts';

export interface RevealRecord {
  readonly step: number;
  readonly event: string;
  readonly agent: string;
}

export interface JudgeInput {
  readonly claims: readonly SymClaim[];
  readonly reveals: readonly RevealRecord[];
  /** can the attacker derive `t` at the end of the trace? */
  readonly derivable: (t: Term) => boolean;
  readonly equal: (a: Term, b: Term) => boolean;
}

export interface Violation {
  readonly claim: SymClaim;
  readonly why: string;
}

function honest(c: SymClaim, reveals: readonly RevealRecord[], allowedAfter: readonly string[]): boolean {
  if (c.agents.includes(ATTACKER)) return false;
  return !reveals.some((r) => c.agents.includes(r.agent) && !(r.step > c.step && allowedAfter.includes(r.event)));
}

function agentOf(t: Term | null): string | null {
  return t && t.t === 'const' ? t.name : null;
}

/** The first violation of `prop` in the trace, or null. */
export function judge(prop: PropertyDecl, input: JudgeInput): Violation | null {
  const policy: JudgePolicy<Term, SymClaim> = {
    at: (c) => c.step,
    self: (c) => c.self,
    agentOf,
    equal: input.equal,
    honest: (c, allowed) => honest(c, input.reveals, allowed),
    leaked: (c) => (input.derivable(c.data) ? `the attacker derives the secret of Secret(${prop.tag})` : null),
    // `peers: 'any'` (recorded at the claim, execute.ts `had`)
    actorHonest: (c) => c.self !== ATTACKER && !input.reveals.some((r) => r.agent === c.self),
    attackerHad: (c) => c.had !== false,
  };
  const v = judgeProperty(prop, input.claims, policy);
  return v.verdict === 'violated' ? { claim: v.claim, why: v.why } : null;
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
  claims: readonly SymClaim[],
  c: SymClaim,
  equal: (a: Term, b: Term) => boolean,
  fixed: (t: Term) => boolean,
): SymClaim[] | null {
  if (c.event !== 'Commit' || c.agents.includes(ATTACKER)) return null;
  const read = new Set<SymClaim>();
  let open = false;
  for (const prop of props) {
    if (isSecrecy(prop) || c.tag !== prop.tag) continue;
    for (const [commitRole, runningRole] of agreementRoles(prop)) {
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
