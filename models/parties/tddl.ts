/**
 * The TDDL party: the host-side TPM library (TCG TDDL) that, in protocol 4, opens a
 * UUID-keyed session to the TrustZone TPM (GlobalPlatform TEE Client API shape:
 * OpenSession(UUID) → InvokeCommand* → CloseSession) and sends TPM commands through it.
 *
 * Change from the design, recorded in the README: the command MAC binds the session by `sid`
 * (TZTCM's fresh session id) and the counter `i`; the design's extra `nZ` in it is dropped, so
 * that each of M4.1 (no counter) and M4.2 (no sid) removes the only binding it names.
 * @module
 */
import { type Step, check, claim, fresh, recv, send } from '../steps.ts';
import { c, hmac, tup, v } from '../terms.ts';
import { closeBody, commandBody, openBody, openedBody, responseBody } from './tztcm-messages.ts';
import { roleMachine } from '../role.ts';
import { agent } from '../protocol.ts';

export const T = {
  self: agent('self'),
  K: v('Kuuid', 'digest'),
  uuid: v('uuid', 'const'),
  nD: v('nD', 'nonce'),
  nZ: v('nZ', 'nonce'),
  sid: v('sid', 'nonce'),
  macOpen: v('macOpen', 'digest'),
  macOpened: v('macOpened', 'digest'),
  macClose: v('macClose', 'digest'),
} as const;

/** The two commands of a session, each with its own variables. */
export type CommandIndex = '1' | '2';
export const Cmd = (i: CommandIndex) => ({
  cmd: v(`cmd${i}`, 'nonce'),
  rsp: v(`rsp${i}`, 'nonce'),
  macCmd: v(`macCmd${i}`, 'digest'),
  macRsp: v(`macRsp${i}`, 'digest'),
  /** `hmac(K_uuid, <'cmd', sid, i, cmd>)` — the command MAC, one definition for both sides */
  cmdMac: hmac(T.K, commandBody({ sid: T.sid, index: c(i), cmd: v(`cmd${i}`, 'nonce') })),
  /** `hmac(K_uuid, <'rsp', sid, i, rsp, nD>)` — the response MAC */
  rspMac: hmac(T.K, responseBody({ sid: T.sid, index: c(i), rsp: v(`rsp${i}`, 'nonce'), nonce: T.nD })),
});

/** TDDL: send command i of the session. */
const invoke = (i: CommandIndex): Step[] => {
  const x = Cmd(i);
  return [fresh(x.cmd), claim('Running', 'cmd', T.self, tup(T.sid, c(i), x.cmd)), send('TZTCM', 'InvokeCommand', tup(T.sid, c(i), x.cmd, x.cmdMac))];
};

/** TDDL: accept response i of the session. */
const acceptResponse = (i: CommandIndex): Step[] => {
  const x = Cmd(i);
  return [
    recv('TZTCM', 'InvokeResponse', tup(T.sid, c(i), x.rsp, x.macRsp)),
    check('response MAC', x.macRsp, x.rspMac, 'the response MAC under K_uuid'),
    claim('Commit', 'rsp', T.self, tup(T.sid, c(i), x.rsp)),
  ];
};

/** TDDL role of protocol 4: two commands in one session. */
export function tddlSession() {
  const { self, K, uuid, nD, nZ, sid, macOpened } = T;
  return roleMachine({
    role: 'TDDL',
    party: 'TDDL',
    initial: 'start',
    knows: [self, K, uuid],
    transitions: [
      {
        label: 'tddl.openSession',
        from: 'start',
        to: 'waitOpened',
        trigger: 'START',
        steps: [fresh(nD), send('TZTCM', 'OpenSession', tup(c('open'), uuid, nD, hmac(K, openBody({ uuid, nonce: nD }))))],
      },
      {
        label: 'tddl.invoke1',
        from: 'waitOpened',
        to: 'waitResponse1',
        trigger: 'MSG',
        steps: [
          recv('TZTCM', 'Opened', tup(sid, nZ, macOpened)),
          check('open MAC', macOpened, hmac(K, openedBody({ sid, nonce: nD, nonceTZ: nZ })), 'the session-open MAC under K_uuid'),
          ...invoke('1'),
        ],
      },
      { label: 'tddl.invoke2', from: 'waitResponse1', to: 'waitResponse2', trigger: 'MSG', steps: [...acceptResponse('1'), ...invoke('2')] },
      {
        label: 'tddl.close',
        from: 'waitResponse2',
        to: 'done',
        trigger: 'MSG',
        steps: [
          ...acceptResponse('2'),
          claim('Secret', 'Kuuid', self, K),
          send('TZTCM', 'CloseSession', tup(c('close'), sid, hmac(K, closeBody({ sid, count: c('2') })))),
          claim('Finish', 'tztcm-session', null, self),
        ],
      },
    ],
  });
}
