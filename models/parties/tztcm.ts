/**
 * The TZTCM party (TrustZone-resident TPM/TCM, seed 002): the TEE end of the UUID-keyed TDDL
 * session (protocol 4) and the hierarchical secure storage service (protocol 5).
 *
 * Protocol 5 roles: `Writer` stores a trusted application's file in RPMB-backed storage and
 * `Reader` serves a read for a trusted application `app` (which may be the attacker's own TA).
 * The channel from the TZTCM to a TA is inside the TEE; it is modelled as encryption under the
 * TA's long-term key `kTA`, so the attacker learns what is returned to its own TA only.
 * @module
 */
import { check, claim, fresh, let_, recv, send } from '../steps.ts';
import { c, hmac, senc, tup } from '../terms.ts';
import { closeBody, openBody, openedBody } from './tztcm-messages.ts';
import { roleMachine } from '../role.ts';
import { Cmd, type CommandIndex, T } from './tddl.ts';
import { openData, sealData, sskOf, St, tskOf, unwrapFek, wrapFek } from './tztcm-storage-terms.ts';

/** TZTCM: execute command i of the session (from waiting for it to waiting for the next). */
const serveCommand = (i: CommandIndex, from: string, to: string) => {
  const x = Cmd(i);
  return {
    label: `tztcm.invoke${i}`,
    from,
    to,
    trigger: 'MSG' as const,
    steps: [
      recv('TDDL', 'InvokeCommand', tup(T.sid, c(i), x.cmd, x.macCmd)),
      check('command MAC', x.macCmd, x.cmdMac, 'the command MAC under K_uuid'),
      claim('Commit', 'cmd', T.self, tup(T.sid, c(i), x.cmd)),
      fresh(x.rsp),
      claim('Running', 'rsp', T.self, tup(T.sid, c(i), x.rsp)),
      send('TDDL', 'InvokeResponse', tup(T.sid, c(i), x.rsp, x.rspMac)),
    ],
  };
};

/** TZTCM role of protocol 4: serves one session of two commands. */
export function tztcmSession() {
  const { self, K, uuid, nD, nZ, sid, macOpen, macClose } = T;
  return roleMachine({
    role: 'TZTCM',
    party: 'TZTCM',
    initial: 'waitOpen',
    knows: [self, K, uuid],
    transitions: [
      {
        label: 'tztcm.openSession',
        from: 'waitOpen',
        to: 'waitCommand1',
        trigger: 'MSG',
        steps: [
          recv('TDDL', 'OpenSession', tup(c('open'), uuid, nD, macOpen)),
          check('open MAC', macOpen, hmac(K, openBody({ uuid, nonce: nD })), 'the OpenSession MAC under K_uuid of this UUID'),
          fresh(sid),
          fresh(nZ),
          send('TDDL', 'Opened', tup(sid, nZ, hmac(K, openedBody({ sid, nonce: nD, nonceTZ: nZ })))),
        ],
      },
      serveCommand('1', 'waitCommand1', 'waitCommand2'),
      serveCommand('2', 'waitCommand2', 'waitClose'),
      {
        label: 'tztcm.close',
        from: 'waitClose',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('TDDL', 'CloseSession', tup(c('close'), sid, macClose)),
          check('close MAC', macClose, hmac(K, closeBody({ sid, count: c('2') })), 'the CloseSession MAC under K_uuid'),
          claim('Secret', 'Kuuid', self, K),
          claim('Finish', 'tztcm-session', null, self),
        ],
      },
    ],
  });
}

export { St };

/** SSK and TSK_u (seed 002 §2.2.2), from the shared constructors */
const deriveKeys = () => [let_(St.SSK, sskOf(St.HUK, St.chipId)), let_(St.TSK, tskOf(St.SSK, St.app), 'derive TSK')];

/** Writer role of protocol 5: stores version 1 and then version 2 of a TA's file. */
export function tztcmStorageWriter() {
  const { self, app, HUK, chipId, Krpmb, FEK, FEK0, data, data0, TSK } = St;
  const file0 = tup(wrapFek(FEK0, TSK), sealData(data0, FEK0));
  const file = tup(wrapFek(FEK, TSK), sealData(data, FEK));
  return roleMachine({
    role: 'Writer',
    party: 'TZTCM',
    initial: 'start',
    knows: [self, app, HUK, chipId, Krpmb],
    transitions: [
      {
        label: 'tztcm.writeFile',
        from: 'start',
        to: 'done',
        trigger: 'START',
        steps: [
          ...deriveKeys(),
          fresh(FEK0),
          fresh(data0),
          fresh(FEK),
          fresh(data),
          claim('Secret', 'data', app, data),
          // RPMB write frames: <data, counter, hmac(K_rpmb, <data, counter>)>; the older block
          // stays in host storage, where the attacker can keep it for a rollback
          send('RPMB', 'RpmbWriteOld', tup(file0, c('1'), hmac(Krpmb, tup(file0, c('1'))))),
          claim('Running', 'rpmb', self, tup(c('2'), file)),
          send('Reader', 'RpmbWrite', tup(file, c('2'), hmac(Krpmb, tup(file, c('2'))))),
          claim('Finish', 'tztcm-storage', null, self),
        ],
      },
    ],
  });
}

/** Reader role of protocol 5: reads the current block for TA `app` and returns its data. */
export function tztcmStorageReader() {
  const { self, app, HUK, chipId, Krpmb, kTA, TSK, FEK, data, encFEK, encData, mac } = St;
  return roleMachine({
    role: 'Reader',
    party: 'TZTCM',
    initial: 'waitBlock',
    knows: [self, app, HUK, chipId, Krpmb, kTA],
    transitions: [
      {
        label: 'tztcm.readFile',
        from: 'waitBlock',
        to: 'done',
        trigger: 'MSG',
        steps: [
          // the RPMB write counter is 2: an older block (counter 1) does not match
          recv('Writer', 'RpmbWrite', tup(tup(encFEK, encData), c('2'), mac)),
          check('RPMB MAC', mac, hmac(Krpmb, tup(tup(encFEK, encData), c('2'))), 'the RPMB frame MAC under K_rpmb'),
          claim('Commit', 'rpmb', self, tup(c('2'), tup(encFEK, encData))),
          ...deriveKeys(),
          let_(FEK, unwrapFek(encFEK, TSK), 'decrypt FEK'),
          let_(data, openData(encData, FEK), 'decrypt file'),
          send('TA', 'FileData', senc(data, kTA)),
          claim('Finish', 'tztcm-storage', null, self),
        ],
      },
    ],
  });
}
