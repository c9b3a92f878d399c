/**
 * Protocol 4 — UUID-keyed TDDL–TZTCM session (seed 002 §2.3, Fig. 5; design §Protocol 4).
 * @module
 */
import { type Protocol, lt } from '../protocol.ts';
import { editMessage } from '../messages.ts';
import { commandBody } from '../parties/tztcm-messages.ts';
import { tddlSession } from '../parties/tddl.ts';
import { tztcmSession } from '../parties/tztcm.ts';

/** What both parties know from the pairing at measured boot: K_uuid and the TA's UUID (read by
 * the service's implementation, impl/tztcm/session, to give them their real values). */
export const SESSION_SETUP = { Kuuid: lt('Kuuid', 'self', 'digest'), uuid: lt('uuid', 'self', 'const') } as const;
const setup = SESSION_SETUP;

/** The two roles, as the service's implementation plays them (impl/tztcm/session). */
export const SESSION_ROLES = { caller: 'TDDL', service: 'TZTCM' } as const;

export const tztcmSessionProtocol: Protocol = {
  name: 'tztcm-session',
  title: 'UUID-keyed TDDL–TZTCM session (OpenSession, InvokeCommand, CloseSession)',
  source: 'design §Protocol 4; seed 002 §2.3',
  roles: [
    { role: SESSION_ROLES.caller, machine: tddlSession(), agents: { self: SESSION_ROLES.caller }, initiator: true, knows: setup },
    { role: SESSION_ROLES.service, machine: tztcmSession(), agents: { self: SESSION_ROLES.service }, initiator: false, knows: setup },
  ],
  longTerm: [
    // paired at measured boot, before the attacker is active: K_uuid = kdf(Z_pair, 'TZTCM', uuid, idTDDL)
    { name: 'Kuuid', owner: 'TDDL', sort: 'digest', reveal: 'RevealKuuid' },
    { name: 'uuid', owner: 'TZTCM', sort: 'const', public: true },
  ],
  deployment: { TDDL: 'n1', TZTCM: 'n1' },
  properties: [
    {
      id: 'P4.1',
      kind: 'injective-agreement',
      statement: 'The TZTCM executes cmd_i only if this TDDL sent it as command i of this session, and exactly once.',
      tag: 'cmd',
      commit: 'TZTCM',
      running: 'TDDL',
    },
    {
      id: 'P4.2',
      kind: 'injective-agreement',
      statement: 'The TDDL accepts rsp_i only if the TZTCM produced it as response i of this session.',
      tag: 'rsp',
      commit: 'TDDL',
      running: 'TZTCM',
    },
    { id: 'P4.3', kind: 'secrecy', statement: 'K_uuid stays secret.', tag: 'Kuuid' },
  ],
  variants: [
    { id: 'M4.1', title: 'command MAC without the counter i: command replay', breaks: ['P4.1'], edit: editMessage(['TDDL', 'TZTCM'], commandBody, { omit: ['index'] }) },
    {
      id: 'M4.2',
      title: 'command MAC without sid: splicing across sessions',
      // a command of one session is spliced into another
      sessions: 2,
      breaks: ['P4.1'],
      edit: editMessage(['TDDL', 'TZTCM'], commandBody, { omit: ['sid'] }),
    },
  ],
};
