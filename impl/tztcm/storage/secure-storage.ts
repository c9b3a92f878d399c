/**
 * The TZTCM's hierarchical secure storage (seed 002 §2.2.2, Fig. 4), OP-TEE REE-FS style
 * (OP-TEE docs, "Secure storage": per-TA objects in REE files, a directory file `dirf.db`, the
 * directory's hash and a counter in RPMB against rollback).
 *
 * Keys: SSK = HMAC(HUK, chipId ‖ 'static string'); TSK_u = HMAC(SSK, uuid_u); a random FEK per
 * object version, wrapped by the owner's TSK; the object sealed under its FEK together with its
 * owner's UUID, its id and its version — all through the protocol-5 terms (./storage-keys.ts).
 * A TA reaches only its own objects: the API looks entries up under the caller's UUID, and a file
 * of another TA does not open under the caller's TSK.
 *
 * Layout (REE directory, untrusted):
 *   o-<random>.obj              one object version: encode(<encFEK, encData>)
 *   dirf-<v>.db, dirf-<v>.bak   the directory of version v (two copies), sealed like an object
 *                               under the TSK of the reserved storage UUID (all zero)
 * RPMB blocks 0 and 1 (authenticated, written together in one reliable write): the root record
 * <'TZRT', v, SHA-256(directory file)>. The directory lists, per object, its file and the
 * SHA-256 of that file — a two-level hash tree whose root is in RPMB. A rolled-back, swapped or
 * rotten REE file therefore fails its hash (P5.2 in concrete form), and is named.
 *
 * Commit order of a change (crash-safe at every step): write + fsync the new object file; write +
 * fsync both copies of directory v+1; sync the directory; RPMB write of root v+1 (the commit
 * point); then remove what v no longer needs. A power loss before the RPMB write leaves version v,
 * after it version v+1; leftovers are removed at the next mount.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { RandomSource } from '../../crypto/index.ts';
import { decode, DecodeError, encode } from '../../wire/codec.ts';
import { bytesV, constV, tupleV, type Value } from '../../wire/value.ts';
import type { StorageFs } from './fs/storage-fs.ts';
import { RpmbError, type RpmbClient } from './rpmb/rpmb-client.ts';
import { deriveTsk, openFileData, sealFileData, unwrapFileKey, wrapFileKey } from './storage-keys.ts';

export type StorageErrorCode = 'not-found' | 'bad-id' | 'corrupted' | 'rollback' | 'rpmb';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A trusted application as the storage knows it: its UUID (RFC 4122, 16 bytes). */
export interface TaIdentity {
  readonly uuid: Uint8Array;
  readonly name: string;
}

export function parseUuid(s: string): Uint8Array {
  const hex = s.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`'${s}' is not a UUID`);
  return Uint8Array.from(hex.match(/../g)!, (b) => parseInt(b, 16));
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const STORAGE_UUID = new Uint8Array(16);
const ROOT_MAGIC = new TextEncoder().encode('TZRT');
/** GP TEE Internal Core API: TEE_OBJECT_ID_MAX_LEN is 64 bytes */
const ID_MAX = 64;
const GARBAGE = /^(o-[0-9a-f]{16}\.obj|dirf-\d+\.(db|bak))$/;

interface Entry {
  readonly uuid: string;
  readonly id: string;
  readonly file: string;
  readonly hash: string;
  readonly version: number;
}

interface Directory {
  readonly version: number;
  readonly entries: readonly Entry[];
}

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, false);
  return b;
};

function rootBlock(version: number, dirHash: Uint8Array): Uint8Array {
  const b = new Uint8Array(256);
  b.set(ROOT_MAGIC, 0);
  b.set(u32(version), 4);
  b.set(dirHash, 8);
  b.set(sha256(b.subarray(0, 40)), 40);
  return b;
}

function parseRoot(b: Uint8Array): { version: number; dirHash: Uint8Array } | 'empty' | undefined {
  if (b.every((x) => x === 0)) return 'empty';
  if (!ROOT_MAGIC.every((x, i) => b[i] === x) || !Buffer.from(sha256(b.subarray(0, 40))).equals(b.subarray(40, 72))) return undefined;
  return { version: new DataView(b.buffer, b.byteOffset).getUint32(4, false), dirHash: b.slice(8, 40) };
}

export interface MountOptions {
  readonly fs: StorageFs;
  readonly rpmb: RpmbClient;
  readonly ssk: Uint8Array;
  readonly rng: RandomSource;
}

export class SecureStorage {
  /** what the mount found and repaired (a rotten directory copy, leftovers removed) */
  readonly warnings: string[] = [];
  private dir: Directory = { version: 0, entries: [] };

  private constructor(private readonly o: MountOptions) {}

  /** Mount: authenticate the RPMB root, find the directory it names, remove leftovers. */
  static mount(o: MountOptions): SecureStorage {
    const s = new SecureStorage(o);
    s.load();
    return s;
  }

