/**
 * NV storage (TPM 2.0 Part 3 §31): TPM2_NV_DefineSpace, TPM2_NV_UndefineSpace, TPM2_NV_Write,
 * TPM2_NV_Read, TPM2_NV_ReadPublic for ordinary indices (TPM_NT_ORDINARY; counter, bit-field
 * and extend indices are refused, docs/tztcm-engine.md). Access follows Part 3 §31.2 / Part 1
 * §37.3: who may write or read is chosen by the TPMA_NV bits — OWNERWRITE / PPWRITE when the
 * owner / platform authorizes, AUTHWRITE with the index's authValue, POLICYWRITE with a policy
 * session (and the same for reading) — anything else is TPM_RC_NV_AUTHORIZATION. Every change
 * goes to the persistent image before the response.
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { TPM_ALG, TPM_CC, TPM_RH } from '../../tpm2/spec-constants.ts';
import type { CommandDef, CommandInput } from './command-def.ts';
import type { EngineContext } from './engine-context.ts';
import { implementsHash } from './algorithms.ts';
import { digestSize } from './key-material.ts';
import { nvName, readNvPublic, TPMA_NV, TPMA_NV_RESERVED, writeNvPublic } from './nv-public.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { RC, TpmRc, rcHandle } from './rc.ts';
import { HT, MAX_NV_BUFFER, MAX_NV_INDEX_SIZE, MAX_NV_INDICES, handleType, type NvIndex } from './state.ts';

const PROVISION = { kind: 'hierarchy', allowed: [TPM_RH.OWNER, TPM_RH.PLATFORM] } as const;
const NV_AUTH = { kind: 'nvOrHierarchy', allowed: [TPM_RH.OWNER, TPM_RH.PLATFORM] } as const;
const NV = { kind: 'nv' } as const;
const WRITE_BITS = TPMA_NV.PPWRITE | TPMA_NV.OWNERWRITE | TPMA_NV.AUTHWRITE | TPMA_NV.POLICYWRITE;
const READ_BITS = TPMA_NV.PPREAD | TPMA_NV.OWNERREAD | TPMA_NV.AUTHREAD | TPMA_NV.POLICYREAD;

export const nvDefineSpace: CommandDef = {
  code: TPM_CC.NV_DefineSpace,
  name: 'TPM2_NV_DefineSpace',
  handles: [PROVISION],
  auth: ['user'],
  responseHandles: 0,
  decrypt: true,
  encrypt: false,
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_NV_DefineSpace');
    const auth = p.next((r) => r.tpm2b('auth', 64));
    // TPMS_NV_PUBLIC's unmarshalling checks the index type, the hash and dataSize (Part 2 §13.5)
    const pub = p.next((r) => {
      const x = r.sized('publicInfo', readNvPublic);
      if (handleType(x.handle) !== HT.NV_INDEX) throw new TpmRc(RC.VALUE, 'nvIndex is not an NV index handle');
      if (!implementsHash(tpm.algs, x.nameAlg)) throw new TpmRc(RC.HASH, 'nameAlg is not a hash the engine implements');
      if (x.dataSize > MAX_NV_INDEX_SIZE) throw new TpmRc(RC.SIZE, 'dataSize over TPM_PT_NV_INDEX_MAX');
      return x;
    });
    p.end();
    const a = pub.attributes >>> 0;
    if (pub.nameAlg !== tpm.algs.nameAlg) throw badParam(RC.HASH, 2, 'nameAlg must be the mode\'s (SHA-256 / SM3_256)');
    if (auth.length > 32) throw badParam(RC.SIZE, 1, 'auth longer than the nameAlg digest');
    if (pub.authPolicy.length !== 0 && pub.authPolicy.length !== 32) throw badParam(RC.SIZE, 2, 'authPolicy is not a digest of nameAlg');
    if (a & TPMA_NV_RESERVED) throw badParam(RC.RESERVED_BITS, 2, 'reserved TPMA_NV bits');
    const nt = (a & TPMA_NV.TPM_NT_MASK) >>> 4;
    // Part 3 §31.3.1: counter, bit-field and PIN indices hold 8 octets, extend indices one digest
    if ((nt === 1 || nt === 2 || nt === 8 || nt === 9) && pub.dataSize !== 8) throw badParam(RC.SIZE, 2, 'this index type holds 8 octets');
    if (nt === 4 && pub.dataSize !== digestSize(pub.nameAlg)) throw badParam(RC.SIZE, 2, 'an extend index holds one digest');
    if (nt !== 0) throw badParam(RC.ATTRIBUTES, 2, 'only ordinary indices (TPM_NT_ORDINARY)');
    if ((a & WRITE_BITS) === 0 || (a & READ_BITS) === 0) throw badParam(RC.ATTRIBUTES, 2, 'an index needs a way to write and a way to read');
    if (a & (TPMA_NV.WRITTEN | TPMA_NV.WRITELOCKED | TPMA_NV.READLOCKED)) throw badParam(RC.ATTRIBUTES, 2, 'WRITTEN / WRITELOCKED / READLOCKED are set by the TPM');
    if (((a & TPMA_NV.PLATFORMCREATE) !== 0) !== (handles[0] === TPM_RH.PLATFORM)) throw badParam(RC.ATTRIBUTES, 2, 'PLATFORMCREATE must match the authorizing hierarchy');
    if (a & TPMA_NV.POLICY_DELETE && pub.authPolicy.length === 0) throw badParam(RC.ATTRIBUTES, 2, 'POLICY_DELETE needs an authPolicy');
    if (tpm.persistent.nv.has(pub.handle)) throw new TpmRc(RC.NV_DEFINED, 'index already defined');
    if (tpm.persistent.nv.size >= MAX_NV_INDICES) throw new TpmRc(RC.NV_SPACE, 'no room for another index');
    tpm.persistent.nv.set(pub.handle, { ...pub, attributes: a, authValue: auth, data: new Uint8Array(pub.dataSize) });
    tpm.commitNv();
    return {};
  },
};

export const nvUndefineSpace: CommandDef = {
  code: TPM_CC.NV_UndefineSpace,
  name: 'TPM2_NV_UndefineSpace',
  handles: [PROVISION, NV],
  auth: ['user'],
  responseHandles: 0,
  decrypt: false,
  encrypt: false,
  run(tpm, { handles, params }) {
    new ParamReader(params, 'TPM2_NV_UndefineSpace').end();
    const nv = tpm.persistent.nv.get(handles[1]!)!;
    if (nv.attributes & TPMA_NV.POLICY_DELETE) throw new TpmRc(rcHandle(RC.ATTRIBUTES, 2), 'POLICY_DELETE: TPM2_NV_UndefineSpaceSpecial only');
    if (nv.attributes & TPMA_NV.PLATFORMCREATE && handles[0] === TPM_RH.OWNER) throw new TpmRc(RC.NV_AUTHORIZATION, 'a platform index');
    tpm.persistent.nv.delete(handles[1]!);
    tpm.commitNv();
    return {};
  },
};

/**
 * Part 3 §31.2 NvWriteAccessChecks / NvReadAccessChecks: which TPMA_NV bit allows this
 * authorization (the authorizing handle and whether a policy session did it).
 */
