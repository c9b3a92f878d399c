/**
 * SM2 public-key encryption (GB/T 32918.4-2016 §6 encryption, §7 decryption; = GM/T 0003.4-2012)
 * on the recommended curve (sm2-curve.ts) with SM3:
 *
 *   C1 = [k]G, (x2, y2) = [k]P_B, t = KDF(x2 ‖ y2, klen) (t = 0 → new k), C2 = M ⊕ t,
 *   C3 = SM3(x2 ‖ M ‖ y2), C = C1 ‖ C3 ‖ C2 (the 2016 order; GM/T 0003.4-2012 printed C1 ‖ C2 ‖ C3).
 *
 * KDF is §5.4.3's: SM3(Z ‖ ct) for ct = 1, 2, … (32-bit big-endian), truncated to klen bits. C1
 * is the uncompressed point (04 ‖ x ‖ y). Decryption checks C1 is on the curve (§7.1 B1; the
 * cofactor is 1), t ≠ 0 (B4) and C3 (B6); any failure is null, never an exception.
 * @module
 */
import { abytes, concatBytes } from './assert.ts';
import type { RandomSource } from './random.ts';
import { sm2Point } from './sm2-curve.ts';
import { sm3 } from './sm3.ts';
import { CryptoError } from './suite.ts';

const N = sm2Point.Fn.ORDER;
const C1_LEN = 65;
const C3_LEN = 32;

const big = (b: Uint8Array) => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));

/** GB/T 32918.4 §5.4.3 (= 32918.3 §5.4.3) KDF(Z, klen): H(Z ‖ ct) for ct = 1, 2, …; klen in bytes; H = SM3 by default. */
export function sm2Kdf(z: Uint8Array, len: number, hash: (d: Uint8Array) => Uint8Array = sm3): Uint8Array {
  const out = new Uint8Array(len);
  for (let ct = 1, off = 0; off < len; ct++) {
    const c = new Uint8Array(4);
    new DataView(c.buffer).setUint32(0, ct, false);
    const block = hash(concatBytes(z, c));
    out.set(block.subarray(0, Math.min(block.length, len - off)), off);
    off += block.length;
  }
  return out;
}

const xy = (p: InstanceType<typeof sm2Point>) => p.toBytes(false).subarray(1);

/**
 * Encrypt `msg` to the uncompressed SM2 public key `pub`. `nonce` gives k (32 bytes, reduced into
 * [1, n−1] by rejection); tests pass the standard's k, callers a random source.
 */
export function sm2Encrypt(pub: Uint8Array, msg: Uint8Array, random: RandomSource | (() => Uint8Array)): Uint8Array {
  abytes(pub, 'sm2Encrypt public key', [C1_LEN], 'bad-key');
  abytes(msg, 'sm2Encrypt message');
  let P;
  try {
    P = sm2Point.fromBytes(pub);
  } catch {
    throw new CryptoError('bad-key', 'sm2Encrypt: the public key is not a point of the SM2 curve');
  }
  const draw = typeof random === 'function' ? random : () => random.bytes(32);
  for (let tries = 0; tries < 64; tries++) {
    const k = big(draw());
    if (k < 1n || k >= N) continue;
    const c1 = sm2Point.BASE.multiply(k).toBytes(false);
    const s = xy(P.multiply(k));
    const x2 = s.subarray(0, 32);
    const y2 = s.subarray(32);
    const t = sm2Kdf(s, msg.length);
    if (msg.length > 0 && t.every((b) => b === 0)) continue;
    const c2 = msg.map((b, i) => b ^ (t[i] as number));
    const c3 = sm3(concatBytes(x2, msg, y2));
    return concatBytes(c1, c3, c2);
  }
  throw new CryptoError('bad-scalar', 'sm2Encrypt: the nonce source gave no usable k');
}

/** Decrypt C = C1 ‖ C3 ‖ C2 with the private key `sk`; null on any failure. */
export function sm2Decrypt(sk: Uint8Array, c: Uint8Array): Uint8Array | null {
  try {
    if (!(sk instanceof Uint8Array) || sk.length !== 32 || !(c instanceof Uint8Array) || c.length < C1_LEN + C3_LEN) return null;
    const d = big(sk);
    if (d < 1n || d >= N - 1n) return null;
    const C1 = sm2Point.fromBytes(c.subarray(0, C1_LEN));
    const c3 = c.subarray(C1_LEN, C1_LEN + C3_LEN);
    const c2 = c.subarray(C1_LEN + C3_LEN);
    const s = xy(C1.multiply(d));
    const t = sm2Kdf(s, c2.length);
    if (c2.length > 0 && t.every((b) => b === 0)) return null;
    const m = c2.map((b, i) => b ^ (t[i] as number));
    const u = sm3(concatBytes(s.subarray(0, 32), m, s.subarray(32)));
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= (u[i] as number) ^ (c3[i] as number);
    return diff === 0 ? m : null;
  } catch {
    return null;
  }
}
