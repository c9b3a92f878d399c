/**
 * Attestation (TPM 2.0 Part 3 §18): TPM2_Certify (§18.2: the signing key attests that an object
 * is loaded here, by its Name and qualified Name) and TPM2_Quote (§18.4: a digest of the
 * selected PCRs). Both sign H(TPMS_ATTEST) (Part 2 §10.12.12: magic TPM_GENERATED_VALUE, type,
 * qualifiedSigner, extraData = qualifyingData, clockInfo, firmwareVersion, the attested part)
 * with the key's scheme; a restricted key signs only such TPM-made structures.
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { pcrCompositeDigest } from '../../tpm2/policy-digest.ts';
import { writePcrSelection } from '../../tpm2/pcr-selection.ts';
import { writeAnySignature } from '../../tpm2/signature.ts';
import { TPM_CC, TPM_GENERATED_VALUE, TPM_ST } from '../../tpm2/spec-constants.ts';
import { OBJECT, type CommandDef } from './command-def.ts';
import type { EngineContext } from './engine-context.ts';
import type { EngineObject } from './object.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { allocatedSelection, selectionReader, selectedValues } from './pcr-banks.ts';
import { RC } from './rc.ts';
import { suiteOfHash } from '../../tpm2/hash-algorithms.ts';
import { assertSigningKey, messageDigest, readSigScheme, signDigest, signScheme } from './signing.ts';

/** The engine's firmware version (TPM_PT_FIRMWARE_VERSION_1/2): 0.1 of the TZTCM. */
export const FIRMWARE_VERSION = 0x00000001_00000000n;

function attest(tpm: EngineContext, signer: EngineObject, type: number, extraData: Uint8Array, body: Uint8Array): Uint8Array {
  return marshal((w) => {
    w.u32(TPM_GENERATED_VALUE).u16(type).tpm2b(signer.qualifiedName).tpm2b(extraData);
    // TPMS_CLOCK_INFO (Part 2 §10.11.1); safe = YES: the clock never goes back within a run
    const clock = tpm.clock();
    w.u32(Number(clock >> 32n)).u32(Number(clock & 0xffffffffn)).u32(tpm.persistent.resetCount).u32(tpm.persistent.restartCount).u8(1);
    w.u32(Number(FIRMWARE_VERSION >> 32n)).u32(Number(FIRMWARE_VERSION & 0xffffffffn));
    w.bytes(body);
  });
}

function signed(tpm: EngineContext, key: EngineObject, inScheme: ReturnType<typeof readSigScheme>, schemeParam: number, info: Uint8Array): Uint8Array {
  const s = signScheme(key, inScheme, schemeParam, tpm.algs);
  const sig = signDigest(tpm, key, s, messageDigest(key, s, info));
  return marshal((w) => {
    w.tpm2b(info);
    writeAnySignature(w, sig);
  });
}

export const certify: CommandDef = {
  code: TPM_CC.Certify,
  name: 'TPM2_Certify',
  handles: [OBJECT, OBJECT],
  auth: ['admin', 'user'],
  responseHandles: 0,
  decrypt: true,
  encrypt: true,
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_Certify');
    const qualifyingData = p.next((r) => r.tpm2b('qualifyingData', 64));
    const inScheme = p.next(readSigScheme);
    p.end();
    const object = tpm.objectAt(handles[0]!)!;
    const key = tpm.objectAt(handles[1]!)!;
    assertSigningKey(key, 2);
    const info = attest(tpm, key, TPM_ST.ATTEST_CERTIFY, qualifyingData, marshal((w) => w.tpm2b(object.name).tpm2b(object.qualifiedName)));
    return { params: signed(tpm, key, inScheme, 2, info) };
  },
};

export const quote: CommandDef = {
  code: TPM_CC.Quote,
  name: 'TPM2_Quote',
  handles: [OBJECT],
  auth: ['user'],
  responseHandles: 0,
  decrypt: true,
  encrypt: true,
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_Quote');
    const qualifyingData = p.next((r) => r.tpm2b('qualifyingData', 64));
    const inScheme = p.next(readSigScheme);
    const sel = p.next(selectionReader(tpm));
    p.end();
    const key = tpm.objectAt(handles[0]!)!;
    assertSigningKey(key, 1);
    if (sel.length === 0) throw badParam(RC.SIZE, 3, 'no PCRs selected');
    const shown = allocatedSelection(tpm, sel);
    // Part 3 §18.4: pcrDigest is computed with the signing scheme's hash (SHA-256 / SM3)
    const schemeHash = signScheme(key, inScheme, 2, tpm.algs).hashAlg;
    const body = marshal((w) => {
      writePcrSelection(w, shown);
      w.tpm2b(pcrCompositeDigest(selectedValues(tpm, shown), suiteOfHash(schemeHash) ?? tpm.algs.suite));
    });
    return { params: signed(tpm, key, inScheme, 2, attest(tpm, key, TPM_ST.ATTEST_QUOTE, qualifyingData, body)) };
  },
};
