/**
 * The handle area of a command checked and resolved (TPM 2.0 Part 3 §5.4 handle checks, the
 * reference TPM's ParseHandleBuffer and EntityGetLoadStatus): each handle has the type its
 * position allows (else TPM_RC_VALUE with the handle number), refers to something loaded or
 * defined (a transient object not loaded: TPM_RC_REFERENCE_H0 + index; a persistent object, NV
 * index or session that does not exist: TPM_RC_HANDLE), and becomes an Entity: the Name cpHash
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
import { HT, PCR_COUNT, RH, handleType } from './state.ts';

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
}

const handleName = (h: number) => marshal((w) => w.u32(h));

/** The permanent handles the engine has (Part 2 §7.4). */
const PERMANENT = new Set<number>([RH.OWNER, RH.NULL, RH.LOCKOUT, RH.ENDORSEMENT, RH.PLATFORM]);

function typeOk(spec: HandleSpec, h: number): boolean {
  const t = handleType(h);
  switch (spec.kind) {
    case 'object':
      return t === HT.TRANSIENT || t === HT.PERSISTENT || (spec.allowed?.includes(h) ?? false);
    case 'pcr':
      return t === HT.PCR && h < PCR_COUNT;
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
    case 'entity':
      return t === HT.TRANSIENT || t === HT.PERSISTENT || t === HT.NV_INDEX || t === HT.PCR || PERMANENT.has(h);
  }
}

/** Resolve handle `h` at 0-based position `i` of the handle area. */
export function resolveHandle(tpm: EngineContext, spec: HandleSpec, h: number, i: number): Entity {
  if (!typeOk(spec, h)) throw new TpmRc(rcHandle(RC.VALUE, i + 1), `handle 0x${h.toString(16)} is not allowed here`);
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
    };
  }
  if (t === HT.NV_INDEX) {
    const nv = tpm.persistent.nv.get(h);
    if (!nv) throw new TpmRc(rcHandle(RC.HANDLE, i + 1), `NV index 0x${h.toString(16)} is not defined`);
    return { handle: h, name: nvName(nv), authValue: nv.authValue, authPolicy: nv.authPolicy, da: (nv.attributes & TPMA_NV.NO_DA) === 0, userWithAuth: true, adminWithPolicy: false };
  }
  if (t === HT.HMAC_SESSION || t === HT.POLICY_SESSION) {
    if (!tpm.sessionAt(h)) throw new TpmRc(rcHandle(RC.HANDLE, i + 1), `session 0x${h.toString(16)} is not loaded`);
    return { handle: h, name: handleName(h), authValue: new Uint8Array(0), authPolicy: new Uint8Array(0), da: false, userWithAuth: true, adminWithPolicy: false };
  }
  if (t === HT.PCR) return { handle: h, name: handleName(h), authValue: new Uint8Array(0), authPolicy: new Uint8Array(0), da: false, userWithAuth: true, adminWithPolicy: false };
  // permanent handles: hierarchies are not DA-protected; lockoutAuth has its own one-try rule
  const a = tpm.persistent.auth;
  const authValue = h === RH.OWNER ? a.owner : h === RH.ENDORSEMENT ? a.endorsement : h === RH.PLATFORM ? a.platform : h === RH.LOCKOUT ? a.lockout : new Uint8Array(0);
  return { handle: h, name: handleName(h), authValue, authPolicy: new Uint8Array(0), da: false, userWithAuth: true, adminWithPolicy: false };
}
