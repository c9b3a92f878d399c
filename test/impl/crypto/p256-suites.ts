/**
 * The suites of the P-256 / SHA-256 / AES algorithms — noble's (tpm2-p256) and OpenSSL's
 * (native-p256): the known-answer files aes, ecc, hash-hmac and tpm-kdf run once per entry.
 * @module
 */
import { nativeP256, tpm2P256 } from '../../../impl/crypto/index.ts';

export const P256_SUITES = [tpm2P256, nativeP256] as const;
