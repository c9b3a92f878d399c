/**
 * The TPM 2.0-compatible suite: NIST P-256 (FIPS 186-5 / SEC 2) for ECDH and ECDSA, SHA-256
 * (FIPS 180-4), HMAC-SHA256 (RFC 2104), KDFa/KDFe (TPM 2.0 Part 1 §11.4.10), AES-128-CFB
 * (SP 800-38A §6.3; TPM 2.0 Part 1 "CFB Mode Parameter Encryption") and AES-256-GCM (SP 800-38D).
 * Everything is a thin layer over noble; this file only fixes parameters and checks inputs.
 * @module
 */
import { cfb, gcm } from '@noble/ciphers/aes.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import { p256 } from '@noble/curves/nist.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { abytes } from './assert.ts';
import { CryptoError, type CryptoErrorCode, type CryptoSuite } from './suite.ts';
import { kdfHash, kdfa, kdfe } from './tpm-kdf.ts';

const Point = p256.Point;
/** Order n of the P-256 base point (FIPS 186-5 / SEC 2 §2.4.2). */
const N = Point.Fn.ORDER;
const SCALAR_LEN = 32;
const POINT_LEN = 65;
const SIG_LEN = 64;
const CFB_KEY_LEN = 16; // AES-128: the TPM's parameter-encryption key for a SHA-256/AES-128 session
const GCM_KEY_LEN = 32; // AES-256
const GCM_NONCE_LEN = 12;
const GCM_TAG_LEN = 16;
const AES_BLOCK = 16;
/** RFC 9380 §3.1 domain-separation tag for scalarFromSeed. */
const SCALAR_DST = 'TEE-TPM-CHANNEL-V1-P256-SCALAR-FROM-SEED';
/** Shortest seed scalarFromSeed accepts: 128 bits, so a caller cannot pass a toy seed by mistake. */
const MIN_SEED_LEN = 16;
const sha256Kdf = kdfHash(sha256);

