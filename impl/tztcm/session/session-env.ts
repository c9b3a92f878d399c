/**
 * The initial environment of a protocol-4 party in the service: the role's `knows` evaluated by
 * the runtime's own `initialEnv` (impl/runtime/setup.ts), with the long-term values given from
 * outside the store — K_uuid from the pairing, the TZTCM's real UUID — so the TDDL and the
 * TZTCM start from exactly what the protocol says they know.
 * @module
 */
import type { Protocol } from '../../../models/protocol.ts';
import { SESSION_ROLES, SESSION_SETUP, tztcmSessionProtocol } from '../../../models/protocols/tztcm-session.ts';
import type { RoleMachine } from '../../../models/role.ts';
import type { EvalDeps } from '../../runtime/evaluate.ts';
import { LongTermStore, initialEnv } from '../../runtime/setup.ts';
import { type Value, bytesV, constV } from '../../wire/value.ts';

export type SessionRole = (typeof SESSION_ROLES)[keyof typeof SESSION_ROLES];

/** The role's machine and its initial environment for K_uuid and the TA's UUID. */
export function sessionParty(
  role: SessionRole,
  kuuid: Uint8Array,
  uuid: string,
  deps: EvalDeps,
  /** TEST ONLY: a variant of protocol 4 (a Target's `protocol`), to show the tests catch a weakened session */
  protocol: Protocol = tztcmSessionProtocol,
): { machine: RoleMachine; env: Record<string, Value> } {
  const decl = protocol.roles.find((r) => r.role === role);
  if (!decl) throw new Error(`protocol ${protocol.name} has no role ${role}`);
  const given = { [SESSION_SETUP.Kuuid.name]: bytesV(kuuid), [SESSION_SETUP.uuid.name]: constV(uuid) };
  const env = initialEnv(decl, { self: role }, new LongTermStore(protocol, deps), deps, given);
  return { machine: decl.machine, env };
}