function access(tpm: EngineContext, input: CommandInput, nv: NvIndex, bits: { pp: number; owner: number; auth: number; policy: number }): void {
  const authHandle = input.handles[0]!;
  const policy = handleType(input.sessionHandles[0] ?? 0) === HT.POLICY_SESSION;
  const ok =
    authHandle === TPM_RH.OWNER ? (nv.attributes & bits.owner) !== 0 : authHandle === TPM_RH.PLATFORM ? (nv.attributes & bits.pp) !== 0 : (nv.attributes & (policy ? bits.policy : bits.auth)) !== 0;
  if (!ok) throw new TpmRc(RC.NV_AUTHORIZATION, 'the index does not allow this authorization');
  if (authHandle !== TPM_RH.OWNER && authHandle !== TPM_RH.PLATFORM && authHandle !== nv.handle) throw new TpmRc(RC.NV_AUTHORIZATION, 'authHandle is another index');
  void tpm;
}

export const nvWrite: CommandDef = {
  code: TPM_CC.NV_Write,
  name: 'TPM2_NV_Write',
  handles: [NV_AUTH, NV],
  auth: ['user'],
  responseHandles: 0,
  decrypt: true,
  encrypt: false,
  run(tpm, input) {
    const p = new ParamReader(input.params, 'TPM2_NV_Write');
    const data = p.next((r) => r.tpm2b('data', MAX_NV_BUFFER));
    const offset = p.next((r) => r.u16('offset'));
    p.end();
    const nv = tpm.persistent.nv.get(input.handles[1]!)!;
    access(tpm, input, nv, { pp: TPMA_NV.PPWRITE, owner: TPMA_NV.OWNERWRITE, auth: TPMA_NV.AUTHWRITE, policy: TPMA_NV.POLICYWRITE });
    if (nv.attributes & TPMA_NV.WRITELOCKED) throw new TpmRc(RC.NV_LOCKED, 'write locked');
    // Part 3 §31.7.3: an offset past the end is TPM_RC_VALUE on offset, data past it TPM_RC_NV_RANGE
    if (offset > nv.dataSize) throw badParam(RC.VALUE, 2, 'offset past the end of the index');
    if (offset + data.length > nv.dataSize) throw new TpmRc(RC.NV_RANGE, 'past the end of the index');
    if (nv.attributes & TPMA_NV.WRITEALL && (offset !== 0 || data.length !== nv.dataSize)) throw new TpmRc(RC.NV_RANGE, 'WRITEALL: the whole index at once');
    const next = nv.data.slice();
    next.set(data, offset);
    nv.data = next;
    nv.attributes = (nv.attributes | TPMA_NV.WRITTEN) >>> 0;
    tpm.commitNv();
    return {};
  },
};

