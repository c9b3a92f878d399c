/**
 * Hierarchy and dictionary-attack commands (TPM 2.0 Part 3 §24.8 TPM2_HierarchyChangeAuth,
 * §24.6 TPM2_Clear, §25.2 TPM2_DictionaryAttackLockReset, §25.3
 * TPM2_DictionaryAttackParameters). Clear gives the owner hierarchy a new primary seed (so its
 * primaries change), empties owner/endorsement/lockout authValues, removes the owner's NV indices
 * and persistent objects and flushes the transient objects of those hierarchies (Part 1 §24.5.3).
 * @module
 */
import { TPM_CC, TPM_RH } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import { TPMA_NV } from './nv-public.ts';
import { ParamReader, badParam } from './param-reader.ts';

const base = { auth: ['user'], responseHandles: 0, decrypt: false, encrypt: false } as const;

export const hierarchyChangeAuth: CommandDef = {
  ...base,
  decrypt: true,
  code: TPM_CC.HierarchyChangeAuth,
  name: 'TPM2_HierarchyChangeAuth',
  handles: [{ kind: 'hierarchy', allowed: [0x4000000a, TPM_RH.ENDORSEMENT, TPM_RH.OWNER, TPM_RH.PLATFORM] }],
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_HierarchyChangeAuth');
    const newAuth = p.next((r) => r.tpm2b('newAuth', 64));
    p.end();
    // Part 3 §24.8.3: no longer than the digest of the context hash (SHA-256)
    if (newAuth.length > 32) throw badParam(0x095, 1, 'newAuth longer than a SHA-256 digest');
    const h = handles[0]!;
    const key = h === TPM_RH.OWNER ? 'owner' : h === TPM_RH.ENDORSEMENT ? 'endorsement' : h === TPM_RH.PLATFORM ? 'platform' : 'lockout';
    tpm.persistent.auth[key] = newAuth;
    tpm.commitNv();
    return {};
  },
};

export const clear: CommandDef = {
  ...base,
  code: TPM_CC.Clear,
  name: 'TPM2_Clear',
  handles: [{ kind: 'hierarchy', allowed: [0x4000000a, TPM_RH.PLATFORM] }],
  run(tpm, { params }) {
    new ParamReader(params, 'TPM2_Clear').end();
    const ps = tpm.persistent;
    ps.seeds.owner = tpm.random.bytes(64);
    ps.auth.owner = new Uint8Array(0);
    ps.auth.endorsement = new Uint8Array(0);
    ps.auth.lockout = new Uint8Array(0);
    for (const [h, nv] of ps.nv) if (!(nv.attributes & TPMA_NV.PLATFORMCREATE)) ps.nv.delete(h);
    for (const [h, o] of ps.persistent) if (o.hierarchy === 'owner' || o.hierarchy === 'endorsement') ps.persistent.delete(h);
    for (const [h, o] of tpm.volatile.objects) if (o.hierarchy === 'owner' || o.hierarchy === 'endorsement') tpm.volatile.objects.delete(h);
    ps.da.failedTries = 0;
    tpm.commitNv();
    return {};
  },
};

export const dictionaryAttackLockReset: CommandDef = {
  ...base,
  code: TPM_CC.DictionaryAttackLockReset,
  name: 'TPM2_DictionaryAttackLockReset',
  handles: [{ kind: 'hierarchy', allowed: [0x4000000a] }],
  run(tpm, { params }) {
    new ParamReader(params, 'TPM2_DictionaryAttackLockReset').end();
    tpm.persistent.da.failedTries = 0;
    tpm.commitNv();
    return {};
  },
};

export const dictionaryAttackParameters: CommandDef = {
  ...base,
  code: TPM_CC.DictionaryAttackParameters,
  name: 'TPM2_DictionaryAttackParameters',
  handles: [{ kind: 'hierarchy', allowed: [0x4000000a] }],
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_DictionaryAttackParameters');
    const maxTries = p.next((r) => r.u32('newMaxTries'));
    const recoveryTime = p.next((r) => r.u32('newRecoveryTime'));
    const lockoutRecovery = p.next((r) => r.u32('lockoutRecovery'));
    p.end();
    const da = tpm.persistent.da;
    Object.assign(da, { maxTries, recoveryTime, lockoutRecovery, failedTries: Math.min(da.failedTries, maxTries) });
    tpm.commitNv();
    return {};
  },
};
