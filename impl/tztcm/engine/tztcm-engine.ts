/**
 * The TZTCM's TPM 2.0 command engine (seed 002 §2: the TPM as a trusted application in the
 * TEE): one command frame in, one response frame out (TPM 2.0 Part 1 §18), never an exception.
 * The order of checks is the reference TPM's ExecuteCommand (Part 3 §5): header (tag, size,
 * code), TPM_RC_INITIALIZE before TPM2_Startup, the command's table entry (TPM_RC_COMMAND_CODE
 * for any command the engine does not implement), the handle area, the authorization area and
 * its checks (authorization.ts), parameter decryption, then the handler; a handler's refusal
 * leaves the state as it was. What must survive a restart is written to the PersistentStateStore
 * as one image (state-image.ts) whenever it changes.
 * @module
 */
import { systemRandom, tpm2P256, type CryptoSuite, type RandomSource } from '../../crypto/index.ts';
import { algorithmsFor } from './algorithms.ts';
import { TpmWriter } from '../../tpm2/marshal-writer.ts';
import { cpHash, rpHash } from '../../tpm2/session-crypto.ts';
import { TPM_ST } from '../../tpm2/spec-constants.ts';
import type { PersistentStateStore, TpmEngine } from '../engine-contract.ts';
import { checkAuthorizations, decryptParams, parseAuthArea, respond, type CheckedAuth } from './authorization.ts';
import { COMMANDS } from './command-table.ts';
import { EngineContext } from './engine-context.ts';
import { afterCommand, checkHandleType, resolveHandle, type Entity } from './entities.ts';
import { RC, TpmRc, rcHandle } from './rc.ts';
import { decodeStateImage, encodeStateImage } from './state-image.ts';
import { freshPersistentState, freshVolatileState } from './state-init.ts';
import type { PersistentState } from './state.ts';

/** Part 1 §18.2 / the reference TPM's MAX_COMMAND_SIZE: larger commands are TPM_RC_COMMAND_SIZE. */
export const MAX_COMMAND_SIZE = 4096;
const HEADER = 10;
/** Part 2 §6.9 TPM_ST values. */
const ST_VALUES = new Set([0x00c4, 0x8000, 0x8001, 0x8002, 0x8014, 0x8015, 0x8016, 0x8017, 0x8018, 0x8019, 0x801a, 0x8021, 0x8022, 0x8023, 0x8024, 0x8025, 0x8029]);

/** The store an engine uses when none is given: the image in memory. */
export function memoryStateStore(): PersistentStateStore & { image: Uint8Array | undefined } {
  const s = {
    image: undefined as Uint8Array | undefined,
    load: () => s.image?.slice(),
    save: (image: Uint8Array) => {
      s.image = image.slice();
    },
  };
  return s;
}

export interface TztcmEngineOptions {
  /** where the persistent state lives (default: in memory, lost with the engine) */
  readonly store?: PersistentStateStore;
  /** the engine's entropy (default: the platform CSPRNG; a seeded source for tests) */
  readonly random?: RandomSource;
  /** milliseconds for the TPM clock (default performance.now) */
  readonly now?: () => number;
  /** the algorithms: the tpm2 suite (default) is TPM mode, the tcm suite TCM mode (SM2/SM3/SM4, algorithms.ts) */
  readonly suite?: CryptoSuite;
}

function errorResponse(rc: number, tag: number = TPM_ST.NO_SESSIONS): Uint8Array {
  return new TpmWriter().u16(tag).u32(HEADER).u32(rc >>> 0).finish();
}

export class TztcmEngine implements TpmEngine {
  readonly tpm: EngineContext;

  constructor(opts: TztcmEngineOptions = {}) {
    const store = opts.store ?? memoryStateStore();
    const random = opts.random ?? systemRandom();
    let persistent: PersistentState;
    const image = store.load();
    if (image === undefined) {
      persistent = freshPersistentState(random);
      store.save(encodeStateImage(persistent));
    } else {
      // a store that does not hold an engine image is a configuration error, not a TPM answer
      persistent = decodeStateImage(image);
    }
    const algs = algorithmsFor(opts.suite ?? tpm2P256);
    this.tpm = new EngineContext(persistent, freshVolatileState(random, algs.hashes), random, store, opts.now ?? (() => performance.now()), algs);
  }

  execute(command: Uint8Array): Uint8Array {
    try {
      return this.run(command);
    } catch (e) {
      if (e instanceof TpmRc) return errorResponse(e.rc);
      // an engine bug must not take the TEE down: TPM_RC_FAILURE, as a TPM in failure mode answers
      return errorResponse(RC.FAILURE);
    }
  }

