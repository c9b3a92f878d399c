/**
 * The handle area of a command checked and resolved (TPM 2.0 Part 3 §5.4 handle checks, the
 * reference TPM's ParseHandleBuffer and EntityGetLoadStatus): each handle has the type its
 * position allows (else TPM_RC_VALUE with the handle number), refers to something loaded or
 * defined (a transient object or a session not loaded: TPM_RC_REFERENCE_H0 + index; a persistent
 * object or NV index that does not exist: TPM_RC_HANDLE), and becomes an Entity: the Name cpHash
 * covers (Part 1 §16), its authValue and authPolicy, and whether dictionary-attack protection
 * applies (Part 1 §19.8.6).
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { TPMA_OBJECT } from '../../tpm2/spec-constants.ts';
import type { HandleSpec } from './command-def.ts';
import type { EngineContext } from './engine-context.ts';
import { hasAttr } from './object.ts';
import { nvName, TPMA_NV } from './nv-public.ts';
import { RC, TpmRc, rcHandle } from './rc.ts';
import { HT, MAX_LOADED_OBJECTS, PCR_COUNT, RH, handleType } from './state.ts';

export interface Entity {
  readonly handle: number;
  readonly name: Uint8Array;
  readonly authValue: Uint8Array;
  readonly authPolicy: Uint8Array;
  /** subject to dictionary-attack protection */
  readonly da: boolean;
  /** USER role may use the authValue (Part 1 §19.2: userWithAuth for objects; always otherwise) */
  readonly userWithAuth: boolean;
  /** ADMIN role needs a policy (adminWithPolicy) */
  readonly adminWithPolicy: boolean;
  /** false for an object loaded without its sensitive part: it has no authValue to use (the
   * reference TPM's IsAuthValueAvailable; TPM_RC_AUTH_UNAVAILABLE) */
  readonly authAvailable?: boolean;
}

const handleName = (h: number) => marshal((w) => w.u32(h));

/** The permanent handles the engine has (Part 2 §7.4). */
const PERMANENT = new Set<number>([RH.OWNER, RH.NULL, RH.LOCKOUT, RH.ENDORSEMENT, RH.PLATFORM]);

/**
 * The reference TPM's handle ranges (Part 2 §7.5, TRANSIENT_LAST = TRANSIENT_FIRST +
 * MAX_LOADED_OBJECTS - 1, HMAC/POLICY_SESSION_LAST = _FIRST + MAX_ACTIVE_SESSIONS - 1 with 64
 * active sessions): a handle outside them does not unmarshal (TPM_RC_VALUE).
 */
export function inRange(h: number): boolean {
  const t = handleType(h);
  if (t === HT.TRANSIENT) return (h & 0xffffff) < MAX_LOADED_OBJECTS;
  if (t === HT.HMAC_SESSION || t === HT.POLICY_SESSION) return (h & 0xffffff) < 64;
  return true;
}

function typeOk(spec: HandleSpec, h: number): boolean {
  const t = handleType(h);
  if (!inRange(h)) return false;
  switch (spec.kind) {
    case 'object':
      return t === HT.TRANSIENT || t === HT.PERSISTENT || (spec.allowed?.includes(h) ?? false);
    case 'pcr':
      return (t === HT.PCR && h < PCR_COUNT) || (spec.allowed?.includes(h) ?? false);
    case 'hierarchy':
      return spec.allowed?.includes(h) ?? false;
    case 'session':
      return t === HT.POLICY_SESSION;
    case 'anySession':
      return t === HT.POLICY_SESSION || t === HT.HMAC_SESSION;
    case 'nv':
      return t === HT.NV_INDEX;
    case 'nvOrHierarchy':
      return t === HT.NV_INDEX || (spec.allowed?.includes(h) ?? false);
    case 'context':
      return t === HT.TRANSIENT || t === HT.HMAC_SESSION || t === HT.POLICY_SESSION;
    case 'entity':
      return t === HT.TRANSIENT || t === HT.PERSISTENT || t === HT.NV_INDEX || t === HT.PCR || PERMANENT.has(h);
  }
}

/** The unmarshalling check of handle `h` at 0-based position `i` (its TPMI_ type): TPM_RC_VALUE. */
export function checkHandleType(spec: HandleSpec, h: number, i: number): void {
  if (!typeOk(spec, h)) throw new TpmRc(rcHandle(RC.VALUE, i + 1), `handle 0x${h.toString(16)} is not allowed here`);
}

/** Resolve handle `h` at 0-based position `i` of the handle area. */
export function resolveHandle(tpm: EngineContext, spec: HandleSpec, h: number, i: number): Entity {
  checkHandleType(spec, h, i);
  const t = handleType(h);
  if (t === HT.TRANSIENT || t === HT.PERSISTENT) {
    const o = tpm.objectAt(h);
    if (!o) throw new TpmRc(t === HT.TRANSIENT ? RC.REFERENCE_H0 + i : rcHandle(RC.HANDLE, i + 1), `object 0x${h.toString(16)} is not loaded`);
    return {
      handle: h,
      name: o.name,
      authValue: o.authValue,
      authPolicy: o.public.authPolicy,
      da: !hasAttr(o, TPMA_OBJECT.noDA),
      userWithAuth: hasAttr(o, TPMA_OBJECT.userWithAuth),
      adminWithPolicy: hasAttr(o, TPMA_OBJECT.adminWithPolicy),
      authAvailable: !o.publicOnly,
    };
  }
  if (t === HT.NV_INDEX) {
    const nv = tpm.persistent.nv.get(h);
    if (!nv) throw new TpmRc(rcHandle(RC.HANDLE, i + 1), `NV index 0x${h.toString(16)} is not defined`);
    return { handle: h, name: nvName(nv), authValue: nv.authValue, authPolicy: nv.authPolicy, da: (nv.attributes & TPMA_NV.NO_DA) === 0, userWithAuth: true, adminWithPolicy: false };
  }
  if (t === HT.HMAC_SESSION || t === HT.POLICY_SESSION) {
    if (!tpm.sessionAt(h)) throw new TpmRc(RC.REFERENCE_H0 + i, `session 0x${h.toString(16)} is not loaded`);
    return { handle: h, name: handleName(h), authValue: new Uint8Array(0), authPolicy: new Uint8Array(0), da: false, userWithAuth: true, adminWithPolicy: false };
  }
  if (t === HT.PCR) return { handle: h, name: handleName(h), authValue: new Uint8Array(0), authPolicy: new Uint8Array(0), da: false, userWithAuth: true, adminWithPolicy: false };
  // permanent handles: hierarchies are not DA-protected; lockoutAuth has its own one-try rule
  const a = tpm.persistent.auth;
  const authValue = h === RH.OWNER ? a.owner : h === RH.ENDORSEMENT ? a.endorsement : h === RH.PLATFORM ? a.platform : h === RH.LOCKOUT ? a.lockout : new Uint8Array(0);
  return { handle: h, name: handleName(h), authValue, authPolicy: new Uint8Array(0), da: false, userWithAuth: true, adminWithPolicy: false };
}

/**
 * The entity as it is after the command ran (TPM2_HierarchyChangeAuth changes the authValue the
 * response HMAC uses, Part 1 §19.6.6); the command-time one if it no longer exists.
 */
export function afterCommand(tpm: EngineContext, e: Entity): Entity {
  try {
    return resolveHandle(tpm, { kind: 'entity' }, e.handle, 0);
  } catch {
    return e;
  }
}
