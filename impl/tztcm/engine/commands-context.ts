/**
 * Context management (TPM 2.0 Part 3 §28): TPM2_FlushContext (§28.4), TPM2_ContextSave /
 * TPM2_ContextLoad (§28.2, §28.3) and TPM2_EvictControl (§28.5). A saved context (Part 1 §30)
 * is TPMS_CONTEXT {sequence, savedHandle, hierarchy, contextBlob}; the blob is the object or
 * session, CFB encrypted (AES-128, SM4 in TCM mode) and HMAC'd with keys derived from the hierarchy's proof and the
 * sequence number (Part 1 §30.3), so a context of the NULL hierarchy (every session's) dies with
 * a TPM Reset. A session's context can be loaded once per save (its sequence must be the one it
 * was saved under: no replay, Part 1 §30.5).
 * @module
 */
import { TpmReader } from '../../tpm2/marshal-reader.ts';
import { TpmWriter, marshal } from '../../tpm2/marshal-writer.ts';
import { concat } from '../../tpm2/session-crypto.ts';
import { TPM_CC, TPM_RH } from '../../tpm2/spec-constants.ts';
import { equal } from './authorization.ts';
import { OBJECT, type CommandDef } from './command-def.ts';
import type { EngineContext } from './engine-context.ts';
import { inRange } from './entities.ts';
import { proofOf } from './hierarchy.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { RC, TpmRc, rcHandle } from './rc.ts';
import type { EngineSession } from './session-state.ts';
import { readObject, writeObject } from './state-image.ts';
import { HT, MAX_PERSISTENT, handleType, hierarchyHandle, hierarchyOf, type Hierarchy } from './state.ts';

const base = { auth: [], responseHandles: 0, decrypt: false, encrypt: false } as const;

export const flushContext: CommandDef = {
  ...base,
  code: TPM_CC.FlushContext,
  name: 'TPM2_FlushContext',
  handles: [],
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_FlushContext');
    const h = p.next((r) => {
      // TPMI_DH_CONTEXT (Part 2 §9.11): a transient object or a session, in range
      const x = r.u32('flushHandle');
      const ty = handleType(x);
      if (!inRange(x) || (ty !== HT.TRANSIENT && ty !== HT.HMAC_SESSION && ty !== HT.POLICY_SESSION)) throw new TpmRc(RC.VALUE, 'not a transient object or a session');
      return x;
    });
    p.end();
    const t = handleType(h);
    if (t === HT.TRANSIENT) {
      if (!tpm.volatile.objects.delete(h)) throw badParam(RC.HANDLE, 1, 'no such object');
    } else if (!tpm.volatile.sessions.delete(h)) throw badParam(RC.HANDLE, 1, 'no such session');
    return {};
  },
};

function contextKeys(tpm: EngineContext, h: Hierarchy, sequence: bigint, handle: number) {
  const seq = marshal((w) => w.u32(Number(sequence >> 32n)).u32(Number(sequence & 0xffffffffn)));
  const k = tpm.algs.suite.kdfa(concat(proofOf(tpm, h), tpm.persistent.contextKey), 'CONTEXT', seq, marshal((w) => w.u32(handle)), 256 + 128);
  return { aes: k.subarray(0, 16), iv: k.subarray(16, 32), hmac: k.subarray(32, 48) };
}

function writeSession(w: TpmWriter, s: EngineSession): void {
  w.u32(s.handle).u8(['hmac', 'policy', 'trial'].indexOf(s.type)).u16(s.authHash).u8((s.cfb ? 1 : 0) | (s.salted ? 2 : 0) | (s.bindName ? 4 : 0)).u16(s.symBits);
  w.u8((s.isAuthValueNeeded ? 1 : 0) | (s.isPasswordNeeded ? 2 : 0) | (s.pcrCounter !== null ? 4 : 0) | (s.commandCode !== null ? 8 : 0));
  w.tpm2b(s.sessionKey).tpm2b(s.bindName ?? new Uint8Array(0)).tpm2b(s.bindAuth).tpm2b(s.nonceTPM).u16(s.nonceSize).tpm2b(s.policyDigest);
  w.u32(s.pcrCounter ?? 0).u32(s.commandCode ?? 0);
}

function readSession(r: TpmReader, sequence: bigint): EngineSession {
  const handle = r.u32('handle');
  const type = (['hmac', 'policy', 'trial'] as const)[r.u8('type')];
  if (!type) throw new TpmRc(RC.VALUE);
  const authHash = r.u16('authHash');
  const f = r.u8('flags');
  const symBits = r.u16('symBits');
  const g = r.u8('policyFlags');
  const sessionKey = r.tpm2b('sessionKey');
  const bindName = r.tpm2b('bindName');
  const bindAuth = r.tpm2b('bindAuth');
  const nonceTPM = r.tpm2b('nonceTPM');
  const nonceSize = r.u16('nonceSize');
  const policyDigest = r.tpm2b('policyDigest');
  const pcrCounter = r.u32('pcrCounter');
  const commandCode = r.u32('commandCode');
  r.end();
  return {
    handle, type, authHash, sessionKey, cfb: (f & 1) !== 0, symBits, salted: (f & 2) !== 0, bindName: f & 4 ? bindName : null, bindAuth, nonceTPM, nonceSize, policyDigest,
    isAuthValueNeeded: (g & 1) !== 0, isPasswordNeeded: (g & 2) !== 0, pcrCounter: g & 4 ? pcrCounter : null, commandCode: g & 8 ? commandCode : null, savedSequence: sequence,
  };
}

