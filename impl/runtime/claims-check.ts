/**
 * What a concrete run can say about its claims: for each property of the protocol, the verdict
 * of the one judge (models/judge.ts) on the claims the parties emitted in this run, with the
 * runtime's policy — concrete values compared byte for byte, a secret leaked when its bytes
 * appear in a message observed on the network, a claim honest unless its instance names the
 * attacker's agent (when the caller says which agent that is). This checks one execution (the
 * honest run, or a run under a test's network attacker), not a proof — the explorer decides
 * properties over all executions within its bound, with the same judge.
 *
 * A vacuous verdict (no Commit, no Secret claim in this run) is not `ok`: a run that should have
 * exercised the property did not.
 * @module
 */
import { type JudgePolicy, type Verdict, judgeProperty } from '../../models/judge.ts';
import type { Protocol } from '../../models/protocol.ts';
import { type Value, containsBytes, valueEquals } from '../wire/value.ts';
import { decode, DecodeError } from '../wire/codec.ts';
import type { LoggedClaim } from './session.ts';
import type { Envelope } from './network.ts';

export interface ClaimCheck {
  readonly id: string;
  readonly kind: string;
  readonly ok: boolean;
  /** the judge's verdict (absent for checks that are not a property's, e.g. a TPM's) */
  readonly verdict?: Verdict<unknown>['verdict'];
  readonly detail: string;
}

function leaves(v: Value): Uint8Array[] {
  if (v.k === 'tuple') return v.items.flatMap(leaves);
  return v.k === 'const' ? [] : [v.b];
}

/** The judge's policy for the claims of a concrete run. */
export function concretePolicy(observed: readonly Envelope[], opts: { readonly attacker?: string } = {}): JudgePolicy<Value, LoggedClaim> {
  let decoded: (readonly [Envelope, Value])[] | null = null;
  const messages = () =>
    (decoded ??= observed.map((env) => {
      const v = decode(env.bytes);
      return [env, v instanceof DecodeError ? ({ k: 'bytes', b: env.bytes } as Value) : v] as const;
    }));
  return {
    at: (c) => c.seq,
    self: (c) => c.agent,
    agentOf: (peer) => (peer && peer.k === 'const' ? peer.s : null),
    equal: valueEquals,
    honest: (c) => opts.attacker === undefined || !(c.agents ?? [c.agent]).includes(opts.attacker),
    // `peers: 'any'`: the claim's own agent is not the attacker's; the attacker had the data if
    // every byte string of it appears in a message observed on the network (a run's messages,
    // not the attacker's derivations: a check of one execution, as `leaked`)
    actorHonest: (c) => opts.attacker === undefined || c.agent !== opts.attacker,
    attackerHad: (c) => leaves(c.data).every((leaf) => messages().some(([, hay]) => containsBytes(hay, leaf))),
    leaked: (c) => {
      for (const [env, hay] of messages()) for (const leaf of leaves(c.data)) if (containsBytes(hay, leaf)) return `the bytes of ${c.tag} (claimed by ${c.instance}) appear in message #${env.id} (${env.label})`;
      return null;
    },
  };
}

export function checkClaims(protocol: Protocol, claims: readonly LoggedClaim[], observed: readonly Envelope[], opts: { readonly attacker?: string } = {}): ClaimCheck[] {
  const policy = concretePolicy(observed, opts);
  return protocol.properties.map((p) => {
    const v = judgeProperty(p, claims, policy);
    const detail = v.verdict === 'holds' ? 'consistent in this run' : v.verdict === 'vacuous' ? `${v.why} in this run` : v.why;
    return { id: p.id, kind: p.kind, ok: v.verdict === 'holds', verdict: v.verdict, detail };
  });
}
