/**
 * The cryptography of TPM 2.0 authorization sessions, as pure functions over a crypto suite:
 * the tpm2 suite by default (SHA-256 sessions, P-256 salts, AES-128-CFB parameter encryption, as
 * the swtpm client uses them), or the tcm suite passed as the last argument (SM3 sessions, SM2
 * salts, SM4-CFB: a TCM 2.0's sessions, for a TPM engine in TCM mode):
 * - ECC salt (TPM 2.0 Part 1 §24.6.2 / Annex C.6.1 "ECDH" secret sharing): ephemeral point
 *   as encryptedSalt, salt = KDFe(Z.x, "SECRET", ephemeral.x, tpmKey.x, 256);
 * - sessionKey = KDFa(bind.authValue || salt, "ATH", nonceTPM, nonceCaller, 256) (Part 1 §19.6.8);
 * - cpHash / rpHash (Part 1 §18.7 / §18.8) and the command / response HMACs (Part 1 §19.6.5,
 *   §19.6.6): HMAC(sessionKey || authValue, pHash || nonceNewer || nonceOlder || sessionAttributes);
 * - CFB parameter encryption (Part 1 §21.3): KDFa(sessionKey || authValue, "CFB", nonceNewer,
 *   nonceOlder, 128 + 128) gives the block cipher's key then the IV.
 * @module
 */
import { tpm2P256, type CryptoSuite, type RandomSource } from '../crypto/index.ts';
import { concatBytes } from '../crypto/assert.ts';
import { marshal } from './marshal-writer.ts';

const DIGEST_BITS = 256;

export interface EccSalt {
  /** The salt both sides derive (never sent). */
  readonly salt: Uint8Array;
  /** TPMS_ECC_POINT of the ephemeral public key: the body of TPM2B_ENCRYPTED_SECRET. */
  readonly encryptedSalt: Uint8Array;
  /** The ephemeral public key, uncompressed. */
  readonly ephemeral: Uint8Array;
}

/**
 * One-pass ECDH against the TPM's decrypt key (Part 1 Annex C.6.1; SP 800-56A C(1e,1s)):
 * e random, Qe = e·G, Z = e·Q, salt = KDFe(Z.x, "SECRET", Qe.x, Q.x, 256).
 */
export function makeEccSalt(tpmKeyPoint: Uint8Array, random: RandomSource, suite: CryptoSuite = tpm2P256): EccSalt {
  const e = suite.scalarFromSeed(random.bytes(48));
  const ephemeral = suite.basePointMul(e);
  const z = suite.pointX(suite.pointMul(tpmKeyPoint, e));
  const salt = suite.kdfe(z, 'SECRET', suite.pointX(ephemeral), suite.pointX(tpmKeyPoint), DIGEST_BITS);
  const c = suite.scalarLen;
  const encryptedSalt = marshal((w) => w.tpm2b(ephemeral.subarray(1, 1 + c)).tpm2b(ephemeral.subarray(1 + c, 1 + 2 * c)));
  return { salt, encryptedSalt, ephemeral };
}

/**
 * Part 1 §19.6.8: sessionKey = KDFa(authHash, bind.authValue || salt, "ATH", nonceTPM,
 * nonceCaller, digestBits); empty when both are empty (an unbound, unsalted session).
 */
export function deriveSessionKey(bindAuth: Uint8Array, salt: Uint8Array, nonceTPM: Uint8Array, nonceCaller: Uint8Array, suite: CryptoSuite = tpm2P256): Uint8Array {
  const key = concat(bindAuth, salt);
  if (key.length === 0) return new Uint8Array(0);
  return suite.kdfa(key, 'ATH', nonceTPM, nonceCaller, DIGEST_BITS);
}

/** Part 1 §18.7: cpHash = H(commandCode || Name(handle1) || … || parameters). */
export function cpHash(commandCode: number, names: readonly Uint8Array[], params: Uint8Array, suite: CryptoSuite = tpm2P256): Uint8Array {
  return suite.hash(marshal((w) => {
    w.u32(commandCode);
    for (const n of names) w.bytes(n);
    w.bytes(params);
  }));
}

/** Part 1 §18.8: rpHash = H(responseCode (= 0) || commandCode || parameters). */
export function rpHash(commandCode: number, params: Uint8Array, suite: CryptoSuite = tpm2P256): Uint8Array {
  return suite.hash(marshal((w) => w.u32(0).u32(commandCode).bytes(params)));
}

/**
 * Part 1 §19.6.5 (command) and §19.6.6 (response):
 *   HMAC(sessionKey || authValue, pHash || nonceNewer || nonceOlder || sessionAttributes)
 * with nonceNewer = nonceCaller, nonceOlder = nonceTPM for a command and the reverse for a
 * response. An empty key gives an empty HMAC (the TPM then expects and returns none).
 */
export function sessionHmac(key: Uint8Array, pHash: Uint8Array, nonceNewer: Uint8Array, nonceOlder: Uint8Array, attributes: number, suite: CryptoSuite = tpm2P256): Uint8Array {
  if (key.length === 0) return new Uint8Array(0);
  return suite.hmac(key, concat(pHash, nonceNewer, nonceOlder, Uint8Array.of(attributes)));
}

/**
 * Part 1 §21.3 CFB-mode parameter encryption of the first parameter's data octets: key and IV
 * are KDFa(sessionKey || authValue, "CFB", nonceNewer, nonceOlder, 256) split 16 | 16 (AES-128
 * and SM4 alike). For a
 * command nonceNewer = nonceCaller; for a response nonceNewer = the new nonceTPM.
 */
export function cfbParameterCrypt(
  hmacKeyMaterial: Uint8Array,
  nonceNewer: Uint8Array,
  nonceOlder: Uint8Array,
  data: Uint8Array,
  direction: 'encrypt' | 'decrypt',
  suite: CryptoSuite = tpm2P256,
): Uint8Array {
  if (data.length === 0) return data;
  const [k, b] = [suite.cfbKeyLen, suite.blockLen];
  const kiv = suite.kdfa(hmacKeyMaterial, 'CFB', nonceNewer, nonceOlder, (k + b) * 8);
  const key = kiv.subarray(0, k);
  const iv = kiv.subarray(k, k + b);
  return direction === 'encrypt' ? suite.cfbEncrypt(key, iv, data) : suite.cfbDecrypt(key, iv, data);
}

/** Part 1 §19.6.4: the TPM removes trailing zero octets from an authValue before using it. */
export function stripTrailingZeros(auth: Uint8Array): Uint8Array {
  let n = auth.length;
  while (n > 0 && auth[n - 1] === 0) n--;
  return auth.subarray(0, n);
}

/** Concatenate byte arrays (one implementation for the project: impl/crypto/assert.ts). */
export const concat = concatBytes;