export const contextSave: CommandDef = {
  ...base,
  code: TPM_CC.ContextSave,
  name: 'TPM2_ContextSave',
  handles: [{ kind: 'context' }],
  run(tpm, { handles, params }) {
    new ParamReader(params, 'TPM2_ContextSave').end();
    const h = handles[0]!;
    const t = handleType(h);
    const sequence = ++tpm.volatile.contextCounter;
    let hierarchy: Hierarchy;
    let savedHandle: number;
    let body: Uint8Array;
    if (t === HT.TRANSIENT) {
      const o = tpm.objectAt(h)!;
      hierarchy = o.hierarchy;
      savedHandle = 0x80000000;
      body = marshal((w) => writeObject(w, o));
    } else if (t === HT.HMAC_SESSION || t === HT.POLICY_SESSION) {
      const s = tpm.sessionAt(h);
      if (!s) throw new TpmRc(rcHandle(RC.HANDLE, 1), 'session not loaded');
      hierarchy = 'null';
      savedHandle = h;
      body = marshal((w) => writeSession(w, s));
      s.savedSequence = sequence;
    } else throw new TpmRc(rcHandle(RC.VALUE, 1), 'only transient objects and sessions have contexts');
    const k = contextKeys(tpm, hierarchy, sequence, savedHandle);
    const enc = tpm.algs.suite.cfbEncrypt(k.aes, k.iv, body);
    const integrity = tpm.algs.suite.hmac(k.hmac, enc);
    return {
      params: marshal((w) => {
        w.u32(Number(sequence >> 32n)).u32(Number(sequence & 0xffffffffn)).u32(savedHandle).u32(hierarchyHandle[hierarchy]);
        w.sized((x) => x.tpm2b(integrity).bytes(enc));
      }),
    };
  },
};

export const contextLoad: CommandDef = {
  ...base,
  code: TPM_CC.ContextLoad,
  name: 'TPM2_ContextLoad',
  handles: [],
  responseHandles: 1,
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_ContextLoad');
    const c = p.next((r) => ({ sequence: r.u64('sequence'), savedHandle: r.u32('savedHandle'), hierarchy: r.u32('hierarchy'), blob: r.tpm2b('contextBlob', 2048) }));
    p.end();
    const h = hierarchyOf(c.hierarchy);
    if (!h) throw badParam(RC.HIERARCHY, 1, 'hierarchy');
    const k = contextKeys(tpm, h, c.sequence, c.savedHandle);
    let body: Uint8Array;
    try {
      const r = new TpmReader(c.blob, 'contextBlob');
      const integrity = r.tpm2b('integrity', 64);
      const enc = r.rest();
      if (!equal(integrity, tpm.algs.suite.hmac(k.hmac, enc))) throw new Error('integrity');
      body = tpm.algs.suite.cfbDecrypt(k.aes, k.iv, enc);
    } catch {
      throw badParam(RC.INTEGRITY, 1, 'the context does not verify');
    }
    const t = handleType(c.savedHandle);
    if (t === HT.TRANSIENT) {
      const o = readObject(new TpmReader(body, 'context'));
      return { handles: [tpm.addObject(o)] };
    }
    const s = readSession(new TpmReader(body, 'context'), c.sequence);
    const held = tpm.volatile.sessions.get(s.handle);
    // Part 1 §30.5: only the newest save of a session that is still saved can be loaded
    if (!held || held.savedSequence !== c.sequence) throw badParam(RC.HANDLE, 1, 'the session was loaded, flushed or saved again since');
    tpm.volatile.sessions.set(s.handle, { ...s, savedSequence: null });
    return { handles: [s.handle] };
  },
};

export const evictControl: CommandDef = {
  ...base,
  code: TPM_CC.EvictControl,
  name: 'TPM2_EvictControl',
  handles: [{ kind: 'hierarchy', allowed: [TPM_RH.OWNER, TPM_RH.PLATFORM] }, OBJECT],
  auth: ['user'],
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_EvictControl');
    const persistentHandle = p.next((r) => r.u32('persistentHandle'));
    p.end();
    const [auth, objectHandle] = handles as [number, number];
    const o = tpm.objectAt(objectHandle)!;
    const ownerRange = persistentHandle >= 0x81000000 && persistentHandle <= 0x817fffff;
    const platformRange = persistentHandle >= 0x81800000 && persistentHandle <= 0x81ffffff;
    if (handleType(objectHandle) === HT.PERSISTENT) {
      // Part 3 §28.5.1: evicting a persistent object names it twice
      if (persistentHandle !== objectHandle) throw badParam(RC.HANDLE, 1, 'persistentHandle must equal objectHandle');
      if (auth === TPM_RH.OWNER && o.hierarchy === 'platform') throw new TpmRc(rcHandle(RC.HIERARCHY, 2), 'owner cannot evict a platform object');
      tpm.persistent.persistent.delete(objectHandle);
      tpm.commitNv();
      return {};
    }
    if (o.hierarchy === 'null' || o.publicOnly) throw new TpmRc(rcHandle(RC.HIERARCHY, 2), 'NULL-hierarchy and public-only objects cannot be persistent');
    if (auth === TPM_RH.OWNER ? !ownerRange : !platformRange) throw badParam(RC.RANGE, 1, 'persistentHandle outside the authorizing hierarchy range');
    if (auth === TPM_RH.OWNER && o.hierarchy === 'platform') throw new TpmRc(rcHandle(RC.HIERARCHY, 2), 'owner cannot persist a platform object');
    if (tpm.persistent.persistent.has(persistentHandle)) throw new TpmRc(RC.NV_DEFINED, 'persistentHandle is in use');
    if (tpm.persistent.persistent.size >= MAX_PERSISTENT) throw new TpmRc(RC.NV_SPACE, 'no room for another persistent object');
    tpm.persistent.persistent.set(persistentHandle, { ...o, persistentHandle });
    tpm.commitNv();
    return {};
  },
};
