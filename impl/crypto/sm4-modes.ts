/**
 * SM4 modes of operation over bytes: ECB of whole blocks (the GB/T 32907-2016 examples),
 * CFB with full-block feedback (SP 800-38A §6.3; GB/T 17964-2008 §8; TPM 2.0 Part 1 "CFB
 * mode parameter encryption" with TPM_ALG_SM4), and GCM (SP 800-38D; the AEAD of RFC 8998
 * §3.1, TLS_SM4_GCM_SM3) with a 96-bit nonce and a 128-bit tag. GHASH is noble's
 * (@noble/ciphers/_polyval.js); only the block cipher under it is SM4.
 *
 * Errors: encryption throws {@link CryptoError} on a wrong key, IV or nonce length;
 * {@link sm4GcmOpen} returns null instead (bad tag or malformed input), never throwing.
 * @module
 */
import { ghash } from '@noble/ciphers/_polyval.js';
import { abytes } from './assert.ts';
import { sm4Block, sm4DecryptSchedule, sm4KeySchedule } from './sm4.ts';
import { CryptoError } from './suite.ts';

export const SM4_KEY_LEN = 16;
export const SM4_BLOCK_LEN = 16;
export const SM4_GCM_NONCE_LEN = 12;
export const SM4_GCM_TAG_LEN = 16;

function schedule(key: Uint8Array, what: string): Uint32Array {
  abytes(key, `${what} key`, [SM4_KEY_LEN], 'bad-key');
  return sm4KeySchedule(key);
}

/** ECB over whole blocks (GB/T 32907-2016 examples; draft-ribose-cfrg-sm4-10 A.2.1). */
export function sm4EcbEncrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return ecb(schedule(key, 'sm4-ecb'), data);
}

export function sm4EcbDecrypt(key: Uint8Array, data: Uint8Array): Uint8Array {
  return ecb(sm4DecryptSchedule(schedule(key, 'sm4-ecb')), data);
}

function ecb(rk: Uint32Array, data: Uint8Array): Uint8Array {
  abytes(data, 'sm4-ecb data');
  if (data.length % SM4_BLOCK_LEN !== 0) throw new CryptoError('bad-length', `sm4-ecb data: expected whole 16-byte blocks, got ${data.length} bytes`);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += SM4_BLOCK_LEN) sm4Block(rk, data, i, out, i);
  return out;
}

/**
 * CFB128 (SP 800-38A §6.3): O_j = E(I_j), C_j = P_j ⊕ O_j, I_{j+1} = C_j; the last segment
 * may be partial (the TPM encrypts parameters of any length this way).
 */
function cfb(key: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt: boolean): Uint8Array {
  const rk = schedule(key, 'sm4-cfb');
  abytes(iv, 'sm4-cfb iv', [SM4_BLOCK_LEN]);
  abytes(data, 'sm4-cfb data');
  const out = new Uint8Array(data.length);
  const reg = iv.slice();
  const ks = new Uint8Array(SM4_BLOCK_LEN);
  for (let i = 0; i < data.length; i += SM4_BLOCK_LEN) {
    sm4Block(rk, reg, 0, ks, 0);
    const n = Math.min(SM4_BLOCK_LEN, data.length - i);
    for (let j = 0; j < n; j++) {
      const c = (out[i + j] = data[i + j]! ^ ks[j]!);
      reg[j] = decrypt ? data[i + j]! : c;
    }
  }
  return out;
}

export function sm4CfbEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return cfb(key, iv, data, false);
}

export function sm4CfbDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  return cfb(key, iv, data, true);
}

/** SP 800-38D §6.5 GCTR from counter block `icb`, incrementing its low 32 bits (inc32). */
function gctr(rk: Uint32Array, icb: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  const cb = icb.slice();
  const view = new DataView(cb.buffer);
  const ks = new Uint8Array(SM4_BLOCK_LEN);
  for (let i = 0; i < data.length; i += SM4_BLOCK_LEN) {
    sm4Block(rk, cb, 0, ks, 0);
    const n = Math.min(SM4_BLOCK_LEN, data.length - i);
    for (let j = 0; j < n; j++) out[i + j] = data[i + j]! ^ ks[j]!;
    view.setUint32(12, (view.getUint32(12) + 1) >>> 0);
  }
  return out;
}

