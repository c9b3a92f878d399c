/**
 * Protocol 5 — TZTCM hierarchical secure storage: SSK / TSK_u / FEK and RPMB frames
 * (seed 002 §2.2.2, Fig. 4; design §Protocol 5).
 * @module
 */
import { c } from '../terms.ts';
import { type Protocol, lt } from '../protocol.ts';
import { editMessage, messageConstructor } from '../messages.ts';
import { tztcmStorageReader, tztcmStorageWriter } from '../parties/tztcm.ts';
import { St, tskOf } from '../parties/tztcm-storage-terms.ts';

/** TSK_u of the machines (tskOf over their SSK), with its UUID input named for M5.1's edit. */
const taStorageKey = messageConstructor<'uuid'>('TSK', (x) => tskOf(St.SSK, x('uuid')));

const chipKeys = { HUK: lt('HUK', 'self'), chipId: lt('chipId', 'self', 'const'), Krpmb: lt('Krpmb', 'self', 'digest') };

export const tztcmStorage: Protocol = {
  name: 'tztcm-storage',
  title: 'TZTCM hierarchical secure storage with RPMB rollback protection',
  source: 'design §Protocol 5; seed 002 §2.2.2',
  roles: [
    { role: 'Writer', machine: tztcmStorageWriter(), agents: { self: 'Writer', app: 'TA' }, initiator: true, knows: chipKeys },
    {
      role: 'Reader',
      machine: tztcmStorageReader(),
      agents: { self: 'Reader', app: 'TA' },
      initiator: false,
      knows: { ...chipKeys, kTA: lt('kTA', 'app', 'digest') },
    },
  ],
  longTerm: [
    { name: 'HUK', owner: 'Writer', sort: 'skey' },
    { name: 'chipId', owner: 'Writer', sort: 'const', public: true },
    // rebuilt from the PUF at boot (GRU); never leaves the TEE
    { name: 'Krpmb', owner: 'Writer', sort: 'digest' },
    // the TZTCM-to-TA channel inside the TEE; the attacker's own TA has its key
    { name: 'kTA', owner: 'TA', sort: 'digest', reveal: 'RevealTA' },
  ],
  deployment: { Writer: 'chip1', Reader: 'chip1', TA: 'ta1' },
  properties: [
    {
      id: 'P5.1',
      kind: 'secrecy',
      statement: "An attacker controlling the host and its storage, running its own TA u', learns nothing of TA u's data.",
      tag: 'data',
    },
    {
      id: 'P5.2',
      kind: 'non-injective-agreement',
      statement: 'The TZTCM accepts an RPMB block only as the latest version the TZTCM wrote (a rolled-back block is rejected).',
      tag: 'rpmb',
      commit: 'Reader',
      running: 'Writer',
    },
  ],
  variants: [
    {
      id: 'M5.1',
      title: "TSK derived without the UUID: TA u' reads u's files",
      breaks: ['P5.1'],
      edit: editMessage(['Writer', 'Reader'], taStorageKey, { set: { uuid: c('tsk') } }),
    },
  ],
};
