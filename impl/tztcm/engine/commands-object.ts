/**
 * Object commands (TPM 2.0 Part 3 §12, §24.1): TPM2_CreatePrimary (keys from the hierarchy's
 * primary seed, key-material.ts), TPM2_Create (a child protected under its parent,
 * protected-storage.ts), TPM2_Load, TPM2_LoadExternal, TPM2_ReadPublic and TPM2_Unseal. Every
 * template passes object-checks.ts before anything is made; a refused command loads nothing.
 * @module
 */
import { hashById, suiteOfCurve } from '../../tpm2/hash-algorithms.ts';
import { TpmReader } from '../../tpm2/marshal-reader.ts';
import { marshal } from '../../tpm2/marshal-writer.ts';
import { readPublic, writePublic, type TpmPublic } from '../../tpm2/public-area.ts';
import { writePcrSelection, type PcrSelection } from '../../tpm2/pcr-selection.ts';
import { TPMA_OBJECT, TPM_ALG, TPM_CC, TPM_RH, TPM_ST } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import type { EngineContext } from './engine-context.ts';
import { seedOf, ticket } from './hierarchy.ts';
import { makeKeyMaterial, primaryStream, randomStream } from './key-material.ts';
import { checkTemplate } from './object-checks.ts';
import { hasAttr, hierarchyQN, isStorageParent, namesOf, type EngineObject } from './object.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { selectionReader, selectedValues } from './pcr-banks.ts';
import { unwrapPrivate, wrapPrivate, type Sensitive } from './protected-storage.ts';
import { RC, TpmRc, rcHandle } from './rc.ts';
import { hierarchyOf, type Hierarchy } from './state.ts';

const TYPE_ID: Record<TpmPublic['type'], number> = { ecc: TPM_ALG.ECC, rsa: TPM_ALG.RSA, keyedhash: TPM_ALG.KEYEDHASH, symcipher: TPM_ALG.SYMCIPHER };

/** TPM2B_SENSITIVE_CREATE (Part 2 §11.1.16): userAuth (≤ 32, a SHA-256 digest), data (≤ 128). */
function readSensitiveCreate(r: TpmReader): { userAuth: Uint8Array; data: Uint8Array } {
  return r.sized('inSensitive', (s) => ({ userAuth: s.tpm2b('userAuth', 32), data: s.tpm2b('data', 128) }));
}

/** TPM2B_PUBLIC: a sized TPMT_PUBLIC; a size of 0 is TPM_RC_SIZE (Part 2 §12.2.5). */
export function readPublicParam(r: TpmReader): TpmPublic {
  return r.sized('inPublic', readPublic);
}

interface CreationArgs {
  readonly sensitive: { userAuth: Uint8Array; data: Uint8Array };
  readonly template: TpmPublic;
  readonly outsideInfo: Uint8Array;
  readonly creationPCR: PcrSelection;
}

function readCreation(tpm: EngineContext, params: Uint8Array, what: string): CreationArgs {
  const p = new ParamReader(params, what);
  const sensitive = p.next(readSensitiveCreate);
  const template = p.next(readPublicParam);
  const outsideInfo = p.next((r) => r.tpm2b('outsideInfo', 64));
  const creationPCR = p.next(selectionReader(tpm));
  p.end();
  return { sensitive, template, outsideInfo, creationPCR };
}

/** creationData, creationHash, creationTicket (Part 3 §12.1.2 Table 20; Part 2 §15.1). */
function creationOutputs(tpm: EngineContext, h: Hierarchy, name: Uint8Array, parent: { name: Uint8Array; qn: Uint8Array }, a: CreationArgs): Uint8Array {
  const data = marshal((w) => {
    writePcrSelection(w, a.creationPCR);
    w.tpm2b(a.creationPCR.some((b) => b.pcrs.length > 0) ? tpm.algs.suite.hash(marshal((x) => selectedValues(tpm, a.creationPCR).forEach((v) => x.bytes(v)))) : new Uint8Array(0));
    w.u8(1); // TPMA_LOCALITY: locality 0
    w.u16(parent.name.length === 4 ? TPM_ALG.NULL : tpm.algs.nameAlg).tpm2b(parent.name).tpm2b(parent.qn).tpm2b(a.outsideInfo);
  });
  const hash = tpm.algs.suite.hash(data);
  return marshal((w) => {
    w.tpm2b(data).tpm2b(hash);
    w.bytes(ticket(tpm, TPM_ST.CREATION, h, marshal((x) => x.bytes(name).bytes(hash))));
  });
}

function objectFrom(m: ReturnType<typeof makeKeyMaterial>, hierarchy: Hierarchy, parentQN: Uint8Array, authValue: Uint8Array, primary: boolean): EngineObject {
  const n = namesOf(m.public, parentQN);
  return { public: m.public, ...n, hierarchy, authValue, sensitive: m.sensitive, seedValue: m.seedValue, publicOnly: false, primary, persistentHandle: 0 };
}

const HIERARCHIES = [TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.NULL];

