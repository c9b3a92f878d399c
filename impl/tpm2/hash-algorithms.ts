/**
 * The TPM 2.0 hash algorithms by TPM_ALG_ID (Part 2 §6.3): SHA-1, SHA-256, SHA-384, SHA-512
 * and SM3_256 (GB/T 32905-2016, the TCM's hash), and the crypto suite whose hash an algorithm id
 * names (SHA-256 → the tpm2 suite, SM3_256 → the tcm suite), read from each suite's own
 * `algorithms.tpm` so that no id is restated. A TSS and a TPM engine compute Names, cpHash,
 * session HMACs and policy digests with the suite of the nameAlg / authHash they are given.
 * @module
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha384, sha512 } from '@noble/hashes/sha2.js';
import { SUITES, type CryptoSuite } from '../crypto/index.ts';
import { TPM_ALG } from './spec-constants.ts';

const suiteList: readonly CryptoSuite[] = Object.values(SUITES);

/** The suite whose hash the TPM_ALG_ID `alg` is (SHA-256 or SM3_256), else undefined. */
export function suiteOfHash(alg: number): CryptoSuite | undefined {
  return suiteList.find((s) => s.algorithms.tpm.hashAlg === alg);
}

/** The suite whose curve the TPM_ECC_CURVE `curveId` is (NIST P-256 or SM2 P-256), else undefined. */
export function suiteOfCurve(curveId: number): CryptoSuite | undefined {
  return suiteList.find((s) => s.algorithms.tpm.curveId === curveId);
}

const OTHER: ReadonlyMap<number, (d: Uint8Array) => Uint8Array> = new Map([
  [TPM_ALG.SHA1, (d: Uint8Array) => sha1(d)],
  [TPM_ALG.SHA384, (d: Uint8Array) => sha384(d)],
  [TPM_ALG.SHA512, (d: Uint8Array) => sha512(d)],
]);

/** H_alg for a hash TPM_ALG_ID this project knows, else undefined. */
export function hashById(alg: number): ((d: Uint8Array) => Uint8Array) | undefined {
  const s = suiteOfHash(alg);
  if (s) return (d) => s.hash(d);
  return OTHER.get(alg);
}

const SIZES: ReadonlyMap<number, number> = new Map([
  [TPM_ALG.SHA1, 20],
  [TPM_ALG.SHA256, 32],
  [TPM_ALG.SHA384, 48],
  [TPM_ALG.SHA512, 64],
  [TPM_ALG.SM3_256, 32],
]);

/** The digest size of a hash TPM_ALG_ID (Part 2 §6.3), else undefined. */
export function digestSizeOf(alg: number): number | undefined {
  return SIZES.get(alg);
}