/** SP 800-38D §7.1 steps 1, 5, 6: T = E(J0) ⊕ GHASH_H(A ‖ 0* ‖ C ‖ 0* ‖ [len A]64 ‖ [len C]64). */
function gcmTag(rk: Uint32Array, j0: Uint8Array, ct: Uint8Array, aad: Uint8Array): Uint8Array {
  const h = new Uint8Array(SM4_BLOCK_LEN);
  sm4Block(rk, h, 0, h, 0); // H = E_K(0^128)
  const lens = new Uint8Array(16);
  const lv = new DataView(lens.buffer);
  lv.setBigUint64(0, BigInt(aad.length) * 8n);
  lv.setBigUint64(8, BigInt(ct.length) * 8n);
  const g = ghash.create(h, aad.length + ct.length);
  if (aad.length > 0) g.update(aad); // each update pads its tail block with zeros
  if (ct.length > 0) g.update(ct);
  const s = g.update(lens).digest();
  const ej0 = new Uint8Array(SM4_BLOCK_LEN);
  sm4Block(rk, j0, 0, ej0, 0);
  for (let i = 0; i < SM4_BLOCK_LEN; i++) s[i] = s[i]! ^ ej0[i]!;
  return s;
}

/** J0 = IV ‖ 0^31 ‖ 1 for a 96-bit IV (SP 800-38D §7.1 step 2). */
function j0Of(nonce: Uint8Array): Uint8Array {
  const j0 = new Uint8Array(SM4_BLOCK_LEN);
  j0.set(nonce);
  j0[15] = 1;
  return j0;
}

function inc32(j0: Uint8Array): Uint8Array {
  const cb = j0.slice();
  const v = new DataView(cb.buffer);
  v.setUint32(12, (v.getUint32(12) + 1) >>> 0);
  return cb;
}

/** SM4-GCM seal (RFC 8998 §3.1 AEAD_SM4_GCM): ciphertext ‖ 16-byte tag. */
export function sm4GcmSeal(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  const rk = schedule(key, 'sm4-gcm');
  abytes(nonce, 'sm4-gcm nonce', [SM4_GCM_NONCE_LEN]);
  abytes(data, 'sm4-gcm data');
  abytes(aad, 'sm4-gcm aad');
  const j0 = j0Of(nonce);
  const ct = gctr(rk, inc32(j0), data);
  const out = new Uint8Array(ct.length + SM4_GCM_TAG_LEN);
  out.set(ct);
  out.set(gcmTag(rk, j0, ct, aad), ct.length);
  return out;
}

/** SM4-GCM open: the plaintext, or null on a bad tag or malformed input (never throws). */
export function sm4GcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array | null {
  if (!(key instanceof Uint8Array) || key.length !== SM4_KEY_LEN) return null;
  if (!(nonce instanceof Uint8Array) || nonce.length !== SM4_GCM_NONCE_LEN) return null;
  if (!(sealed instanceof Uint8Array) || sealed.length < SM4_GCM_TAG_LEN) return null;
  if (!(aad instanceof Uint8Array)) return null;
  const rk = sm4KeySchedule(key);
  const j0 = j0Of(nonce);
  const ct = sealed.subarray(0, sealed.length - SM4_GCM_TAG_LEN);
  const tag = gcmTag(rk, j0, ct, aad);
  // constant-time comparison of the tag (SP 800-38D §7.2 step 8)
  let diff = 0;
  for (let i = 0; i < SM4_GCM_TAG_LEN; i++) diff |= tag[i]! ^ sealed[ct.length + i]!;
  if (diff !== 0) return null;
  return gctr(rk, inc32(j0), ct);
}