  private run(cmd: Uint8Array): Uint8Array {
    if (!(cmd instanceof Uint8Array) || cmd.length < HEADER) throw new TpmRc(RC.INSUFFICIENT, 'shorter than a command header');
    if (cmd.length > MAX_COMMAND_SIZE) throw new TpmRc(RC.COMMAND_SIZE, 'larger than MAX_COMMAND_SIZE');
    const dv = new DataView(cmd.buffer, cmd.byteOffset, cmd.length);
    const tag = dv.getUint16(0, false);
    // TPMI_ST_COMMAND_TAG (Part 2 §9.1.?): a TPM_ST that is not a command tag is TPM_RC_BAD_TAG;
    // a value that is no TPM_ST at all fails TPM_ST's own unmarshalling, TPM_RC_VALUE (libtpms)
    if (tag !== TPM_ST.NO_SESSIONS && tag !== TPM_ST.SESSIONS) throw new TpmRc(ST_VALUES.has(tag) ? RC.BAD_TAG : RC.VALUE, 'tag is neither TPM_ST_NO_SESSIONS nor TPM_ST_SESSIONS');
    const size = dv.getUint32(2, false);
    if (size !== cmd.length) throw new TpmRc(RC.COMMAND_SIZE, `commandSize ${size} but ${cmd.length} bytes`);
    const code = dv.getUint32(6, false);
    const v = this.tpm.volatile;
    if (!v.started && code !== 0x144) throw new TpmRc(RC.INITIALIZE, 'TPM2_Startup first');
    const def = COMMANDS.get(code);
    if (!def) throw new TpmRc(RC.COMMAND_CODE, `command 0x${code.toString(16)} is not implemented`);
    let off = HEADER;
    const handles: number[] = [];
    const entities: Entity[] = [];
    // the reference TPM's ParseHandleBuffer unmarshals every handle first, then
    // EntityGetLoadStatus checks each is loaded / defined
    for (let i = 0; i < def.handles.length; i++) {
      if (off + 4 > cmd.length) throw new TpmRc(rcHandle(RC.INSUFFICIENT, i + 1), 'handle area ends early');
      const h = dv.getUint32(off, false);
      off += 4;
      checkHandleType(def.handles[i]!, h, i);
      handles.push(h);
    }
    handles.forEach((h, i) => entities.push(resolveHandle(this.tpm, def.handles[i]!, h, i)));
    let checked: CheckedAuth[] = [];
    let params: Uint8Array;
    if (tag === TPM_ST.SESSIONS) {
      if (off + 4 > cmd.length) throw new TpmRc(RC.INSUFFICIENT, 'no authorizationSize');
      const authSize = dv.getUint32(off, false);
      off += 4;
      // the reference TPM: an area longer than what follows is TPM_RC_SIZE, one too short for a
      // single TPMS_AUTH_COMMAND is TPM_RC_AUTHSIZE
      if (authSize > cmd.length - off) throw new TpmRc(RC.SIZE, `authorizationSize ${authSize} overruns the command`);
      if (authSize < 9) throw new TpmRc(RC.AUTHSIZE, `authorizationSize ${authSize}`);
      const entries = parseAuthArea(cmd.subarray(off, off + authSize));
      off += authSize;
      params = cmd.subarray(off);
      // every session of a mode has the mode's authHash (commands-session.ts)
      const cp = cpHash(code, entities.map((e) => e.name), params, this.tpm.algs.suite);
      checked = checkAuthorizations(this.tpm, def, entities, entries, cp);
      params = decryptParams(params, checked);
    } else {
      if (def.auth.length > 0) throw new TpmRc(RC.AUTH_MISSING, `${def.name} needs an authorization`);
      params = cmd.subarray(off);
    }
    const out = def.run(this.tpm, { code, handles, params, sessionHandles: checked.map((c) => c.entry.handle) });
    const rspHandles = out.handles ?? [];
    const rspParams = out.params ?? new Uint8Array(0);
    const w = new TpmWriter();
    if (checked.length === 0) {
      w.u16(TPM_ST.NO_SESSIONS).u32(0).u32(0);
      for (const h of rspHandles) w.u32(h);
      w.bytes(rspParams);
    } else {
      const after = checked.map((c) => (c.entity ? { ...c, entity: afterCommand(this.tpm, c.entity) } : c));
      const r = respond(this.tpm, after, rspParams, (p) => rpHash(code, p, this.tpm.algs.suite));
      w.u16(TPM_ST.SESSIONS).u32(0).u32(0);
      for (const h of rspHandles) w.u32(h);
      w.u32(r.params.length).bytes(r.params).bytes(r.area);
    }
    const rsp = w.finish();
    new DataView(rsp.buffer).setUint32(2, rsp.length, false);
    return rsp;
  }
}

/** The engine the TZTCM service runs (impl/tztcm/engine-contract.ts). */
export function createTztcmEngine(opts: TztcmEngineOptions = {}): TztcmEngine {
  return new TztcmEngine(opts);
}
