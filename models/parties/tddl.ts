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
import { check, claim, fresh, recv, send } from '../steps.ts';
import { c, hmac, tup, v } from '../terms.ts';
import { roleMachine } from '../role.ts';
import { agent } from '../protocol.ts';

export const T = {
  self: agent('self'),
  K: v('Kuuid', 'digest'),
  uuid: v('uuid', 'const'),
  nD: v('nD', 'nonce'),
  nZ: v('nZ', 'nonce'),
  sid: v('sid', 'nonce'),
  cmd1: v('cmd1', 'nonce'),
  cmd2: v('cmd2', 'nonce'),
  rsp1: v('rsp1', 'nonce'),
  rsp2: v('rsp2', 'nonce'),
  macOpen: v('macOpen', 'digest'),
  macOpened: v('macOpened', 'digest'),
  macCmd1: v('macCmd1', 'digest'),
  macCmd2: v('macCmd2', 'digest'),
  macRsp1: v('macRsp1', 'digest'),
  macRsp2: v('macRsp2', 'digest'),
  macClose: v('macClose', 'digest'),
} as const;

/** `hmac(K_uuid, <'cmd', sid, i, cmd>)` — the command MAC, one definition for both sides. */
export const cmdMac = (i: string, cmd: typeof T.cmd1) => hmac(T.K, tup(c('cmd'), T.sid, c(i), cmd));
/** `hmac(K_uuid, <'rsp', sid, i, rsp, nD>)` — the response MAC. */
export const rspMac = (i: string, rsp: typeof T.rsp1) => hmac(T.K, tup(c('rsp'), T.sid, c(i), rsp, T.nD));

/** TDDL role of protocol 4: two commands in one session. */
export function tddlSession() {
  const { self, K, uuid, nD, nZ, sid, cmd1, cmd2, rsp1, rsp2, macOpened, macRsp1, macRsp2 } = T;
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
        steps: [fresh(nD), send('TZTCM', 'OpenSession', tup(c('open'), uuid, nD, hmac(K, tup(c('open'), uuid, nD))))],
      },
      {
        label: 'tddl.invoke1',
        from: 'waitOpened',
        to: 'waitResponse1',
        trigger: 'MSG',
        steps: [
          recv('TZTCM', 'Opened', tup(sid, nZ, macOpened)),
          check('open MAC', macOpened, hmac(K, tup(c('opened'), sid, nD, nZ)), 'the session-open MAC under K_uuid'),
          fresh(cmd1),
          claim('Running', 'cmd', self, tup(sid, c('1'), cmd1)),
          send('TZTCM', 'InvokeCommand', tup(sid, c('1'), cmd1, cmdMac('1', cmd1))),
        ],
      },
      {
        label: 'tddl.invoke2',
        from: 'waitResponse1',
        to: 'waitResponse2',
        trigger: 'MSG',
        steps: [
          recv('TZTCM', 'InvokeResponse', tup(sid, c('1'), rsp1, macRsp1)),
          check('response MAC', macRsp1, rspMac('1', rsp1), 'the response MAC under K_uuid'),
          claim('Commit', 'rsp', self, tup(sid, c('1'), rsp1)),
          fresh(cmd2),
          claim('Running', 'cmd', self, tup(sid, c('2'), cmd2)),
          send('TZTCM', 'InvokeCommand', tup(sid, c('2'), cmd2, cmdMac('2', cmd2))),
        ],
      },
      {
        label: 'tddl.close',
        from: 'waitResponse2',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('TZTCM', 'InvokeResponse', tup(sid, c('2'), rsp2, macRsp2)),
          check('response MAC', macRsp2, rspMac('2', rsp2), 'the response MAC under K_uuid'),
          claim('Commit', 'rsp', self, tup(sid, c('2'), rsp2)),
          claim('Secret', 'Kuuid', self, K),
          send('TZTCM', 'CloseSession', tup(c('close'), sid, hmac(K, tup(c('close'), sid, c('2'))))),
          claim('Finish', 'tztcm-session', null, self),
        ],
      },
    ],
  });
}