  get version(): number {
    return this.dir.version;
  }

  private tsk(uuid: Uint8Array): Uint8Array {
    return deriveTsk(this.o.ssk, uuid);
  }

  /** <encFEK, encData> with a fresh FEK for `data`, owned by `uuid` */
  private seal(uuid: Uint8Array, data: Value): Uint8Array {
    const fek = this.o.rng.bytes(32);
    return encode(tupleV([bytesV(wrapFileKey(fek, this.tsk(uuid))), bytesV(sealFileData(data, fek))]));
  }

  /** the sealed value, or undefined if it does not open under `uuid`'s TSK */
  private unseal(uuid: Uint8Array, file: Uint8Array): Value | undefined {
    const v = decode(file);
    if (v instanceof DecodeError || v.k !== 'tuple' || v.items.length !== 2) return undefined;
    const [a, b] = v.items as [Value, Value];
    if (a.k !== 'bytes' || b.k !== 'bytes') return undefined;
    const fek = unwrapFileKey(a.b, this.tsk(uuid));
    return fek && openFileData(b.b, fek);
  }

  private load(): void {
    const { fs, rpmb } = this.o;
    let blocks: Uint8Array[];
    try {
      blocks = rpmb.read(0, 2);
    } catch (e) {
      if (e instanceof RpmbError) throw new StorageError('rpmb', `RPMB root record unreadable: ${e.message}`);
      throw e;
    }
    const roots = blocks.map(parseRoot);
    const root = roots.find((r) => r !== undefined && r !== 'empty') as { version: number; dirHash: Uint8Array } | undefined;
    roots.forEach((r, i) => r === undefined && this.warnings.push(`RPMB root record copy ${i} corrupted (checksum), the other used`));
    if (!root) {
      if (roots.every((r) => r === undefined)) throw new StorageError('corrupted', 'RPMB root record: both copies corrupted');
      this.gc(new Set());
      return; // never written: an empty storage
    }
    let found: Directory | undefined;
    let good: Uint8Array | undefined;
    const bad: string[] = [];
    for (const name of [`dirf-${root.version}.db`, `dirf-${root.version}.bak`]) {
      const bytes = fs.read(name);
      if (!bytes) {
        this.warnings.push(`directory copy ${name} missing`);
        bad.push(name);
        continue;
      }
      if (!Buffer.from(sha256(bytes)).equals(root.dirHash)) {
        this.warnings.push(`directory copy ${name} does not match the RPMB root of version ${root.version} (corrupted, rolled back or swapped)`);
        bad.push(name);
        continue;
      }
      const d = found ?? this.parseDirectory(bytes, root.version);
      if (d) (found = d), (good = bytes);
      else (this.warnings.push(`directory copy ${name} does not open`), bad.push(name));
    }
    if (found && good && bad.length) {
      // repair the bad copy from the good one, so one more rotten file stays survivable
      for (const name of bad) (fs.write(name, good), fs.fsync(name));
      fs.syncDir();
      this.warnings.push(`directory copy ${bad.join(', ')} rewritten from the good copy`);
    }
    if (!found) throw new StorageError('rollback', `directory of version ${root.version} (dirf-${root.version}.db/.bak): no copy matches the RPMB root — rolled back, swapped, deleted or corrupted`);
    this.dir = found;
    this.gc(new Set([...found.entries.map((e) => e.file), `dirf-${found.version}.db`, `dirf-${found.version}.bak`]));
  }

  private parseDirectory(bytes: Uint8Array, version: number): Directory | undefined {
    const v = this.unseal(STORAGE_UUID, bytes);
    if (!v || v.k !== 'tuple' || v.items.length !== 3) return undefined;
    const [tag, ver, body] = v.items as [Value, Value, Value];
    if (tag.k !== 'const' || tag.s !== 'dirf' || ver.k !== 'bytes' || body.k !== 'bytes') return undefined;
    if (new DataView(ver.b.buffer, ver.b.byteOffset).getUint32(0, false) !== version) return undefined;
    return { version, entries: JSON.parse(new TextDecoder().decode(body.b)) as Entry[] };
  }

  /** remove files of ours that the current version does not reference (leftovers of a crash) */
  private gc(keep: ReadonlySet<string>): void {
    const stale = this.o.fs.list().filter((n) => GARBAGE.test(n) && !keep.has(n));
    if (stale.length === 0) return;
    for (const n of stale) this.o.fs.remove(n);
    this.o.fs.syncDir();
    this.warnings.push(`removed ${stale.length} file(s) left by an interrupted write`);
  }

  private checkId(id: string): void {
    const n = new TextEncoder().encode(id).length;
    if (n < 1 || n > ID_MAX) throw new StorageError('bad-id', `object id must be 1..${ID_MAX} bytes, got ${n}`);
  }

