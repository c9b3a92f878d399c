/**
 * Data over the key-exchange session (issue 20; the `channel` protocol): after PolicySigned the
 * TEE moves application data in records, each one TPM2_NV_Write whose first parameter (the data)
 * is encrypted — session attribute `decrypt` — followed by one TPM2_NV_Read whose response
 * parameter is encrypted — attribute `encrypt` — reading the record back. Every command and
 * response carries the session's HMAC over its parameters and the rolling nonces (TPM 2.0 Part 1
 * §19.6.5/§19.6.6), and every parameter encryption is AES-128-CFB (SM4-CFB on the tcm suite) with
 * key ‖ IV = KDFa(sessionKey, "CFB", nonceNewer, nonceOlder) — Part 1 §21.2 (command: newer =
 * nonceCaller, older = nonceTPM) and §21.3 (response: newer = nonceTPM, older = nonceCaller).
 *
 * The number of records of a session is a parameter of the machines (`records`): the explorer
 * decides the protocol at the count its declaration states, the runtime builds the same machines
 * at the count of records a session carries. Record i's variables carry the suffix i.
 *
 * Claims per record: the TEE's data is secret (`data`); the TPM accepts record i only as the
 * TEE's i-th record (`record`: no replay, no reorder); the TEE accepts the read-back of record i
 * only as the TPM's answer to it (`readback`); at the close the TEE commits to the whole stream
 * as a running transcript hash t_n = h(<t_{n-1}, d_n>) the TPM also computed (`stream`: no record
 * dropped, added or reordered unnoticed at the end).
 * @module
 */
import { type Step, check, claim, fresh, let_, recv, send } from '../steps.ts';
import { type Term, type Var, c, h, kdfa, sdec, senc, tup, v } from '../terms.ts';
import type { Tpm2Operation } from '../real-tpm.ts';
import { messageConstructor } from '../messages.ts';
import { commandMac, responseMac } from './messages.ts';
import { K } from './vocabulary.ts';

/** The NV_Write command HMAC: the session's command HMAC over cp = <'NV_Write', data> (Part 3
 * §31.7; the offset is always 0 and the index fixed, so they are left out of the model). */
export const nvWriteMac = messageConstructor<'key' | 'data' | 'nonceCaller' | 'nonceTPM'>('NV_Write command HMAC', (x) =>
  commandMac({ key: x('key'), cp: tup(c('NV_Write'), x('data')), nonceCaller: x('nonceCaller'), nonceTPM: x('nonceTPM') }),
);

/** The record commands and their response parameters, as the HMACs name them. */
export const RECORD = { write: c('NV_Write'), writeResponse: c('NV_Write-rsp'), read: c('NV_Read') } as const;

/** Record i's variables (the TEE's and the TPM's, named alike; roles keep their own copies). */
export function recordVars(i: number) {
  return {
    /** the TEE application's data of record i */
    d: v(`d${i}`, 'nonce'),
    /** the data as the TPM decrypted it (its NV index contents) */
    w: v(`w${i}`, 'nonce'),
    /** the data as the TEE decrypted it from the read-back */
    b: v(`b${i}`, 'nonce'),
    nCw: v(`nCw${i}`, 'nonce'),
    nTw: v(`nTw${i}`, 'nonce'),
    nCr: v(`nCr${i}`, 'nonce'),
    nTr: v(`nTr${i}`, 'nonce'),
    kw: v(`kw${i}`, 'digest'),
    kr: v(`kr${i}`, 'digest'),
    ctw: v(`ctw${i}`, 'ct'),
    ctr: v(`ctr${i}`, 'ct'),
    mw: v(`mw${i}`, 'digest'),
    mr: v(`mr${i}`, 'digest'),
    mwr: v(`mwr${i}`, 'digest'),
    /** the running transcript hash after record i */
    t: v(`t${i}`, 'digest'),
  };
}

/** The nonceTPM the i-th record's NV_Write rolls from: PolicySigned's, then the last read's. */
const priorNonceTPM = (i: number): Var => (i === 1 ? K.nT2 : recordVars(i - 1).nTr);
/** The transcript before record i. */
const priorTranscript = (i: number): Term => (i === 1 ? c('stream') : recordVars(i - 1).t);
const index = (i: number) => c(`${i}`);

/** TEE: write record i — TPM2_NV_Write, data encrypted (decrypt attribute, Part 1 §21.2). */
export function teeWriteRecord(i: number): Step[] {
  const { self, sKey } = K;
  const r = recordVars(i);
  const nT = priorNonceTPM(i);
  return [
    fresh(r.nCw),
    fresh(r.d),
    let_(r.kw, kdfa(sKey, 'CFB', r.nCw, nT)),
    let_(r.ctw, senc(r.d, r.kw)),
    claim('Secret', 'data', self, r.d),
    claim('Running', 'record', self, tup(index(i), r.d)),
    send('TPM', `NV_Write${i}`, tup(RECORD.write, r.ctw, r.nCw, nvWriteMac({ key: sKey, data: r.ctw, nonceCaller: r.nCw, nonceTPM: nT }))),
  ];
}

