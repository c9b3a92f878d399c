/**
 * The TPM 2.0-compatible suite: NIST P-256 (FIPS 186-5 / SEC 2) for ECDH and ECDSA, SHA-256
 * (FIPS 180-4), HMAC-SHA256 (RFC 2104), KDFa/KDFe (TPM 2.0 Part 1 §11.4.10), AES-128-CFB
 * (SP 800-38A §6.3; TPM 2.0 Part 1 "CFB Mode Parameter Encryption") and AES-256-GCM (SP 800-38D).
 * Everything is a thin layer over noble; this file only fixes parameters and checks inputs.
 * @module
 */
import { cfb, gcm } from '@noble/ciphers/aes.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes } from './assert.ts';
import { GCM_KEY_LEN, GCM_NONCE_LEN, GCM_TAG_LEN, aeadOpenable, checkAeadInputs } from './aes-gcm-shape.ts';
import { ecGroup } from './ec-group.ts';
import type { CryptoSuite } from './suite.ts';
import { hashMethods } from './hash-methods.ts';
import { kdfHash } from './tpm-kdf.ts';

const Point = p256.Point;
const SIG_LEN = 64;
const CFB_KEY_LEN = 16; // AES-128: the TPM's parameter-encryption key for a SHA-256/AES-128 session
const AES_BLOCK = 16;

/** P-256 group operations; scalars in [1, n-1] (n: FIPS 186-5 / SEC 2 §2.4.2). */
const group = ecGroup({
  curve: 'P-256',
  Point,
  scalarMax: Point.Fn.ORDER - 1n,
  seedHash: sha256,
  // RFC 9380 §3.1 domain-separation tag
  seedDst: 'TEE-TPM-CHANNEL-V1-P256-SCALAR-FROM-SEED',
});

function cfbArgs(key: Uint8Array, iv: Uint8Array, data: Uint8Array) {
  abytes(key, 'aes-cfb key', [CFB_KEY_LEN], 'bad-key');
  abytes(iv, 'aes-cfb iv', [AES_BLOCK]);
  abytes(data, 'aes-cfb data');
  return cfb(key, iv);
}

export const tpm2P256: CryptoSuite = Object.freeze({
  name: 'tpm2-p256',
  algorithms: Object.freeze({
    curve: 'NIST P-256',
    hash: 'SHA-256',
    signature: 'ECDSA (RFC 6979)',
    cfb: 'AES-128-CFB',
    aead: 'AES-256-GCM',
    // TPM 2.0 Part 2 §6.3/§6.4: TPM_ALG_SHA256, TPM_ECC_NIST_P256, TPM_ALG_ECDSA, TPM_ALG_AES
    tpm: Object.freeze({ hashAlg: 0x000b, curveId: 0x0003, signScheme: 0x0018, symAlg: 0x0006 }),
  }),
  hashLen: 32,
  pointLen: group.pointLen,
  scalarLen: group.scalarLen,
  sigLen: SIG_LEN,
  blockLen: AES_BLOCK,
  cfbKeyLen: CFB_KEY_LEN,
  aeadKeyLen: GCM_KEY_LEN,
  aeadNonceLen: GCM_NONCE_LEN,
  aeadTagLen: GCM_TAG_LEN,

  ...hashMethods(kdfHash(sha256)),

  /** RFC 9380 expand_message_xmd with SHA-256, reduced into [1, n-1] (FIPS 186-4 §B.4.1); see ec-group.ts. */
  scalarFromSeed: group.scalarFromSeed,
  isValidScalar: group.isValidScalar,
  basePointMul: group.basePointMul,
  pointMul: group.pointMul,
  isValidPoint: group.isValidPoint,
  pointX: group.pointX,

  sign(sk: Uint8Array, msg: Uint8Array): Uint8Array {
    group.toScalar(sk, 'sign key', 'bad-key');
    abytes(msg, 'sign msg');
    // RFC 6979 §3.2 nonce (noble default: no extra entropy); lowS off so RFC 6979 §A.2.5 matches
    return p256.sign(msg, sk, { prehash: true, lowS: false, format: 'compact' });
  },

  verify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
    try {
      if (!(sig instanceof Uint8Array) || sig.length !== SIG_LEN) return false;
      if (!(msg instanceof Uint8Array)) return false;
      group.toPoint(pub, 'verify key');
      return p256.verify(sig, msg, pub, { prehash: true, lowS: false, format: 'compact' });
    } catch {
      return false;
    }
  },

  publicKey: group.publicKey,

  cfbEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    return cfbArgs(key, iv, data).encrypt(data);
  },

  cfbDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    return cfbArgs(key, iv, data).decrypt(data);
  },

  aeadEncrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array {
    checkAeadInputs(key, nonce, data, aad);
    return gcm(key, nonce, aad).encrypt(data);
  },

  aeadDecrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array | null {
    try {
      if (!aeadOpenable(key, nonce, data, aad)) return null;
      return gcm(key, nonce, aad).decrypt(data);
    } catch {
      return null;
    }
  },
});