  private entry(ta: TaIdentity, id: string): Entry | undefined {
    const u = hexOf(ta.uuid);
    return this.dir.entries.find((e) => e.uuid === u && e.id === id);
  }

  /** the caller's object ids */
  list(ta: TaIdentity): string[] {
    const u = hexOf(ta.uuid);
    return this.dir.entries.filter((e) => e.uuid === u).map((e) => e.id).sort();
  }

  exists(ta: TaIdentity, id: string): boolean {
    return this.entry(ta, id) !== undefined;
  }

  /** Read one of the caller's objects. A file that fails its hash or its seal is named. */
  read(ta: TaIdentity, id: string): Uint8Array {
    this.checkId(id);
    const e = this.entry(ta, id);
    if (!e) throw new StorageError('not-found', `TA ${ta.name} has no object '${id}'`);
    const bytes = this.o.fs.read(e.file);
    if (!bytes) throw new StorageError('corrupted', `object '${id}' of TA ${ta.name}: file ${e.file} is missing`);
    if (hexOf(sha256(bytes)) !== e.hash) throw new StorageError('corrupted', `object '${id}' of TA ${ta.name}: file ${e.file} does not match the directory (corrupted, rolled back or swapped)`);
    const v = this.unseal(ta.uuid, bytes);
    if (!v || v.k !== 'tuple' || v.items.length !== 4) throw new StorageError('corrupted', `object '${id}' of TA ${ta.name}: file ${e.file} does not open under the TA's key`);
    const [u, oid, , data] = v.items as [Value, Value, Value, Value];
    if (u.k !== 'bytes' || hexOf(u.b) !== e.uuid || oid.k !== 'bytes' || new TextDecoder().decode(oid.b) !== id || data.k !== 'bytes') {
      throw new StorageError('corrupted', `object '${id}' of TA ${ta.name}: file ${e.file} holds another object`);
    }
    return data.b.slice();
  }

  /** Create or replace one of the caller's objects (one commit). */
  write(ta: TaIdentity, id: string, data: Uint8Array): void {
    this.checkId(id);
    const old = this.entry(ta, id);
    const next = this.writeObject(ta, id, data, (old?.version ?? 0) + 1);
    const entries = this.dir.entries.filter((e) => e !== old).concat(next);
    this.commit(entries, old ? [old.file] : []);
  }

  delete(ta: TaIdentity, id: string): void {
    this.checkId(id);
    const e = this.entry(ta, id);
    if (!e) throw new StorageError('not-found', `TA ${ta.name} has no object '${id}'`);
    this.commit(this.dir.entries.filter((x) => x !== e), [e.file]);
  }

  /** Rename (the sealed object names its id, so it is sealed again under the new one); one commit. */
  rename(ta: TaIdentity, from: string, to: string): void {
    this.checkId(to);
    const data = this.read(ta, from);
    const e = this.entry(ta, from)!;
    const target = this.entry(ta, to);
    if (target && from !== to) throw new StorageError('bad-id', `TA ${ta.name} already has an object '${to}'`);
    const next = this.writeObject(ta, to, data, e.version + 1);
    this.commit(this.dir.entries.filter((x) => x !== e).concat(next), [e.file]);
  }

  private writeObject(ta: TaIdentity, id: string, data: Uint8Array, version: number): Entry {
    const { fs, rng } = this.o;
    const file = `o-${hexOf(rng.bytes(8))}.obj`;
    const sealed = this.seal(ta.uuid, tupleV([bytesV(ta.uuid), bytesV(new TextEncoder().encode(id)), bytesV(u32(version)), bytesV(data)]));
    fs.write(file, sealed);
    fs.fsync(file);
    return { uuid: hexOf(ta.uuid), id, file, hash: hexOf(sha256(sealed)), version };
  }

  private commit(entries: readonly Entry[], garbage: readonly string[]): void {
    const { fs, rpmb } = this.o;
    const v = this.dir.version + 1;
    const bytes = this.seal(STORAGE_UUID, tupleV([constV('dirf'), bytesV(u32(v)), bytesV(new TextEncoder().encode(JSON.stringify(entries)))]));
    for (const name of [`dirf-${v}.db`, `dirf-${v}.bak`]) {
      fs.write(name, bytes);
      fs.fsync(name);
    }
    fs.syncDir();
    const root = rootBlock(v, sha256(bytes));
    try {
      rpmb.write(0, [root, root]); // the commit point
    } catch (e) {
      if (e instanceof RpmbError) throw new StorageError('rpmb', `RPMB write of the root record failed: ${e.message}`);
      throw e;
    }
    const prev = this.dir.version;
    this.dir = { version: v, entries };
    for (const n of [...garbage, `dirf-${prev}.db`, `dirf-${prev}.bak`]) fs.remove(n);
    fs.syncDir();
  }
}