export const nvRead: CommandDef = {
  code: TPM_CC.NV_Read,
  name: 'TPM2_NV_Read',
  handles: [NV_AUTH, NV],
  auth: ['user'],
  responseHandles: 0,
  decrypt: false,
  encrypt: true,
  run(tpm, input) {
    const p = new ParamReader(input.params, 'TPM2_NV_Read');
    const size = p.next((r) => r.u16('size'));
    const offset = p.next((r) => r.u16('offset'));
    p.end();
    const nv = tpm.persistent.nv.get(input.handles[1]!)!;
    access(tpm, input, nv, { pp: TPMA_NV.PPREAD, owner: TPMA_NV.OWNERREAD, auth: TPMA_NV.AUTHREAD, policy: TPMA_NV.POLICYREAD });
    if (nv.attributes & TPMA_NV.READLOCKED) throw new TpmRc(RC.NV_LOCKED, 'read locked');
    if (!(nv.attributes & TPMA_NV.WRITTEN)) throw new TpmRc(RC.NV_UNINITIALIZED, 'never written');
    if (size > MAX_NV_BUFFER) throw badParam(RC.VALUE, 1, 'more than MAX_NV_BUFFER_SIZE');
    if (offset + size > nv.dataSize) throw new TpmRc(RC.NV_RANGE, 'past the end of the index');
    return { params: marshal((w) => w.tpm2b(nv.data.subarray(offset, offset + size))) };
  },
};

export const nvReadPublic: CommandDef = {
  code: TPM_CC.NV_ReadPublic,
  name: 'TPM2_NV_ReadPublic',
  handles: [NV],
  auth: [],
  responseHandles: 0,
  decrypt: false,
  encrypt: true,
  run(tpm, { handles, params }) {
    new ParamReader(params, 'TPM2_NV_ReadPublic').end();
    const nv = tpm.persistent.nv.get(handles[0]!)!;
    return { params: marshal((w) => w.sized((x) => writeNvPublic(x, nv)).tpm2b(nvName(nv))) };
  },
};

