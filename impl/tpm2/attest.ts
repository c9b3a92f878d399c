/**
 * TPMS_ATTEST (TPM 2.0 Part 2 §10.12.12) as produced by TPM2_Certify and TPM2_Quote, and the
 * check a verifier makes on it: the signature is ECDSA over SHA-256 of the exact TPMS_ATTEST
 * bytes (Part 3 §18.1: "signature … over the digest of the attestation structure"), magic is
 * TPM_GENERATED_VALUE, the type is the expected one and extraData is the verifier's nonce.
 * @module
 */
import { tpm2P256, type CryptoSuite } from '../crypto/index.ts';
import { TpmMarshalError, TpmReader } from './marshal-reader.ts';
import { readPcrSelection, type PcrSelection } from './pcr-selection.ts';
import type { EcdsaSignature } from './signature.ts';
import { TPM_ALG, TPM_GENERATED_VALUE, TPM_ST } from './spec-constants.ts';

/** TPMS_CLOCK_INFO (Part 2 §10.11.1). */
export interface ClockInfo {
  readonly clock: bigint;
  readonly resetCount: number;
  readonly restartCount: number;
  readonly safe: boolean;
}

interface AttestCommon {
  readonly magic: number;
  /** Qualified Name of the signing key. */
  readonly qualifiedSigner: Uint8Array;
  /** The caller's qualifyingData, echoed. */
  readonly extraData: Uint8Array;
  readonly clockInfo: ClockInfo;
  readonly firmwareVersion: bigint;
}

/** TPMS_CERTIFY_INFO (Part 2 §10.12.3). */
export interface CertifyAttest extends AttestCommon {
  readonly type: 'certify';
  readonly name: Uint8Array;
  readonly qualifiedName: Uint8Array;
}

/** TPMS_QUOTE_INFO (Part 2 §10.12.4). */
export interface QuoteAttest extends AttestCommon {
  readonly type: 'quote';
  readonly pcrSelect: PcrSelection;
  readonly pcrDigest: Uint8Array;
}

export type TpmAttest = CertifyAttest | QuoteAttest;

/** Parse the body of a TPM2B_ATTEST; other attestation types are refused. */
export function parseAttest(bytes: Uint8Array): TpmAttest {
  const r = new TpmReader(bytes, 'TPMS_ATTEST');
  const magic = r.u32('magic');
  const st = r.u16('type');
  const qualifiedSigner = r.tpm2b('qualifiedSigner', 68);
  const extraData = r.tpm2b('extraData', 64);
  const clockInfo = { clock: r.u64('clock'), resetCount: r.u32('resetCount'), restartCount: r.u32('restartCount'), safe: r.u8('safe') !== 0 };
  const firmwareVersion = r.u64('firmwareVersion');
  const common = { magic, qualifiedSigner, extraData, clockInfo, firmwareVersion };
  let out: TpmAttest;
  if (st === TPM_ST.ATTEST_CERTIFY) {
    out = { ...common, type: 'certify', name: r.tpm2b('name', 68), qualifiedName: r.tpm2b('qualifiedName', 68) };
  } else if (st === TPM_ST.ATTEST_QUOTE) {
    out = { ...common, type: 'quote', pcrSelect: readPcrSelection(r), pcrDigest: r.tpm2b('pcrDigest', 64) };
  } else {
    throw new TpmMarshalError(`TPMS_ATTEST: type 0x${st.toString(16)} is neither certify nor quote`);
  }
  r.end();
  return out;
}

export type AttestCheck =
  | { readonly ok: true; readonly attest: TpmAttest }
  | { readonly ok: false; readonly reason: string };

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Verify an attestation as a remote verifier would: the suite's signature under `signerPoint`
 * (uncompressed) over attestBytes — ECDSA-P256 over SHA-256, or SM2 over SM3(Z_A ‖ attestBytes)
 * for a TCM — magic, type and nonce. Never throws on bad input.
 */
export function verifyAttestation(
  attestBytes: Uint8Array,
  signature: EcdsaSignature,
  signerPoint: Uint8Array,
  expect: { type: TpmAttest['type']; nonce: Uint8Array },
  suite: CryptoSuite = tpm2P256,
): AttestCheck {
  if (signature.hashAlg !== suite.algorithms.tpm.hashAlg) return { ok: false, reason: `signature hash is not ${suite.algorithms.hash}` };
  if (!suite.verify(signature.rs, attestBytes, signerPoint)) return { ok: false, reason: `${suite.algorithms.signature} signature does not verify` };
  let attest: TpmAttest;
  try {
    attest = parseAttest(attestBytes);
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (attest.magic !== TPM_GENERATED_VALUE) return { ok: false, reason: 'magic is not TPM_GENERATED_VALUE' };
  if (attest.type !== expect.type) return { ok: false, reason: `attestation type ${attest.type}, expected ${expect.type}` };
  if (!equalBytes(attest.extraData, expect.nonce)) return { ok: false, reason: 'extraData is not the nonce' };
  return { ok: true, attest };
}
