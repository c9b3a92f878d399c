/**
 * Which agent kinds of a protocol are one trusted authority. The convention is the explorer's
 * (properties/explorer/scenario.ts): a deployment agent without an index (`ttp`, nssk's `s`)
 * is a unique authority, honest unless a compromise names it; indexed ones (`n1`, `a1`) are
 * nodes, any number of them, the attacker's own among them.
 *
 * The exports give an authority's agent variable that one name instead of letting the
 * attacker choose it per session. Otherwise a node's TEE could be started trusting a
 * compromised second TTP while its TPM trusts the honest one: ProVerif 2.05 found exactly that
 * against key-exchange P2.1 (the TEE signs the TPM's nonces under a forged tokTPM), an attack
 * on a deployment of several TTPs the models do not describe (the attestation of protocol 1
 * binds a node's TEE and TPM to the TTP that certified both).
 * @module
 */
import type { Protocol } from '../models/protocol.ts';

/** The authority's agent name for a role's agent kind, or undefined for a node kind. */
export function authorityName(p: Protocol, kind: string): string | undefined {
  const agent = p.deployment[kind] ?? `${kind.toLowerCase()}1`;
  return /\d$/.test(agent) ? undefined : agent;
}