export const createPrimary: CommandDef = {
  code: TPM_CC.CreatePrimary,
  name: 'TPM2_CreatePrimary',
  handles: [{ kind: 'hierarchy', allowed: HIERARCHIES }],
  auth: ['user'],
  responseHandles: 1,
  decrypt: true,
  encrypt: true,
  run(tpm, { handles, params }) {
    const a = readCreation(tpm, params, 'TPM2_CreatePrimary');
    checkTemplate(a.template, { algs: tpm.algs, param: 2, primary: true, dataGiven: a.sensitive.data.length > 0 });
    const h = hierarchyOf(handles[0]!)!;
    const m = makeKeyMaterial(a.template, a.sensitive.data, primaryStream(seedOf(tpm, h), a.template, a.sensitive.data, tpm.algs.suite));
    const o = objectFrom(m, h, hierarchyQN(handles[0]!), a.sensitive.userAuth, true);
    const handle = tpm.addObject(o);
    return {
      handles: [handle],
      params: marshal((w) => {
        w.sized((x) => writePublic(x, o.public));
        w.bytes(creationOutputs(tpm, h, o.name, { name: hierarchyQN(handles[0]!), qn: hierarchyQN(handles[0]!) }, a));
        w.tpm2b(o.name);
      }),
    };
  },
};

function storageParent(tpm: EngineContext, handle: number): EngineObject {
  const parent = tpm.objectAt(handle)!;
  // Part 3 §12.1.3: parentHandle is not a storage key → TPM_RC_TYPE (with the handle number)
  if (!isStorageParent(parent)) throw new TpmRc(rcHandle(RC.TYPE, 1), 'the parent is not a restricted decrypt key');
  return parent;
}

export const create: CommandDef = {
  code: TPM_CC.Create,
  name: 'TPM2_Create',
  handles: [{ kind: 'object' }],
  auth: ['user'],
  responseHandles: 0,
  decrypt: true,
  encrypt: true,
  run(tpm, { handles, params }) {
    const a = readCreation(tpm, params, 'TPM2_Create');
    const parent = storageParent(tpm, handles[0]!);
    checkTemplate(a.template, { algs: tpm.algs, param: 2, primary: false, parentFixedTpm: hasAttr(parent, TPMA_OBJECT.fixedTPM), dataGiven: a.sensitive.data.length > 0 });
    const m = makeKeyMaterial(a.template, a.sensitive.data, randomStream(tpm.random));
    const o = objectFrom(m, parent.hierarchy, parent.qualifiedName, a.sensitive.userAuth, false);
    const priv = wrapPrivate(parent.seedValue, o.name, { type: TYPE_ID[o.public.type], authValue: o.authValue, seedValue: o.seedValue, sensitive: o.sensitive }, tpm.algs.suite);
    return {
      params: marshal((w) => {
        w.tpm2b(priv);
        w.sized((x) => writePublic(x, o.public));
        w.bytes(creationOutputs(tpm, parent.hierarchy, o.name, { name: parent.name, qn: parent.qualifiedName }, a));
      }),
    };
  },
};

/** The sensitive area matches the public area it is loaded with (Part 3 §12.2.3: TPM_RC_BINDING);
 * the template passed checkTemplate, so its curve and nameAlg are the mode's. */
function bindingOk(pub: TpmPublic, s: Sensitive): boolean {
  if (s.type !== TYPE_ID[pub.type]) return false;
  switch (pub.type) {
    case 'ecc': {
      const curve = suiteOfCurve(pub.curveId)!;
      if (!curve.isValidScalar(s.sensitive)) return false;
      const q = curve.basePointMul(s.sensitive);
      return pub.x.length === 32 && pub.y.length === 32 && q.subarray(1, 33).every((b, i) => b === pub.x[i]) && q.subarray(33).every((b, i) => b === pub.y[i]);
    }
    case 'rsa': {
      if (s.sensitive.length === 0 || pub.modulus.length !== pub.keyBits / 8) return false;
      let n = 0n;
      let p = 0n;
      for (const b of pub.modulus) n = (n << 8n) | BigInt(b);
      for (const b of s.sensitive) p = (p << 8n) | BigInt(b);
      return p > 1n && p < n && n % p === 0n;
    }
    case 'keyedhash':
    case 'symcipher': {
      const u = hashById(pub.nameAlg)!(new Uint8Array([...s.seedValue, ...s.sensitive]));
      return u.length === pub.unique.length && u.every((b, i) => b === pub.unique[i]);
    }
  }
}