function bytesToBigInt(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

/** The scalar as a bigint in [1, n-1], or a CryptoError with `code`. */
function toScalar(s: unknown, what: string, code: CryptoErrorCode): bigint {
  abytes(s, what, [SCALAR_LEN], code);
  const x = bytesToBigInt(s);
  if (x < 1n || x >= N) throw new CryptoError(code, `${what}: scalar out of range [1, n-1]`);
  return x;
}

/** Decode a SEC1 point (33 or 65 bytes) and check it is on the curve and not infinity. */
function toPoint(p: unknown, what: string) {
  if (!(p instanceof Uint8Array)) throw new CryptoError('bad-point', `${what}: expected Uint8Array`);
  try {
    // fromBytes checks the curve equation (SEC 1 v2 §2.3.4) and refuses the 0x00 infinity encoding
    const pt = Point.fromBytes(p);
    pt.assertValidity();
    return pt;
  } catch (e) {
    throw new CryptoError('bad-point', `${what}: not a valid P-256 point (${(e as Error).message})`);
  }
}

function isScalar(s: Uint8Array): boolean {
  if (!(s instanceof Uint8Array) || s.length !== SCALAR_LEN) return false;
  const x = bytesToBigInt(s);
  return x >= 1n && x < N;
}

function mulBase(s: Uint8Array, what: string, code: CryptoErrorCode): Uint8Array {
  return Point.BASE.multiply(toScalar(s, what, code)).toBytes(false);
}

function cfbArgs(key: Uint8Array, iv: Uint8Array, data: Uint8Array) {
  abytes(key, 'aes-cfb key', [CFB_KEY_LEN], 'bad-key');
  abytes(iv, 'aes-cfb iv', [AES_BLOCK]);
  abytes(data, 'aes-cfb data');
  return cfb(key, iv);
}

export const tpm2P256: CryptoSuite = Object.freeze({
  name: 'tpm2-p256',
  hashLen: 32,
  pointLen: POINT_LEN,
  scalarLen: SCALAR_LEN,

  hash(data: Uint8Array): Uint8Array {
    abytes(data, 'hash data');
    return sha256(data);
  },

  hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
    abytes(key, 'hmac key', undefined, 'bad-key');
    abytes(data, 'hmac data');
    return hmac(sha256, key, data);
  },

  kdfa(key: Uint8Array, label: string, contextU: Uint8Array, contextV: Uint8Array, bits: number): Uint8Array {
    return kdfa(sha256Kdf, key, label, contextU, contextV, bits);
  },

  kdfe(z: Uint8Array, label: string, partyUInfo: Uint8Array, partyVInfo: Uint8Array, bits: number): Uint8Array {
    return kdfe(sha256Kdf, z, label, partyUInfo, partyVInfo, bits);
  },

  /**
   * RFC 9380 §5.3.1 expand_message_xmd(seed, DST, 48) with SHA-256, then the reduction
   * `d = (c mod (n-1)) + 1` of FIPS 186-4 §B.4.1 "key pair generation using extra random
   * bits" (noble `mapHashToField`): 384 bits reduced
   * into [1, n-1] have statistical distance < 2^-128 from uniform, and no rejection loop.
   */
  scalarFromSeed(seed: Uint8Array): Uint8Array {
    abytes(seed, 'scalarFromSeed seed');
    if (seed.length < MIN_SEED_LEN) {
      throw new CryptoError('bad-length', `scalarFromSeed seed: expected at least ${MIN_SEED_LEN} bytes, got ${seed.length}`);
    }
    return mapHashToField(expand_message_xmd(seed, SCALAR_DST, 48, sha256), N);
  },

  isValidScalar: isScalar,

  basePointMul(s: Uint8Array): Uint8Array {
    return mulBase(s, 'basePointMul scalar', 'bad-scalar');
  },

  pointMul(p: Uint8Array, s: Uint8Array): Uint8Array {
    const pt = toPoint(p, 'pointMul point');
    // n is prime and the cofactor is 1, so s in [1, n-1] times a valid P never gives infinity
    return pt.multiply(toScalar(s, 'pointMul scalar', 'bad-scalar')).toBytes(false);
  },

  isValidPoint(p: Uint8Array): boolean {
    try {
      toPoint(p, 'point');
      return true;
    } catch {
      return false;
    }
  },

  pointX(p: Uint8Array): Uint8Array {
    abytes(p, 'pointX point', [POINT_LEN], 'bad-point');
    if (p[0] !== 0x04) throw new CryptoError('bad-point', 'pointX point: expected uncompressed 0x04||X||Y');
    toPoint(p, 'pointX point');
    return p.slice(1, 1 + SCALAR_LEN);
  },

  sign(sk: Uint8Array, msg: Uint8Array): Uint8Array {
    toScalar(sk, 'sign key', 'bad-key');
    abytes(msg, 'sign msg');
    // RFC 6979 §3.2 nonce (noble default: no extra entropy); lowS off so RFC 6979 §A.2.5 matches
    return p256.sign(msg, sk, { prehash: true, lowS: false, format: 'compact' });
  },

  verify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
    try {
      if (!(sig instanceof Uint8Array) || sig.length !== SIG_LEN) return false;
      if (!(msg instanceof Uint8Array)) return false;
      toPoint(pub, 'verify key');
      return p256.verify(sig, msg, pub, { prehash: true, lowS: false, format: 'compact' });
    } catch {
      return false;
    }
  },

  publicKey(sk: Uint8Array): Uint8Array {
    return mulBase(sk, 'publicKey key', 'bad-key');
  },

  aesCfbEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    return cfbArgs(key, iv, data).encrypt(data);
  },

  aesCfbDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
    return cfbArgs(key, iv, data).decrypt(data);
  },

  aesGcmEncrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array {
    abytes(key, 'aes-gcm key', [GCM_KEY_LEN], 'bad-key');
    abytes(nonce, 'aes-gcm nonce', [GCM_NONCE_LEN]);
    abytes(data, 'aes-gcm data');
    if (aad !== undefined) abytes(aad, 'aes-gcm aad');
    return gcm(key, nonce, aad).encrypt(data);
  },

  aesGcmDecrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array | null {
    try {
      if (!(key instanceof Uint8Array) || key.length !== GCM_KEY_LEN) return null;
      if (!(nonce instanceof Uint8Array) || nonce.length !== GCM_NONCE_LEN) return null;
      if (!(data instanceof Uint8Array) || data.length < GCM_TAG_LEN) return null;
      if (aad !== undefined && !(aad instanceof Uint8Array)) return null;
      return gcm(key, nonce, aad).decrypt(data);
    } catch {
      return null;
    }
  },
});
