/**
 * PCR commands (TPM 2.0 Part 3 §22): TPM2_PCR_Read (§22.4: at most 8 digests per answer,
 * pcrSelectionOut names exactly the values returned), TPM2_PCR_Extend (§22.2: each TPMT_HA of
 * an allocated bank extends it, PCR[i] = H(PCR[i] || digest); TPM_RH_NULL extends nothing) and
 * TPM2_PCR_Reset (§22.8). At locality 0 — the only locality the TZTCM's TDDL has — PCRs 17–22
 * can be neither extended nor reset and only 16 and 23 are resettable (PC Client PTP §4.6
 * Table 4): anything else is TPM_RC_LOCALITY.
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { readDigestValues, writePcrSelection } from '../../tpm2/pcr-selection.ts';
import { TPM_CC, TPM_RH } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import { modeDigestSize } from './algorithms.ts';
import { ParamReader } from './param-reader.ts';
import { bankOf, hashOf, selectionReader } from './pcr-banks.ts';
import { RC, TpmRc } from './rc.ts';
import { NO_INCREMENT_PCRS, RESETTABLE_PCRS } from './state.ts';

const MAX_DIGESTS = 8;
const LOCALITY = 0x907;
const notAtLocality0 = (pcr: number) => pcr >= 17 && pcr <= 22;

export const pcrRead: CommandDef = {
  code: TPM_CC.PCR_Read,
  name: 'TPM2_PCR_Read',
  handles: [],
  auth: [],
  responseHandles: 0,
  decrypt: false,
  encrypt: false,
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_PCR_Read');
    const sel = p.next(selectionReader(tpm));
    p.end();
    const values: Uint8Array[] = [];
    const outSel = sel.map((b) => {
      const bank = bankOf(tpm, b.hashAlg);
      const pcrs: number[] = [];
      if (bank)
        for (const n of [...b.pcrs].sort((x, y) => x - y)) {
          if (values.length >= MAX_DIGESTS || n >= bank.length) continue;
          pcrs.push(n);
          values.push(bank[n]!);
        }
      return { hashAlg: b.hashAlg, pcrs };
    });
    return {
      params: marshal((w) => {
        w.u32(tpm.volatile.pcrUpdateCounter);
        writePcrSelection(w, outSel);
        w.u32(values.length);
        for (const v of values) w.tpm2b(v);
      }),
    };
  },
};

export const pcrExtend: CommandDef = {
  code: TPM_CC.PCR_Extend,
  name: 'TPM2_PCR_Extend',
  handles: [{ kind: 'pcr', allowed: [TPM_RH.NULL] }],
  auth: ['user'],
  responseHandles: 0,
  decrypt: false,
  encrypt: false,
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_PCR_Extend');
    // TPMI_ALG_HASH: a hash of another mode (SM3 in TPM mode, SHA-* in TCM mode) is TPM_RC_HASH
    const digests = p.next((r) => readDigestValues(r, modeDigestSize(tpm.algs)));
    p.end();
    const pcr = handles[0]!;
    if (pcr === TPM_RH.NULL) return {};
    if (notAtLocality0(pcr)) throw new TpmRc(LOCALITY, `PCR ${pcr} is not extendable at locality 0`);
    let changed = false;
    for (const d of digests) {
      const bank = bankOf(tpm, d.hashAlg);
      const h = hashOf(d.hashAlg);
      if (!bank || !h) continue;
      bank[pcr] = h(new Uint8Array([...bank[pcr]!, ...d.digest]));
      changed = true;
    }
    if (changed && !NO_INCREMENT_PCRS.has(pcr)) tpm.pcrChanged();
    return {};
  },
};

export const pcrReset: CommandDef = {
  code: TPM_CC.PCR_Reset,
  name: 'TPM2_PCR_Reset',
  handles: [{ kind: 'pcr' }],
  auth: ['user'],
  responseHandles: 0,
  decrypt: false,
  encrypt: false,
  run(tpm, { handles, params }) {
    new ParamReader(params, 'TPM2_PCR_Reset').end();
    const pcr = handles[0]!;
    if (!RESETTABLE_PCRS.has(pcr)) throw new TpmRc(LOCALITY, `PCR ${pcr} is not resettable at locality 0`);
    for (const bank of tpm.volatile.pcrs.values()) bank[pcr] = new Uint8Array(bank[pcr]!.length);
    if (!NO_INCREMENT_PCRS.has(pcr)) tpm.pcrChanged();
    return {};
  },
};
