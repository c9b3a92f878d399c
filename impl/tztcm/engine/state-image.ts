/**
 * The persistent state as one byte image (what a PersistentStateStore keeps): a magic and
 * version, then the seeds, hierarchy authValues, DA counters, reset counts, the context key,
 * NV indices and persistent objects, in TPM 2.0 canonical marshalling (impl/tpm2's
 * TpmWriter/TpmReader), ending in a SHA-256 of everything before it so that a torn or altered
 * image is refused rather than half-loaded.
 * @module
 */
import { tpm2P256 } from '../../crypto/index.ts';
import { TpmMarshalError, TpmReader } from '../../tpm2/marshal-reader.ts';
import { TpmWriter } from '../../tpm2/marshal-writer.ts';
import { readPublic } from '../../tpm2/public-area.ts';
import type { EngineObject } from './object.ts';
import type { Hierarchy, NvIndex, PersistentState } from './state.ts';

const MAGIC = 0x545a5443; // 'TZTC'
const VERSION = 1;
const HIERARCHIES: readonly Hierarchy[] = ['owner', 'endorsement', 'platform', 'null'];

export function writeObject(w: TpmWriter, o: EngineObject): void {
  w.tpm2b(o.publicArea).tpm2b(o.name).tpm2b(o.qualifiedName).u8(HIERARCHIES.indexOf(o.hierarchy));
  w.tpm2b(o.authValue).tpm2b(o.sensitive).tpm2b(o.seedValue).u8((o.publicOnly ? 1 : 0) | (o.primary ? 2 : 0)).u32(o.persistentHandle);
}

export function readObject(r: TpmReader): EngineObject {
  const publicArea = r.tpm2b('publicArea');
  const pub = readPublic(new TpmReader(publicArea, 'state image object'));
  const name = r.tpm2b('name');
  const qualifiedName = r.tpm2b('qualifiedName');
  const hierarchy = HIERARCHIES[r.u8('hierarchy')];
  if (!hierarchy) throw new TpmMarshalError('state image: bad hierarchy');
  const authValue = r.tpm2b('authValue');
  const sensitive = r.tpm2b('sensitive');
  const seedValue = r.tpm2b('seedValue');
  const flags = r.u8('flags');
  const persistentHandle = r.u32('persistentHandle');
  return { public: pub, publicArea, name, qualifiedName, hierarchy, authValue, sensitive, seedValue, publicOnly: (flags & 1) !== 0, primary: (flags & 2) !== 0, persistentHandle };
}

export function encodeStateImage(s: PersistentState): Uint8Array {
  const w = new TpmWriter();
  w.u32(MAGIC).u16(VERSION);
  w.tpm2b(s.seeds.owner).tpm2b(s.seeds.endorsement).tpm2b(s.seeds.platform);
  w.tpm2b(s.auth.owner).tpm2b(s.auth.endorsement).tpm2b(s.auth.platform).tpm2b(s.auth.lockout);
  w.u32(s.da.failedTries).u32(s.da.maxTries).u32(s.da.recoveryTime).u32(s.da.lockoutRecovery).u8(s.da.lockoutAuthLocked ? 1 : 0);
  w.u32(s.resetCount).u32(s.restartCount).tpm2b(s.contextKey).u8(s.orderlyState ? 1 : 0);
  w.u32(s.nv.size);
  for (const nv of [...s.nv.values()].sort((a, b) => a.handle - b.handle)) {
    w.u32(nv.handle).u16(nv.nameAlg).u32(nv.attributes).tpm2b(nv.authPolicy).u16(nv.dataSize).tpm2b(nv.authValue).tpm2b(nv.data);
  }
  w.u32(s.persistent.size);
  for (const [h, o] of [...s.persistent.entries()].sort((a, b) => a[0] - b[0])) {
    w.u32(h);
    writeObject(w, o);
  }
  const body = w.finish();
  return new TpmWriter().bytes(body).bytes(tpm2P256.hash(body)).finish();
}

/** Parse an image; a wrong magic, version, checksum or structure is a TpmMarshalError. */
export function decodeStateImage(image: Uint8Array): PersistentState {
  if (image.length < 38) throw new TpmMarshalError('state image: too short');
  const body = image.subarray(0, image.length - 32);
  const sum = image.subarray(image.length - 32);
  const want = tpm2P256.hash(body);
  if (!want.every((b, i) => b === sum[i])) throw new TpmMarshalError('state image: checksum does not match (torn or altered image)');
  const r = new TpmReader(body, 'state image');
  if (r.u32('magic') !== MAGIC) throw new TpmMarshalError('state image: not a TZTCM engine image');
  const version = r.u16('version');
  if (version !== VERSION) throw new TpmMarshalError(`state image: version ${version}, this engine reads ${VERSION}`);
  const seeds = { owner: r.tpm2b('ownerSeed'), endorsement: r.tpm2b('endorsementSeed'), platform: r.tpm2b('platformSeed') };
  const auth = { owner: r.tpm2b('ownerAuth'), endorsement: r.tpm2b('endorsementAuth'), platform: r.tpm2b('platformAuth'), lockout: r.tpm2b('lockoutAuth') };
  const da = { failedTries: r.u32('failedTries'), maxTries: r.u32('maxTries'), recoveryTime: r.u32('recoveryTime'), lockoutRecovery: r.u32('lockoutRecovery'), lockoutAuthLocked: r.u8('locked') !== 0 };
  const resetCount = r.u32('resetCount');
  const restartCount = r.u32('restartCount');
  const contextKey = r.tpm2b('contextKey');
  const orderlyState = r.u8('orderly') !== 0;
  const nv = new Map<number, NvIndex>();
  for (let i = 0, n = r.u32('nvCount'); i < n; i++) {
    const handle = r.u32('nv.handle');
    nv.set(handle, { handle, nameAlg: r.u16('nv.nameAlg'), attributes: r.u32('nv.attributes'), authPolicy: r.tpm2b('nv.authPolicy'), dataSize: r.u16('nv.dataSize'), authValue: r.tpm2b('nv.authValue'), data: r.tpm2b('nv.data') });
  }
  const persistent = new Map<number, EngineObject>();
  for (let i = 0, n = r.u32('persistentCount'); i < n; i++) {
    const h = r.u32('persistent.handle');
    persistent.set(h, readObject(r));
  }
  r.end();
  return { seeds, auth, nv, persistent, da, resetCount, restartCount, contextKey, orderlyState };
}
