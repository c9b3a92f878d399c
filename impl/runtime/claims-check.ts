/**
 * What a concrete run can say about its claims: for each property of the protocol, whether the
 * claims the parties emitted in this run are consistent with it. This is a check of one
 * execution (the honest run, or a run under a test's network attacker), not a proof — the
 * explorer decides properties over all executions within its bound.
 *
 * - agreement kinds: every Commit(tag) by the commit role has a Running(tag) with equal data by
 *   the running role before it (mutual: both directions; injective: one Running per Commit);
 * - secrecy kinds: the bytes of every Secret(tag) value appear in no message observed on the
 *   network (whether both sides hold the same value is reported by the run report).
 * @module
 */
import type { Protocol, PropertyDecl } from '../../models/protocol.ts';
import { type Value, containsBytes, valueEquals } from '../wire/value.ts';
import { decode, DecodeError } from '../wire/codec.ts';
import type { ClaimEvent } from './session.ts';
import type { Envelope } from './network.ts';

export interface ClaimCheck {
  readonly id: string;
  readonly kind: string;
  readonly ok: boolean;
  readonly detail: string;
}

function leaves(v: Value): Uint8Array[] {
  if (v.k === 'tuple') return v.items.flatMap(leaves);
  return v.k === 'const' ? [] : [v.b];
}

function checkAgreement(p: PropertyDecl, claims: readonly ClaimEvent[], commitRole: string, runningRole: string): string | null {
  const used = new Set<number>();
  let n = 0;
  for (const c of claims) {
    if (c.event !== 'Commit' || c.tag !== p.tag || c.role !== commitRole) continue;
    n++;
    const match = claims.find(
      (r) => r.seq < c.seq && r.event === 'Running' && r.tag === p.tag && r.role === runningRole && valueEquals(r.data, c.data) && !(p.kind === 'injective-agreement' && used.has(r.seq)),
    );
    if (!match) return `${commitRole} committed on ${p.tag} with no matching earlier Running by ${runningRole}`;
    used.add(match.seq);
  }
  return n === 0 ? `no Commit(${p.tag}) by ${commitRole} in this run` : null;
}

function checkSecrecy(p: PropertyDecl, claims: readonly ClaimEvent[], observed: readonly Envelope[]): string | null {
  const secrets = claims.filter((c) => c.event === 'Secret' && c.tag === p.tag);
  if (secrets.length === 0) return `no Secret(${p.tag}) claim in this run`;
  const values = observed.map((env) => {
    const v = decode(env.bytes);
    return [env, v instanceof DecodeError ? ({ k: 'bytes', b: env.bytes } as Value) : v] as const;
  });
  for (const s of secrets)
    for (const [env, hay] of values) for (const leaf of leaves(s.data)) if (containsBytes(hay, leaf)) return `the bytes of ${p.tag} (claimed by ${s.instance}) appear in message #${env.id} (${env.label})`;
  return null;
}

export function checkClaims(protocol: Protocol, claims: readonly ClaimEvent[], observed: readonly Envelope[]): ClaimCheck[] {
  return protocol.properties.map((p) => {
    let problem: string | null;
    if (p.kind === 'secrecy' || p.kind === 'forward-secrecy') problem = checkSecrecy(p, claims, observed);
    else {
      problem = checkAgreement(p, claims, p.commit!, p.running!);
      if (!problem && p.mutual) problem = checkAgreement(p, claims, p.running!, p.commit!);
    }
    return { id: p.id, kind: p.kind, ok: problem === null, detail: problem ?? 'consistent in this run' };
  });
}
