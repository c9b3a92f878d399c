/**
 * The TCM suite: the algorithms of a TCM 2.0 — a TPM 2.0 with TPM_ALG_SM2, TPM_ALG_SM3_256 and
 * TPM_ALG_SM4 (TPM 2.0 Part 2 §6.3; curve TPM_ECC_SM2_P256, §6.4):
 *
 *   hash        SM3 (GB/T 32905-2016)                                    sm3.ts
 *   hmac        HMAC-SM3 (RFC 2104 over SM3; GB/T 15852.2)               noble hmac
 *   kdfa/kdfe   TPM 2.0 Part 1 §11.4.10.2/3 with SM3 as the hash          tpm-kdf.ts
 *   ECDH        the SM2 recommended curve (GB/T 32918.5-2017), one-pass C(1e, 1s) as TPM 2.0
 *               salted sessions use it (Part 1 §C.6.1): Z = x([d]Q), then KDFe over SM3
 *   sign        SM2 (GB/T 32918.2-2016) over SM3(Z_A ‖ M), user id 1234567812345678 (GM/T 0009)
 *   cfb…        SM4-CFB128 (GB/T 32907-2016; TPM 2.0 parameter encryption with TPM_ALG_SM4)
 *   aead…       SM4-GCM (RFC 8998 §3.1 AEAD_SM4_GCM), 128-bit key, 12-byte nonce, 16-byte tag
 *
 * Same interface and the same boundary checks as the P-256 suite. Differences a caller sees:
 * private scalars lie in [1, n−2] (GB/T 32918.1 §6.1), and the AEAD key is 16 bytes.
 * SM3 and SM4 are written to their standards here (noble has neither); the curve is a noble
 * instance (sm2-curve.ts). Every function is pure over bytes, for the runtime and a TPM engine.
 * @module
 */
import { abytes } from './assert.ts';
import { ecGroup } from './ec-group.ts';
import { sm2Point } from './sm2-curve.ts';
import { sm2Signer } from './sm2-sign.ts';
import { sm3 } from './sm3.ts';
import {
  SM4_BLOCK_LEN,
  SM4_GCM_NONCE_LEN,
  SM4_GCM_TAG_LEN,
  SM4_KEY_LEN,
  sm4CfbDecrypt,
  sm4CfbEncrypt,
  sm4GcmOpen,
  sm4GcmSeal,
} from './sm4-modes.ts';
import type { CryptoSuite } from './suite.ts';
import { hashMethods } from './hash-methods.ts';
import { kdfHash } from './tpm-kdf.ts';

const N = sm2Point.Fn.ORDER;
/** The SM2 signer on the recommended curve with SM3 (exported for a TCM engine: Z_A, digests). */
export const sm2 = sm2Signer(sm2Point, sm3);

const group = ecGroup({
  curve: 'SM2',
  Point: sm2Point,
  scalarMax: N - 2n,
  seedHash: sm3,
  // RFC 9380 §3.1 domain-separation tag
  seedDst: 'TEE-TPM-CHANNEL-V1-SM2-SCALAR-FROM-SEED',
});

export const tcmSm2: CryptoSuite = Object.freeze({
  name: 'tcm-sm2',
  algorithms: Object.freeze({
    curve: 'SM2 P-256 (sm2p256v1)',
    hash: 'SM3',
    signature: 'SM2 (Z_A, id 1234567812345678)',
    cfb: 'SM4-CFB',
    aead: 'SM4-GCM',
    // TPM 2.0 Part 2 §6.3/§6.4: TPM_ALG_SM3_256, TPM_ECC_SM2_P256, TPM_ALG_SM2, TPM_ALG_SM4
    tpm: Object.freeze({ hashAlg: 0x0012, curveId: 0x0020, signScheme: 0x001b, symAlg: 0x0013 }),
  }),
  hashLen: 32,
  pointLen: group.pointLen,
  scalarLen: group.scalarLen,
  sigLen: 2 * group.scalarLen,
  blockLen: SM4_BLOCK_LEN,
  cfbKeyLen: SM4_KEY_LEN,
  aeadKeyLen: SM4_KEY_LEN,
  aeadNonceLen: SM4_GCM_NONCE_LEN,
  aeadTagLen: SM4_GCM_TAG_LEN,

  ...hashMethods(kdfHash(sm3)),

  /** RFC 9380 expand_message_xmd with SM3, reduced into [1, n-2] (FIPS 186-4 §B.4.1); see ec-group.ts. */
  scalarFromSeed: group.scalarFromSeed,
  isValidScalar: group.isValidScalar,
  basePointMul: group.basePointMul,
  pointMul: group.pointMul,
  isValidPoint: group.isValidPoint,
  pointX: group.pointX,
  publicKey: group.publicKey,

  /** GB/T 32918.2 §6.1 over e = SM3(Z_A ‖ msg), Z_A of the signer's own public key. */
  sign(sk: Uint8Array, msg: Uint8Array): Uint8Array {
    const d = group.toScalar(sk, 'sign key', 'bad-key');
    abytes(msg, 'sign msg');
    const pub = sm2Point.BASE.multiply(d).toBytes(false);
    return sm2.encode(sm2.signDigest(d, sm2.digest(msg, pub)));
  },

  /** GB/T 32918.2 §7.1; false (never throws) on a malformed signature, message or key. */
  verify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
    try {
      if (!(msg instanceof Uint8Array)) return false;
      const rs = sm2.decode(sig);
      if (!rs || !group.isValidPoint(pub)) return false;
      return sm2.verifyDigest(rs, sm2.digest(msg, pub), pub);
    } catch {
      return false;
    }
  },

  cfbEncrypt: sm4CfbEncrypt,
  cfbDecrypt: sm4CfbDecrypt,

  aeadEncrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array {
    return sm4GcmSeal(key, nonce, data, aad);
  },

  aeadDecrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array | null {
    return sm4GcmOpen(key, nonce, data, aad);
  },
});
