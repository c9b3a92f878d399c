/**
 * Concrete cryptography for the runtime: the suite interface, the TPM 2.0 P-256 suite, the
 * TCM (SM2/SM3/SM4) suite, the suites by name, the generic TPM KDFs, and random sources.
 * @module
 */
export { CryptoError, type CryptoErrorCode, type CryptoSuite, type SuiteAlgorithms } from './suite.ts';
export { tpm2P256 } from './tpm2-p256.ts';
export { tcmSm2, sm2 } from './tcm-sm2.ts';
export { nativeP256 } from './native-p256.ts';
export { ALGORITHM_SUITE_IDS, SUITE_IDS, SUITES, suiteByName, suiteId, type SuiteId } from './suites.ts';
export { sm3 } from './sm3.ts';
export { SM2_DEFAULT_ID, type Sm2Signature, type Sm2Signer } from './sm2-sign.ts';
export { kdfa, kdfe, kdfHash, KDF_MAX_BITS, type KdfHash, type NobleHash } from './tpm-kdf.ts';
export { HmacDrbg } from './hmac-drbg.ts';
export { seededRandom, systemRandom, type RandomSource } from './random.ts';
