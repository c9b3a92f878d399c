/**
 * Object commands (TPM 2.0 Part 3 §12 "Object Commands", §24.1 CreatePrimary, §28.4
 * FlushContext): CreatePrimary, Create, Load, LoadExternal, ReadPublic, Unseal, FlushContext.
 * Each returns typed results; a Name the TPM reports is checked against the Name computed from
 * the public area it returned, so a marshalling mistake on either side shows up at once.
 * @module
 */
import { PASSWORD } from './auth-session.ts';
import type { SessionUse, TpmCommandExecutor } from './command-executor.ts';
import { TpmMarshalError, TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { writePcrSelection } from './pcr-selection.ts';
import { objectName, readPublic as readPublicArea, writePublic, type TpmPublic } from './public-area.ts';
import { TPM_CC, TPM_RH } from './spec-constants.ts';
import { handleEntity, type TpmEntity } from './tpm-entity.ts';

/** A loaded object: handle, Name, public area and (if known) authValue. */
export interface LoadedObject extends TpmEntity {
  readonly public: TpmPublic;
}

/** Private and public parts from TPM2_Create, to be given to TPM2_Load. */
export interface CreatedObject {
  /** TPM2B_PRIVATE body, opaque (encrypted under the parent). */
  readonly private: Uint8Array;
  readonly public: TpmPublic;
}

export interface SensitiveCreate {
  /** userAuth of the new object (empty by default). */
  readonly userAuth?: Uint8Array;
  /** Data to seal (KEYEDHASH sealed objects only). */
  readonly data?: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const pw: SessionUse = { auth: PASSWORD };

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function checkName(what: string, pub: TpmPublic, name: Uint8Array): void {
  if (!equalBytes(objectName(pub), name)) throw new TpmMarshalError(`${what}: the TPM's Name does not match the Name computed from its public area`);
}

/** Parameters shared by Create and CreatePrimary (Part 3 §12.1.2 / §24.1.2). */
function creationParams(template: TpmPublic, sensitive: SensitiveCreate): Uint8Array {
  return marshal((w) => {
    // TPM2B_SENSITIVE_CREATE (Part 2 §11.1.16): userAuth, data
    w.sized((s) => s.tpm2b(sensitive.userAuth ?? EMPTY).tpm2b(sensitive.data ?? EMPTY));
    w.sized((p) => writePublic(p, template));
    w.tpm2b(EMPTY); // outsideInfo
    writePcrSelection(w, []); // creationPCR
  });
}

/** Skip TPM2B_CREATION_DATA, creationHash and TPMT_TK_CREATION (Part 3 §12.1.2 Table 20). */
function skipCreationOutputs(r: TpmReader): void {
  r.tpm2b('creationData');
  r.tpm2b('creationHash', 64);
  r.u16('creationTicket.tag');
  r.u32('creationTicket.hierarchy');
  r.tpm2b('creationTicket.digest', 64);
}

/** TPM2_CreatePrimary (Part 3 §24.1) under `hierarchy` (owner by default), password-authorized. */
export async function createPrimary(
  x: TpmCommandExecutor,
  template: TpmPublic,
  opts: { hierarchy?: TpmEntity; sensitive?: SensitiveCreate; session?: SessionUse } = {},
): Promise<LoadedObject> {
  const res = await x.run({
    code: TPM_CC.CreatePrimary,
    handles: [opts.hierarchy ?? handleEntity(TPM_RH.OWNER)],
    authHandles: 1,
    sessions: [opts.session ?? pw],
    params: creationParams(template, opts.sensitive ?? {}),
    responseHandles: 1,
  });
  const r = new TpmReader(res.params, 'TPM2_CreatePrimary response');
  const pub = r.sized('outPublic', readPublicArea);
  skipCreationOutputs(r);
  const name = r.tpm2b('name', 68);
  r.end();
  checkName('TPM2_CreatePrimary', pub, name);
  return { handle: res.handles[0] as number, name, public: pub, authValue: opts.sensitive?.userAuth ?? EMPTY };
}

/** TPM2_Create (Part 3 §12.1) of a child of `parent`. */
export async function create(
  x: TpmCommandExecutor,
  parent: TpmEntity,
  template: TpmPublic,
  sensitive: SensitiveCreate,
  session: SessionUse = pw,
): Promise<CreatedObject> {
  const res = await x.run({
    code: TPM_CC.Create,
    handles: [parent],
    authHandles: 1,
    sessions: [session],
    params: creationParams(template, sensitive),
  });
  const r = new TpmReader(res.params, 'TPM2_Create response');
  const priv = r.tpm2b('outPrivate');
  const pub = r.sized('outPublic', readPublicArea);
  skipCreationOutputs(r);
  r.end();
  return { private: priv, public: pub };
}

/** TPM2_Load (Part 3 §12.2); `authValue` is the child's userAuth, kept for later authorizations. */
export async function load(
  x: TpmCommandExecutor,
  parent: TpmEntity,
  obj: CreatedObject,
  authValue: Uint8Array = EMPTY,
  session: SessionUse = pw,
): Promise<LoadedObject> {
  const res = await x.run({
    code: TPM_CC.Load,
    handles: [parent],
    authHandles: 1,
    sessions: [session],
    params: marshal((w) => w.tpm2b(obj.private).sized((p) => writePublic(p, obj.public))),
    responseHandles: 1,
  });
  const r = new TpmReader(res.params, 'TPM2_Load response');
  const name = r.tpm2b('name', 68);
  r.end();
  checkName('TPM2_Load', obj.public, name);
  return { handle: res.handles[0] as number, name, public: obj.public, authValue };
}

/** TPM2_LoadExternal (Part 3 §12.3) of a public area only (no TPM2B_SENSITIVE). */
export async function loadExternal(x: TpmCommandExecutor, pub: TpmPublic, hierarchy: number = TPM_RH.NULL): Promise<LoadedObject> {
  const res = await x.run({
    code: TPM_CC.LoadExternal,
    params: marshal((w) => w.tpm2b(EMPTY).sized((p) => writePublic(p, pub)).u32(hierarchy)),
    responseHandles: 1,
  });
  const r = new TpmReader(res.params, 'TPM2_LoadExternal response');
  const name = r.tpm2b('name', 68);
  r.end();
  checkName('TPM2_LoadExternal', pub, name);
  return { handle: res.handles[0] as number, name, public: pub };
}

/** TPM2_ReadPublic (Part 3 §12.4): public area, Name (checked) and qualified Name. */
export async function readPublic(x: TpmCommandExecutor, handle: number): Promise<LoadedObject & { qualifiedName: Uint8Array }> {
  const res = await x.run({ code: TPM_CC.ReadPublic, handles: [handleEntity(handle)] });
  const r = new TpmReader(res.params, 'TPM2_ReadPublic response');
  const pub = r.sized('outPublic', readPublicArea);
  const name = r.tpm2b('name', 68);
  const qualifiedName = r.tpm2b('qualifiedName', 68);
  r.end();
  checkName('TPM2_ReadPublic', pub, name);
  return { handle, name, public: pub, qualifiedName };
}

/**
 * TPM2_Unseal (Part 3 §12.7). With `session.encrypt` the TPM returns outData AES-CFB encrypted
 * under the session; the executor has checked the response HMAC and decrypted it.
 */
export async function unseal(
  x: TpmCommandExecutor,
  item: TpmEntity,
  session: SessionUse,
): Promise<{ data: Uint8Array; verifiedSessions: number; nonceCaller: Uint8Array; nonceTPM: Uint8Array }> {
  const res = await x.run({ code: TPM_CC.Unseal, handles: [item], authHandles: 1, sessions: [session] });
  const r = new TpmReader(res.params, 'TPM2_Unseal response');
  const data = r.tpm2b('outData', 128);
  r.end();
  const n = res.nonces[0] ?? { nonceCaller: EMPTY, nonceTPM: EMPTY };
  return { data, verifiedSessions: res.verifiedSessions, nonceCaller: n.nonceCaller, nonceTPM: n.nonceTPM };
}

/** TPM2_FlushContext (Part 3 §28.4): the handle is a parameter, not in the handle area. */
export async function flushContext(x: TpmCommandExecutor, handle: number): Promise<void> {
  await x.run({ code: TPM_CC.FlushContext, params: marshal((w) => w.u32(handle)) });
}
