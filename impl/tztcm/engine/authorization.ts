/**
 * The authorization layer (TPM 2.0 Part 1 §18.6–§19, §21; the reference TPM's SessionProcess):
 * parse the authorization area, check each session against the handle it authorizes
 * (password §19.8.4, HMAC §19.6.5 with the session key and the entity's authValue unless the
 * session is bound to it §19.6.9, policy §19.7 against the entity's authPolicy), count failures
 * against dictionary-attack protection (§19.8.6), decrypt the first command parameter (§21.2),
 * and build the response area: a fresh nonceTPM per session (rolling nonces, §19.6.2), the
 * first response parameter encrypted (§21.3) and the response HMAC over rpHash (§19.6.6).
 * @module
 */
import { cfb as aesCfb } from '@noble/ciphers/aes.js';
import { suiteOfHash } from '../../tpm2/hash-algorithms.ts';
import { TpmMarshalError, TpmReader } from '../../tpm2/marshal-reader.ts';
import { TpmWriter } from '../../tpm2/marshal-writer.ts';
import { cfbParameterCrypt, concat, sessionHmac, stripTrailingZeros } from '../../tpm2/session-crypto.ts';
import { TPMA_SESSION } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import type { EngineContext } from './engine-context.ts';
import type { Entity } from './entities.ts';
import { RC, TpmRc, rcSession } from './rc.ts';
import type { EngineSession } from './session-state.ts';
import { HT, RH, handleType } from './state.ts';

/** Part 1 §18.6.3: at most three sessions per command (the reference TPM's MAX_SESSION_NUM). */
const MAX_SESSIONS = 3;
/** TPMA_SESSION bits 3 and 4 are reserved (Part 2 §8.4). */
const RESERVED = 0x18;

export interface AuthEntry {
  readonly handle: number;
  readonly nonceCaller: Uint8Array;
  readonly attributes: number;
  readonly hmac: Uint8Array;
}

export interface CheckedAuth {
  readonly entry: AuthEntry;
  /** 0-based position in the area */
  readonly index: number;
  readonly session: EngineSession | null;
  /** the entity it authorizes, or null for an extra (encrypt/decrypt) session */
  readonly entity: Entity | null;
}

/** Parse TPMS_AUTH_COMMAND entries (Part 2 §10.13.2) from the `size` bytes of the area. */
export function parseAuthArea(area: Uint8Array): AuthEntry[] {
  const r = new TpmReader(area, 'authorization area');
  const out: AuthEntry[] = [];
  while (r.remaining > 0) {
    const n = out.length + 1;
    if (n > MAX_SESSIONS) throw new TpmRc(RC.AUTHSIZE, 'more than three sessions');
    try {
      const handle = r.u32('sessionHandle');
      // TPMI_SH_AUTH_SESSION unmarshalling: a password, HMAC or policy session handle in range
      const t = handleType(handle);
      if (handle !== RH.PW && ((t !== HT.HMAC_SESSION && t !== HT.POLICY_SESSION) || (handle & 0xffffff) >= 64)) throw new TpmRc(rcSession(RC.VALUE, n), `0x${handle.toString(16)} is not a session handle`);
      const nonceCaller = r.tpm2b('nonce', 64);
      const attributes = r.u8('sessionAttributes');
      const hmac = r.tpm2b('hmac', 64);
      out.push({ handle, nonceCaller, attributes, hmac });
    } catch (e) {
      if (e instanceof TpmRc) throw e;
      // an entry that does not unmarshal is named by its session number (libtpms): a size over
      // its bound is TPM_RC_SIZE, an entry cut short by the area TPM_RC_INSUFFICIENT
      const reason = e instanceof TpmMarshalError ? e.reason : 'value';
      throw new TpmRc(rcSession(reason === 'size' ? RC.SIZE : reason === 'short' ? RC.INSUFFICIENT : RC.AUTHSIZE, n), (e as Error).message);
    }
  }
  return out;
}

function isBoundTo(s: EngineSession, e: Entity): boolean {
  return s.bindName !== null && equal(s.bindName, e.name) && equal(s.bindAuth, stripTrailingZeros(e.authValue));
}

/** Part 1 §19.6.5: the HMAC key of `s` used for `entity`. */
export function hmacKeyOf(s: EngineSession, entity: Entity | null): Uint8Array {
  if (entity === null) return s.sessionKey;
  if (s.type === 'hmac') return isBoundTo(s, entity) ? s.sessionKey : concat(s.sessionKey, stripTrailingZeros(entity.authValue));
  return s.isAuthValueNeeded ? concat(s.sessionKey, stripTrailingZeros(entity.authValue)) : s.sessionKey;
}

