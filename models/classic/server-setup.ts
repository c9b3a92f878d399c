/**
 * The set-up the classic key-distribution protocols share (Clark & Jacob §6.3: NSSK, Otway–Rees,
 * Yahalom): initiator A and responder B each hold a long-term key `k` shared with the server S,
 * and S knows both (`ka`, `kb`: `lt('k', a)`, `lt('k', b)`), one key per agent, revealed by
 * `RevealK`. Written once here so that each protocol states only its messages.
 * @module
 */
import { type Protocol, lt } from '../protocol.ts';
import type { RoleMachine } from '../role.ts';
import type { Sort } from '../terms.ts';

/** Roles, long-term keys and deployment of A, B and the server S, with keys of sort `sort`. */
export function serverSetup(machines: { readonly A: RoleMachine; readonly B: RoleMachine; readonly S: RoleMachine }, sort: Sort): Pick<Protocol, 'roles' | 'longTerm' | 'deployment'> {
  return {
    roles: [
      { role: 'A', machine: machines.A, agents: { self: 'A', peer: 'B' }, initiator: true, knows: { k: lt('k', 'self', sort) } },
      { role: 'B', machine: machines.B, agents: { self: 'B', peer: 'A' }, initiator: false, knows: { k: lt('k', 'self', sort) } },
      { role: 'S', machine: machines.S, agents: { self: 'S', a: 'A', b: 'B' }, initiator: false, knows: { ka: lt('k', 'a', sort), kb: lt('k', 'b', sort) } },
    ],
    longTerm: [{ name: 'k', owner: 'A', sort, reveal: 'RevealK' }],
    deployment: { A: 'a1', B: 'b1', S: 's' },
  };
}
