/**
 * Random numbers (TPM 2.0 Part 3 §16): TPM2_GetRandom returns at most one digest's worth of
 * octets (Part 3 §16.1.1: the TPM may return fewer than asked, no more than the largest digest
 * it supports — 32 for SHA-256 here, as swtpm with SHA-256 as its largest bank... see
 * docs/tztcm-engine.md), TPM2_StirRandom mixes caller input into the engine's generator.
 * @module
 */
import { tpm2P256 } from '../../crypto/index.ts';
import { marshal } from '../../tpm2/marshal-writer.ts';
import { TPM_CC } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import { ParamReader } from './param-reader.ts';

/** sizeof(TPMU_HA) of the engine's largest digest (SHA-512 in TPMU_HA: swtpm answers up to 64). */
const MAX_RANDOM = 64;

export const getRandom: CommandDef = {
  code: TPM_CC.GetRandom,
  name: 'TPM2_GetRandom',
  handles: [],
  auth: [],
  responseHandles: 0,
  decrypt: false,
  encrypt: true,
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_GetRandom');
    const n = p.next((r) => r.u16('bytesRequested'));
    p.end();
    return { params: marshal((w) => w.tpm2b(tpm.random.bytes(Math.min(n, MAX_RANDOM)))) };
  },
};

export const stirRandom: CommandDef = {
  code: TPM_CC.StirRandom,
  name: 'TPM2_StirRandom',
  handles: [],
  auth: [],
  responseHandles: 0,
  decrypt: true,
  encrypt: false,
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_StirRandom');
    const data = p.next((r) => r.tpm2b('inData', 128));
    p.end();
    tpm.stir(tpm2P256.hash(data));
    return {};
  },
};
