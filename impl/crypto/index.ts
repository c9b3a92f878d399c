/**
 * Concrete cryptography for the runtime: the suite interface, the TPM 2.0 P-256 suite, the
 * generic TPM KDFs, and random sources.
 * @module
 */
export { CryptoError, type CryptoErrorCode, type CryptoSuite } from './suite.ts';
export { tpm2P256 } from './tpm2-p256.ts';
export { kdfa, kdfe, kdfHash, KDF_MAX_BITS, type KdfHash, type NobleHash } from './tpm-kdf.ts';
export { HmacDrbg } from './hmac-drbg.ts';
export { seededRandom, systemRandom, type RandomSource } from './random.ts';