/** The TEE's record transitions after the key exchange (`tee.policyDone` writes record 1). */
export function teeRecordTransitions(records: number) {
  const { self, sKey } = K;
  const out = [];
  for (let i = 1; i <= records; i++) {
    const r = recordVars(i);
    const last = i === records;
    out.push(
      {
        label: `tee.readRecord${i}`,
        from: `written${i}`,
        to: `reading${i}`,
        trigger: 'MSG' as const,
        steps: [
          recv('TPM', `NV_WriteResponse${i}`, tup(r.nTw, r.mwr)),
          check('NV_Write response HMAC', r.mwr, responseMac({ key: sKey, rp: RECORD.writeResponse, nonceTPM: r.nTw, nonceCaller: r.nCw }), 'the response HMAC under the session key'),
          fresh(r.nCr),
          send('TPM', `NV_Read${i}`, tup(RECORD.read, r.nCr, commandMac({ key: sKey, cp: RECORD.read, nonceCaller: r.nCr, nonceTPM: r.nTw }))),
        ],
      },
      {
        label: `tee.checkRecord${i}`,
        from: `reading${i}`,
        to: last ? 'done' : `written${i + 1}`,
        trigger: 'MSG' as const,
        steps: [
          recv('TPM', `NV_ReadResponse${i}`, tup(r.ctr, r.nTr, r.mr)),
          check('NV_Read response HMAC', r.mr, responseMac({ key: sKey, rp: r.ctr, nonceTPM: r.nTr, nonceCaller: r.nCr }), 'the response HMAC under the session key'),
          // response parameter encryption: KDFa(sessionKey, 'CFB', nonceTPM, nonceCaller) — Part 1 §21.3
          let_(r.b, sdec(r.ctr, kdfa(sKey, 'CFB', r.nTr, r.nCr)), 'decrypt'),
          check('read back', r.b, r.d, 'the data read back is the data written'),
          let_(r.t, h(tup(priorTranscript(i), r.d))),
          claim('Commit', 'readback', self, tup(index(i), r.d)),
          ...(last ? [claim('Commit', 'stream', self, r.t), claim('Finish', 'channel', null, self)] : teeWriteRecord(i + 1)),
        ],
      },
    );
  }
  return out;
}

/** The TPM's record transitions after PolicySigned (which leaves it in `waitWrite1`). */
export function tpmRecordTransitions(records: number) {
  const { self, sKey } = K;
  const out = [];
  for (let i = 1; i <= records; i++) {
    const r = recordVars(i);
    const nT = priorNonceTPM(i);
    const last = i === records;
    out.push(
      {
        label: `tpm.nvWrite${i}`,
        from: `waitWrite${i}`,
        to: `waitRead${i}`,
        trigger: 'MSG' as const,
        steps: [
          recv('TEE', `NV_Write${i}`, tup(RECORD.write, r.ctw, r.nCw, r.mw)),
          check('NV_Write command HMAC', r.mw, nvWriteMac({ key: sKey, data: r.ctw, nonceCaller: r.nCw, nonceTPM: nT }), 'the command HMAC under the session key'),
          // command parameter decryption: KDFa(sessionKey, 'CFB', nonceCaller, nonceTPM) — Part 1 §21.2
          // (CFB has no integrity: a ciphertext under another key decrypts to garbage, written as is)
          let_(r.kw, kdfa(sKey, 'CFB', r.nCw, nT)),
          let_(r.w, sdec(r.ctw, r.kw), 'decrypt'),
          claim('Commit', 'record', self, tup(index(i), r.w)),
          fresh(r.nTw),
          send('TEE', `NV_WriteResponse${i}`, tup(r.nTw, responseMac({ key: sKey, rp: RECORD.writeResponse, nonceTPM: r.nTw, nonceCaller: r.nCw }))),
        ],
      },
      {
        label: `tpm.nvRead${i}`,
        from: `waitRead${i}`,
        to: last ? 'done' : `waitWrite${i + 1}`,
        trigger: 'MSG' as const,
        steps: [
          recv('TEE', `NV_Read${i}`, tup(RECORD.read, r.nCr, r.mr)),
          check('NV_Read command HMAC', r.mr, commandMac({ key: sKey, cp: RECORD.read, nonceCaller: r.nCr, nonceTPM: r.nTw }), 'the command HMAC under the session key'),
          fresh(r.nTr),
          let_(r.kr, kdfa(sKey, 'CFB', r.nTr, r.nCr)),
          let_(r.ctr, senc(r.w, r.kr)),
          let_(r.t, h(tup(priorTranscript(i), r.w))),
          claim('Running', 'readback', self, tup(index(i), r.w)),
          ...(last ? [claim('Running', 'stream', self, r.t)] : []),
          send('TEE', `NV_ReadResponse${i}`, tup(r.ctr, r.nTr, responseMac({ key: sKey, rp: r.ctr, nonceTPM: r.nTr, nonceCaller: r.nCr }))),
          ...(last ? [claim('Finish', 'channel', null, self)] : []),
        ],
      },
    );
  }
  return out;
}

/** The records on a real TPM: TPM2_NV_Write (Part 3 §31.7) with the data encrypted by the
 * session, TPM2_NV_Read (§31.13) with the data returned encrypted, both on the NV index the TSS
 * defines at set-up. */
export function recordBindings(records: number): Record<string, Tpm2Operation> {
  const out: Record<string, Tpm2Operation> = {};
  for (let i = 1; i <= records; i++) {
    const r = recordVars(i);
    out[`tpm.nvWrite${i}`] = { op: 'TPM2_NV_Write', reads: { nonceCaller: r.nCw, ciphertext: r.ctw }, caller: { data: r.d }, decides: { nonceTPM: r.nTw } };
    out[`tpm.nvRead${i}`] = { op: 'TPM2_NV_Read', reads: { nonceCaller: r.nCr }, decides: { nonceTPM: r.nTr }, adopts: { data: r.w }, checks: { ciphertext: r.ctr } };
  }
  return out;
}