export const load: CommandDef = {
  code: TPM_CC.Load,
  name: 'TPM2_Load',
  handles: [{ kind: 'object' }],
  auth: ['user'],
  responseHandles: 1,
  decrypt: true,
  encrypt: false,
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_Load');
    const blob = p.next((r) => r.tpm2b('inPrivate', 1024));
    const pub = p.next(readPublicParam);
    p.end();
    const parent = storageParent(tpm, handles[0]!);
    checkTemplate(pub, { algs: tpm.algs, param: 2, primary: false, parentFixedTpm: hasAttr(parent, TPMA_OBJECT.fixedTPM), dataGiven: false });
    const names = namesOf(pub, parent.qualifiedName);
    const s = unwrapPrivate(parent.seedValue, names.name, blob, tpm.algs.suite);
    if (!s) throw badParam(RC.INTEGRITY, 1, 'inPrivate does not verify under this parent and public area');
    if (!bindingOk(pub, s)) throw badParam(RC.BINDING, 2, 'the public and sensitive areas do not match');
    const o: EngineObject = { public: pub, ...names, hierarchy: parent.hierarchy, authValue: s.authValue, sensitive: s.sensitive, seedValue: s.seedValue, publicOnly: false, primary: false, persistentHandle: 0 };
    const handle = tpm.addObject(o);
    return { handles: [handle], params: marshal((w) => w.tpm2b(o.name)) };
  },
};

export const loadExternal: CommandDef = {
  code: TPM_CC.LoadExternal,
  name: 'TPM2_LoadExternal',
  handles: [],
  auth: [],
  responseHandles: 1,
  decrypt: true,
  encrypt: false,
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_LoadExternal');
    // TPM2B_SENSITIVE (Part 2 §12.3.3): empty for a public-only load
    const inPrivate = p.next((r) => {
      const n = r.u16('inPrivate.size');
      if (n === 0) return null;
      const inner = new TpmReader(r.bytes(n, 'inPrivate'), 'inPrivate');
      const s = { type: inner.u16('sensitiveType'), authValue: inner.tpm2b('authValue', 64), seedValue: inner.tpm2b('seedValue', 64), sensitive: inner.tpm2b('sensitive', 512) };
      inner.end();
      return s;
    });
    const pub = p.next(readPublicParam);
    const hierarchy = p.next((r) => {
      const x = r.u32('hierarchy');
      if (hierarchyOf(x) === null) throw new TpmRc(RC.VALUE, 'not a hierarchy');
      return x;
    });
    p.end();
    const h = hierarchyOf(hierarchy)!;
    // Part 3 §12.3.3: an object with its private part may only be loaded in the NULL hierarchy
    if (inPrivate && h !== 'null') throw badParam(RC.HIERARCHY, 3, 'a private part loads only in the NULL hierarchy');
    checkTemplate(pub, { algs: tpm.algs, param: 2, primary: false, dataGiven: false, publicOnly: true });
    if (inPrivate && !bindingOk(pub, inPrivate)) throw badParam(RC.BINDING, 2, 'the public and sensitive areas do not match');
    if (!inPrivate && pub.type === 'ecc' && !suiteOfCurve(pub.curveId)!.isValidPoint(new Uint8Array([4, ...pub.x, ...pub.y]))) throw badParam(RC.ECC_POINT, 2, 'the public point is not on the curve');
    const names = namesOf(pub, marshal((w) => w.u32(hierarchy)));
    const o: EngineObject = {
      public: pub,
      ...names,
      hierarchy: h,
      authValue: inPrivate?.authValue ?? new Uint8Array(0),
      sensitive: inPrivate?.sensitive ?? new Uint8Array(0),
      seedValue: inPrivate?.seedValue ?? new Uint8Array(0),
      publicOnly: !inPrivate,
      primary: false,
      persistentHandle: 0,
    };
    const handle = tpm.addObject(o);
    return { handles: [handle], params: marshal((w) => w.tpm2b(o.name)) };
  },
};

export const readPublicCmd: CommandDef = {
  code: TPM_CC.ReadPublic,
  name: 'TPM2_ReadPublic',
  handles: [{ kind: 'object' }],
  auth: [],
  responseHandles: 0,
  decrypt: false,
  encrypt: true,
  run(tpm, { handles, params }) {
    new ParamReader(params, 'TPM2_ReadPublic').end();
    const o = tpm.objectAt(handles[0]!)!;
    return { params: marshal((w) => w.sized((x) => writePublic(x, o.public)).tpm2b(o.name).tpm2b(o.qualifiedName)) };
  },
};

export const unseal: CommandDef = {
  code: TPM_CC.Unseal,
  name: 'TPM2_Unseal',
  handles: [{ kind: 'object' }],
  auth: ['user'],
  responseHandles: 0,
  decrypt: false,
  encrypt: true,
  run(tpm, { handles, params }) {
    new ParamReader(params, 'TPM2_Unseal').end();
    const o = tpm.objectAt(handles[0]!)!;
    // Part 3 §12.7.3: not a KEYEDHASH → TPM_RC_TYPE; sign, decrypt or restricted → TPM_RC_ATTRIBUTES
    if (o.public.type !== 'keyedhash' || o.publicOnly) throw new TpmRc(rcHandle(RC.TYPE, 1), 'not a data object');
    if (hasAttr(o, TPMA_OBJECT.sign) || hasAttr(o, TPMA_OBJECT.decrypt) || hasAttr(o, TPMA_OBJECT.restricted)) throw new TpmRc(rcHandle(RC.ATTRIBUTES, 1), 'a key, not sealed data');
    return { params: marshal((w) => w.tpm2b(o.sensitive)) };
  },
};
