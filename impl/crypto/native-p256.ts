/**
 * The native suite: the algorithms of the TPM 2.0 suite (tpm2-p256.ts — P-256, SHA-256,
 * HMAC-SHA256, KDFa/KDFe, AES-128-CFB, AES-256-GCM) computed by Node's built-in OpenSSL
 * (node:crypto) instead of noble. Same `CryptoSuite` contract and boundary checks, so the two
 * agree byte for byte on every output — the signatures too, because the nonce is RFC 6979's in
 * both (native-ecdsa.ts) — and a seeded run gives the same transcript on either
 * (test/impl/crypto/native-differential.test.ts). Where OpenSSL does the work:
 *
 *   hash, hmac, KDFa/KDFe    OpenSSL SHA-256 / HMAC; the KDF loops are tpm-kdf.ts's
 *   s·G, s·P, point checks   OpenSSL EC (ECDH object); y of s·P rebuilt as native-group.ts says
 *   sign                     RFC 6979 nonce by OpenSSL HMAC, k·G by OpenSSL, s in bigint
 *   verify                   OpenSSL ECDSA
 *   cfb…, aead…              OpenSSL AES-128-CFB (CFB128) and AES-256-GCM
 *
 * Selected with `--suite native`. docs/native-suite.md has the costs.
 * @module
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { abytes } from './assert.ts';
import { GCM_KEY_LEN, GCM_NONCE_LEN, GCM_TAG_LEN, aeadOpenable, checkAeadInputs } from './aes-gcm-shape.ts';
import { hashMethods } from './hash-methods.ts';
import { nativeSha256Kdf, plain } from './native-bytes.ts';
import { nativeSign, nativeVerify } from './native-ecdsa.ts';
import { nativeGroup } from './native-group.ts';
import type { CryptoSuite } from './suite.ts';
import { tpm2P256 } from './tpm2-p256.ts';

const CFB_KEY_LEN = 16;
const AES_BLOCK = 16;

function cfbArgs(key: Uint8Array, iv: Uint8Array, data: Uint8Array): void {
  abytes(key, 'aes-cfb key', [CFB_KEY_LEN], 'bad-key');
  abytes(iv, 'aes-cfb iv', [AES_BLOCK]);
  abytes(data, 'aes-cfb data');
}

/** CFB is a stream mode: `update` returns every byte and `final` nothing. */
const cfb = (c: ReturnType<typeof createCipheriv>, data: Uint8Array) => plain(c.update(data));

export const nativeP256: CryptoSuite = Object.freeze({
  name: 'native-p256',
  // the same algorithms and TPM identifiers as the noble suite: only the implementation differs
  algorithms: tpm2P256.algorithms,
  hashLen: 32,
  pointLen: nativeGroup.pointLen,
  scalarLen: nativeGroup.scalarLen,
  sigLen: 64,
  blockLen: AES_BLOCK,
  cfbKeyLen: CFB_KEY_LEN,
  aeadKeyLen: GCM_KEY_LEN,
  aeadNonceLen: GCM_NONCE_LEN,
  aeadTagLen: GCM_TAG_LEN,

  ...hashMethods(nativeSha256Kdf),

  scalarFromSeed: nativeGroup.scalarFromSeed,
  isValidScalar: nativeGroup.isValidScalar,
  basePointMul: nativeGroup.basePointMul,
  pointMul: nativeGroup.pointMul,
  isValidPoint: nativeGroup.isValidPoint,
  pointX: nativeGroup.pointX,
  publicKey: nativeGroup.publicKey,
  sign: nativeSign,
  verify: nativeVerify,

  cfbEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    cfbArgs(key, iv, data);
    return cfb(createCipheriv('aes-128-cfb', key, iv), data);
  },

  cfbDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    cfbArgs(key, iv, data);
    return cfb(createDecipheriv('aes-128-cfb', key, iv), data);
  },

  aeadEncrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array {
    checkAeadInputs(key, nonce, data, aad);
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_LEN });
    if (aad !== undefined) c.setAAD(aad);
    return plain(Buffer.concat([c.update(data), c.final(), c.getAuthTag()]));
  },

  aeadDecrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array | null {
    try {
      if (!aeadOpenable(key, nonce, data, aad)) return null;
      const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: GCM_TAG_LEN });
      if (aad !== undefined) d.setAAD(aad);
      d.setAuthTag(data.subarray(data.length - GCM_TAG_LEN));
      const pt = d.update(data.subarray(0, data.length - GCM_TAG_LEN));
      return plain(Buffer.concat([pt, d.final()]));
    } catch {
      return null;
    }
  },
});
