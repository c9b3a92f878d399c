/**
 * The engine's two algorithm sets, chosen at start-up: **TPM mode** (the tpm2 suite: NIST P-256,
 * SHA-1/256/384/512, AES-128/256, ECDSA, RSA-2048) and **TCM mode** (the tcm suite: a TCM 2.0 is
 * a TPM 2.0 whose algorithms are TPM_ALG_SM2 0x001B, TPM_ALG_SM3_256 0x0012, TPM_ALG_SM4 0x0013
 * on TPM_ECC_SM2_P256 0x0020, Part 2 §6.3/§6.4). Every check that names an algorithm (templates,
 * sessions, PCR selections, signature schemes, TPM2_Hash) asks this table, and GetCapability
 * reports exactly it, so a request for an algorithm of the other mode is refused the way a TPM
 * refuses an algorithm it does not implement (TPM_RC_HASH, _CURVE, _SYMMETRIC, _SCHEME, _TYPE).
 * The cryptography is the suite's (impl/crypto): nothing here computes.
 * @module
 */
import { tcmSm2, tpm2P256, type CryptoSuite } from '../../crypto/index.ts';
import { digestSizeOf, hashById } from '../../tpm2/hash-algorithms.ts';
import { TPM_ALG } from '../../tpm2/spec-constants.ts';

export type EngineMode = 'tpm' | 'tcm';

export interface EngineAlgorithms {
  readonly mode: EngineMode;
  /** the suite whose curve, hash and cipher the mode's asymmetric, hash and symmetric algorithms are */
  readonly suite: CryptoSuite;
  /** the one nameAlg, session authHash and policy hash (SHA-256 / SM3_256) */
  readonly nameAlg: number;
  /** the implemented hashes (TPMI_ALG_HASH): PCR banks, TPM2_Hash, PCR selections */
  readonly hashes: readonly number[];
  /** the hashes a signature or HMAC scheme may name */
  readonly schemeHashes: readonly number[];
  readonly curveId: number;
  /** the ECC signature scheme (TPM_ALG_ECDSA / TPM_ALG_SM2) */
  readonly eccSignScheme: number;
  /** the block cipher of sessions and symmetric objects (TPM_ALG_AES / TPM_ALG_SM4) and its key sizes */
  readonly symAlg: number;
  readonly symKeyBits: readonly number[];
  /** RSA keys (a TCM has none) */
  readonly rsa: boolean;
  /** TPM_CAP_ALGS: TPM_ALG_ID → TPMA_ALGORITHM (Part 2 §8.2: asymmetric 0x1, symmetric 0x2,
   * hash 0x4, object 0x8, signing 0x100, encrypting 0x200, method 0x400) */
  readonly capabilityAlgs: ReadonlyMap<number, number>;
}

const COMMON: [number, number][] = [
  [TPM_ALG.HMAC, 0x104],
  [TPM_ALG.KEYEDHASH, 0x10c],
  [TPM_ALG.NULL, 0x000],
  [TPM_ALG.ECDH, 0x401],
  [TPM_ALG.ECC, 0x009],
  [TPM_ALG.SYMCIPHER, 0x008],
  [TPM_ALG.CFB, 0x202],
];
const byId = (list: [number, number][]) => new Map([...list].sort((a, b) => a[0] - b[0]));

export const TPM_MODE: EngineAlgorithms = Object.freeze({
  mode: 'tpm',
  suite: tpm2P256,
  nameAlg: tpm2P256.algorithms.tpm.hashAlg,
  hashes: [TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384, TPM_ALG.SHA512],
  schemeHashes: [TPM_ALG.SHA1, TPM_ALG.SHA256],
  curveId: tpm2P256.algorithms.tpm.curveId,
  eccSignScheme: tpm2P256.algorithms.tpm.signScheme,
  symAlg: tpm2P256.algorithms.tpm.symAlg,
  symKeyBits: [128, 256],
  rsa: true,
  capabilityAlgs: byId([
    ...COMMON,
    [TPM_ALG.RSA, 0x009],
    [TPM_ALG.SHA1, 0x004],
    [TPM_ALG.AES, 0x002],
    [TPM_ALG.SHA256, 0x004],
    [TPM_ALG.SHA384, 0x004],
    [TPM_ALG.SHA512, 0x004],
    [TPM_ALG.RSASSA, 0x101],
    [TPM_ALG.RSAPSS, 0x101],
    [TPM_ALG.OAEP, 0x201],
    [TPM_ALG.ECDSA, 0x101],
  ]),
});

export const TCM_MODE: EngineAlgorithms = Object.freeze({
  mode: 'tcm',
  suite: tcmSm2,
  nameAlg: tcmSm2.algorithms.tpm.hashAlg,
  hashes: [TPM_ALG.SM3_256],
  schemeHashes: [TPM_ALG.SM3_256],
  curveId: tcmSm2.algorithms.tpm.curveId,
  eccSignScheme: tcmSm2.algorithms.tpm.signScheme,
  symAlg: tcmSm2.algorithms.tpm.symAlg,
  // GB/T 32907: SM4 has one key size
  symKeyBits: [128],
  rsa: false,
  capabilityAlgs: byId([
    ...COMMON,
    [TPM_ALG.SM3_256, 0x004],
    [TPM_ALG.SM4, 0x002],
    // SM2: an asymmetric signing scheme and a key-exchange method (GB/T 32918.2/.3)
    [TPM_ALG.SM2, 0x501],
  ]),
});

/** The mode whose algorithms are `suite`'s (the tpm2 suite: TPM mode; the tcm suite: TCM mode). */
export function algorithmsFor(suite: CryptoSuite): EngineAlgorithms {
  // by the TPM algorithm ids, so another implementation of a suite's algorithms (native-p256) picks its mode
  const ids = (s: CryptoSuite) => JSON.stringify(s.algorithms.tpm);
  const m = [TPM_MODE, TCM_MODE].find((a) => ids(a.suite) === ids(suite));
  if (!m) throw new RangeError(`the TZTCM engine has no mode for the suite '${suite.name}'`);
  return m;
}

/** Is `alg` a hash this mode implements (TPMI_ALG_HASH unmarshalling succeeds)? */
export const implementsHash = (a: EngineAlgorithms, alg: number): boolean => a.hashes.includes(alg);

/** The digest size of an implemented hash, else undefined (what readers take as "unknown hash"). */
export const modeDigestSize = (a: EngineAlgorithms) => (alg: number): number | undefined => (implementsHash(a, alg) ? digestSizeOf(alg) : undefined);

/** H_alg of an implemented hash, else undefined. */
export function modeHash(a: EngineAlgorithms, alg: number): ((d: Uint8Array) => Uint8Array) | undefined {
  return implementsHash(a, alg) ? hashById(alg) : undefined;
}