/** Part 1 §21.1: parameter-encryption key material, sessionKey || authValue of the authorized entity. */
function cryptKeyOf(s: EngineSession, entity: Entity | null): Uint8Array {
  return entity === null ? s.sessionKey : concat(s.sessionKey, stripTrailingZeros(entity.authValue));
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** Part 1 §19.8.6: a wrong authValue for a DA-protected entity counts; lockoutAuth locks at once. */
function authFailure(tpm: EngineContext, e: Entity, n: number): TpmRc {
  const da = tpm.persistent.da;
  if (e.handle === RH.LOCKOUT) {
    da.lockoutAuthLocked = true;
    tpm.commitNv();
    return new TpmRc(rcSession(RC.AUTH_FAIL, n), 'wrong lockoutAuth');
  }
  if (e.da) {
    da.failedTries++;
    tpm.commitNv();
    return new TpmRc(rcSession(RC.AUTH_FAIL, n), 'wrong authorization (DA-protected)');
  }
  return new TpmRc(rcSession(RC.BAD_AUTH, n), 'wrong authorization');
}

/**
 * Check the whole area against the command's handles (their Names are in cpHash). Throws the
 * response code of the first failure; counts DA failures persistently.
 */
export function checkAuthorizations(tpm: EngineContext, def: CommandDef, entities: readonly Entity[], entries: readonly AuthEntry[], cp: Uint8Array): CheckedAuth[] {
  if (entries.length < def.auth.length) throw new TpmRc(RC.AUTH_MISSING, `${def.name} needs ${def.auth.length} authorizations`);
  const seen = new Set<number>();
  let decrypts = 0;
  let encrypts = 0;
  const checked: CheckedAuth[] = entries.map((entry, index) => {
    const n = index + 1;
    const t = handleType(entry.handle);
    if (entry.attributes & RESERVED) throw new TpmRc(rcSession(RC.RESERVED_BITS, n), 'reserved session attribute bits');
    if (entry.handle === RH.PW) {
      if (index >= def.auth.length) throw new TpmRc(rcSession(RC.VALUE, n), 'a password session authorizes no handle here');
      if (entry.nonceCaller.length !== 0) throw new TpmRc(rcSession(RC.NONCE, n), 'password session with a nonce');
      if (entry.attributes & (TPMA_SESSION.decrypt | TPMA_SESSION.encrypt | TPMA_SESSION.audit)) throw new TpmRc(rcSession(RC.ATTRIBUTES, n), 'password session cannot encrypt or audit');
      return { entry, index, session: null, entity: entities[index]! };
    }
    // TPMI_SH_AUTH_SESSION unmarshalling: TPM_RC_VALUE for a handle of another type or out of range
    if ((t !== HT.HMAC_SESSION && t !== HT.POLICY_SESSION) || (entry.handle & 0xffffff) >= 64) throw new TpmRc(rcSession(RC.VALUE, n), `0x${entry.handle.toString(16)} is not a session handle`);
    const session = tpm.sessionAt(entry.handle);
    if (!session) throw new TpmRc(RC.REFERENCE_S0 + index, `session 0x${entry.handle.toString(16)} is not loaded`);
    if (seen.has(entry.handle)) throw new TpmRc(rcSession(RC.VALUE, n), 'the same session twice');
    seen.add(entry.handle);
    if (entry.attributes & TPMA_SESSION.audit) throw new TpmRc(rcSession(RC.ATTRIBUTES, n), 'audit sessions are not supported');
    if (entry.attributes & TPMA_SESSION.decrypt) {
      if (++decrypts > 1 || !def.decrypt) throw new TpmRc(rcSession(RC.ATTRIBUTES, n), 'decrypt not allowed for this command');
      if (!session.cfb) throw new TpmRc(rcSession(RC.SYMMETRIC, n), 'session has no symmetric algorithm');
    }
    if (entry.attributes & TPMA_SESSION.encrypt) {
      if (++encrypts > 1 || !def.encrypt) throw new TpmRc(rcSession(RC.ATTRIBUTES, n), 'encrypt not allowed for this command');
      if (!session.cfb) throw new TpmRc(rcSession(RC.SYMMETRIC, n), 'session has no symmetric algorithm');
    }
    if (index >= def.auth.length && (entry.attributes & (TPMA_SESSION.decrypt | TPMA_SESSION.encrypt)) === 0)
      throw new TpmRc(rcSession(RC.ATTRIBUTES, n), 'an extra session must encrypt or decrypt');
    return { entry, index, session, entity: index < def.auth.length ? entities[index]! : null };
  });
  // authorization proper, in order (Part 1 §19.4)
  for (const c of checked) {
    const n = c.index + 1;
    const e = c.entity;
    const s = c.session;
    if (e && e.da && tpm.persistent.da.failedTries >= tpm.persistent.da.maxTries) throw new TpmRc(RC.LOCKOUT, 'dictionary-attack lockout');
    if (e && e.handle === RH.LOCKOUT && tpm.persistent.da.lockoutAuthLocked) throw new TpmRc(RC.LOCKOUT, 'lockoutAuth is locked');
    const role = def.auth[c.index];
    if (e && e.authAvailable === false && (s === null || s.type === 'hmac')) throw new TpmRc(RC.AUTH_UNAVAILABLE, 'the object has no sensitive part loaded');
    if (s === null) {
      if (role === 'user' && !e!.userWithAuth) throw new TpmRc(RC.AUTH_UNAVAILABLE, 'userWithAuth is clear: a policy is needed');
      if (role === 'admin' && e!.adminWithPolicy) throw new TpmRc(RC.AUTH_UNAVAILABLE, 'adminWithPolicy is set: a policy is needed');
      if (!equal(stripTrailingZeros(c.entry.hmac), stripTrailingZeros(e!.authValue))) throw authFailure(tpm, e!, n);
      continue;
    }
    if (e && s.type !== 'hmac') {
      if (s.type === 'trial') throw new TpmRc(rcSession(RC.ATTRIBUTES, n), 'a trial session cannot authorize');
      if (s.commandCode !== null && s.commandCode !== def.code) throw new TpmRc(rcSession(RC.POLICY_CC, n), 'the policy is for another command');
      if (s.pcrCounter !== null && s.pcrCounter !== tpm.volatile.pcrUpdateCounter) throw new TpmRc(RC.PCR_CHANGED, 'PCRs changed since PolicyPCR');
      if (!equal(s.policyDigest, e.authPolicy)) throw new TpmRc(rcSession(RC.POLICY_FAIL, n), 'policyDigest differs from authPolicy');
      if (s.isPasswordNeeded) {
        if (!equal(stripTrailingZeros(c.entry.hmac), stripTrailingZeros(e.authValue))) throw authFailure(tpm, e, n);
        continue;
      }
    } else if (e && s.type === 'hmac') {
      if (role === 'user' && !e.userWithAuth) throw new TpmRc(RC.AUTH_UNAVAILABLE, 'userWithAuth is clear: a policy is needed');
      if (role === 'admin' && e.adminWithPolicy) throw new TpmRc(RC.AUTH_UNAVAILABLE, 'adminWithPolicy is set: a policy is needed');
    }
    const key = hmacKeyOf(s, e);
    // Part 1 §19.6.5 / reference CheckSessionHMAC: with an empty key an empty HMAC is accepted
    if (key.length === 0 && c.entry.hmac.length === 0) continue;
    const want = fullHmac(s, key, cp, c.entry.nonceCaller, s.nonceTPM, c.entry.attributes);
    if (!equal(c.entry.hmac, want)) {
      if (e) throw authFailure(tpm, e, n);
      throw new TpmRc(rcSession(RC.BAD_AUTH, n), 'HMAC of an extra session does not verify');
    }
  }
  return checked;
}

/** Part 1 §21.2: decrypt the first parameter's data octets (a TPM2B) of a decrypt session. */
export function decryptParams(params: Uint8Array, checked: readonly CheckedAuth[]): Uint8Array {
  const c = checked.find((x) => x.session && x.entry.attributes & TPMA_SESSION.decrypt);
  if (!c || !c.session) return params;
  if (params.length < 2) throw new TpmRc(RC.INSUFFICIENT | 0x140, 'no first parameter to decrypt');
  const size = ((params[0] as number) << 8) | (params[1] as number);
  if (2 + size > params.length) throw new TpmRc(RC.SIZE | 0x140, 'first parameter overruns the parameters');
  const out = params.slice();
  out.set(cfb(c.session, cryptKeyOf(c.session, c.entity), c.entry.nonceCaller, c.session.nonceTPM, params.subarray(2, 2 + size), 'decrypt'), 2);
  return out;
}

/**
 * The response's authorization area for a command that succeeded: new nonces, the first
 * response parameter encrypted for an encrypt session, HMACs over rpHash. `rp` computes rpHash
 * over the (encrypted) parameters. Sessions sent without continueSession are flushed.
 */
export function respond(tpm: EngineContext, checked: readonly CheckedAuth[], params: Uint8Array, rp: (params: Uint8Array) => Uint8Array): { params: Uint8Array; area: Uint8Array } {
  for (const c of checked) if (c.session) c.session.nonceTPM = tpm.random.bytes(c.session.nonceSize);
  let out = params;
  const enc = checked.find((x) => x.session && x.entry.attributes & TPMA_SESSION.encrypt);
  if (enc && enc.session && out.length >= 2) {
    const size = ((out[0] as number) << 8) | (out[1] as number);
    out = out.slice();
    out.set(cfb(enc.session, cryptKeyOf(enc.session, enc.entity), enc.session.nonceTPM, enc.entry.nonceCaller, params.subarray(2, 2 + size), 'encrypt'), 2);
  }
  const rph = rp(out);
  const w = new TpmWriter();
  for (const c of checked) {
    const attrs = c.entry.attributes;
    if (!c.session) {
      w.tpm2b(new Uint8Array(0)).u8(attrs).tpm2b(new Uint8Array(0));
      continue;
    }
    const s = c.session;
    const key = hmacKeyOf(s, c.entity);
    // an empty key with an empty command HMAC (accepted above) is answered with an empty HMAC;
    // otherwise the HMAC under the (possibly empty) key, which is what ESAPI checks
    const hmac = s.type !== 'hmac' && s.isPasswordNeeded ? new Uint8Array(0) : key.length === 0 && c.entry.hmac.length === 0 ? new Uint8Array(0) : fullHmac(s, key, rph, s.nonceTPM, c.entry.nonceCaller, attrs);
    w.tpm2b(s.nonceTPM).u8(attrs).tpm2b(hmac);
    // Part 1 §19.7.1: a policy session's assertions are used up by the authorization
    if (c.entity && s.type === 'policy') resetPolicy(s);
    if (!(attrs & TPMA_SESSION.continueSession)) tpm.volatile.sessions.delete(s.handle);
  }
  return { params: out, area: w.finish() };
}

/**
 * Part 1 §21.3 CFB parameter encryption with the session's AES key size: AES-128 through the
 * shared session-crypto.ts; AES-256 here (KDFa gives 256 key bits then the 128-bit IV).
 */
function cfb(s: EngineSession, key: Uint8Array, newer: Uint8Array, older: Uint8Array, data: Uint8Array, dir: 'encrypt' | 'decrypt'): Uint8Array {
  if (data.length === 0) return data;
  const suite = sessionSuite(s);
  if (s.symBits === 1) {
    // Part 1 §21.2 XOR obfuscation: data XOR KDFa(key, "XOR", nonceNewer, nonceOlder, bits)
    const mask = suite.kdfa(key, 'XOR', newer, older, data.length * 8);
    return data.map((b, i) => b ^ (mask[i] as number));
  }
  // 128-bit keys: AES-128-CFB or SM4-CFB, the suite of the session's hash (commands-session.ts)
  if (s.symBits !== 256) return cfbParameterCrypt(key, newer, older, data, dir, suite);
  const kiv = suite.kdfa(key, 'CFB', newer, older, 256 + 128);
  const c = aesCfb(kiv.subarray(0, 32), kiv.subarray(32, 48));
  return dir === 'encrypt' ? c.encrypt(data) : c.decrypt(data);
}

/** The suite of a session's authHash (SHA-256: tpm2, SM3_256: tcm); StartAuthSession took no other. */
const sessionSuite = (s: EngineSession) => suiteOfHash(s.authHash)!;

/** Part 1 §19.6.5 HMAC(key, pHash || nonceNewer || nonceOlder || attributes), also for an empty key. */
function fullHmac(s: EngineSession, key: Uint8Array, pHash: Uint8Array, newer: Uint8Array, older: Uint8Array, attributes: number): Uint8Array {
  const suite = sessionSuite(s);
  return key.length > 0 ? sessionHmac(key, pHash, newer, older, attributes, suite) : suite.hmac(key, concat(pHash, newer, older, Uint8Array.of(attributes)));
}

/** Part 3 §23.20 PolicyRestart's effect, also applied after a policy authorization. */
export function resetPolicy(s: EngineSession): void {
  s.policyDigest = new Uint8Array(32);
  s.isAuthValueNeeded = false;
  s.isPasswordNeeded = false;
  s.pcrCounter = null;
  s.commandCode = null;
}
