/**
 * SM2 key exchange (GB/T 32918.3-2016 §6.1 = GM/T 0003.3-2012), generic in the curve and the
 * hash like the signer (sm2-sign.ts), so the same code is checked on the example curve of the
 * standard's Appendix A and runs on the recommended curve with SM3 (`sm2KeyExchange(sm2Point,
 * sm3)`). With w = ⌈⌈log2 n⌉/2⌉ − 1 and x̄ = 2^w + (x mod 2^w):
 *
 *   A: t_A = (d_A + x̄1·r_A) mod n, U = [h·t_A](P_B + [x̄2]R_B), K_A = KDF(x_U ‖ y_U ‖ Z_A ‖ Z_B, klen)
 *   B: t_B = (d_B + x̄2·r_B) mod n, V = [h·t_B](P_A + [x̄1]R_A), K_B = KDF(x_V ‖ y_V ‖ Z_A ‖ Z_B, klen)
 *
 * and the optional confirmations S_B = S_1 = H(0x02 ‖ y_V ‖ H(x_V ‖ Z_A ‖ Z_B ‖ x1 ‖ y1 ‖ x2 ‖ y2)),
 * S_A = S_2 = H(0x03 ‖ y_U ‖ H(x_U ‖ …)) (§6.1 B9, A9–A10, B10). R_A, R_B are checked to be
 * on the curve (A6 / B3) and U, V not the point at infinity (A8 / B7): a failure throws.
 * @module
 */
import type { WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { concatBytes } from './assert.ts';
import { sm2Kdf } from './sm2-encrypt.ts';
import { SM2_DEFAULT_ID, sm2Signer } from './sm2-sign.ts';
import { CryptoError } from './suite.ts';
import type { NobleHash } from './tpm-kdf.ts';

/** One party's view of an exchange: its keys and identity, the peer's public key, ephemeral point and identity. */
export interface Sm2ExchangeParty {
  readonly initiator: boolean;
  readonly d: bigint;
  readonly r: bigint;
  readonly id?: Uint8Array;
  readonly peerPub: Uint8Array;
  readonly peerR: Uint8Array;
  readonly peerId?: Uint8Array;
}

export interface Sm2ExchangeResult {
  readonly key: Uint8Array;
  /** the confirmation this party sends (B: S_B, A: S_A) and the one it expects from its peer */
  readonly confirmation: Uint8Array;
  readonly expected: Uint8Array;
}

export function sm2KeyExchange(Point: WeierstrassPointCons<bigint>, hash: NobleHash) {
  const n = Point.Fn.ORDER;
  const w = BigInt(Math.ceil(n.toString(2).length / 2) - 1);
  const bar = (x: bigint) => (1n << w) + (x & ((1n << w) - 1n));
  const signer = sm2Signer(Point, hash);
  const h = (...parts: Uint8Array[]) => hash(concatBytes(...parts));
  const point = (b: Uint8Array, what: string) => {
    try {
      return Point.fromBytes(b);
    } catch {
      throw new CryptoError('bad-point', `SM2 key exchange: ${what} is not a point of the curve`);
    }
  };

  return {
    /** R = [r]G, the ephemeral point a party sends. */
    ephemeral: (r: bigint): Uint8Array => Point.BASE.multiply(r).toBytes(false),
    /** The shared key of `klen` bytes and the confirmations, from one party's side. */
    agree(p: Sm2ExchangeParty, klen: number): Sm2ExchangeResult {
      const own = Point.BASE.multiply(p.d);
      const ownR = Point.BASE.multiply(p.r);
      const peerP = point(p.peerPub, 'the peer public key');
      const peerR = point(p.peerR, 'the peer ephemeral point');
      const t = (p.d + bar(ownR.toAffine().x) * p.r) % n;
      const S = peerP.add(peerR.multiply(bar(peerR.toAffine().x))).multiply(t); // cofactor h = 1
      if (S.equals(Point.ZERO)) throw new CryptoError('bad-point', 'SM2 key exchange: the shared point is the point at infinity');
      const xy = S.toBytes(false).subarray(1);
      const [xs, ys] = [xy.subarray(0, xy.length / 2), xy.subarray(xy.length / 2)];
      const ownZ = signer.za(own.toBytes(false), p.id ?? SM2_DEFAULT_ID);
      const peerZ = signer.za(p.peerPub, p.peerId ?? SM2_DEFAULT_ID);
      const [za, zb] = p.initiator ? [ownZ, peerZ] : [peerZ, ownZ];
      const [ra, rb] = p.initiator ? [ownR.toBytes(false), p.peerR] : [p.peerR, ownR.toBytes(false)];
      const key = sm2Kdf(concatBytes(xs, ys, za, zb), klen, (d) => hash(d));
      const inner = h(xs, za, zb, ra.subarray(1), rb.subarray(1));
      const s02 = h(Uint8Array.of(0x02), ys, inner);
      const s03 = h(Uint8Array.of(0x03), ys, inner);
      // B sends S_B (0x02) and expects S_A (0x03); A checks S_1 (0x02) and sends S_A (0x03)
      return p.initiator ? { key, confirmation: s03, expected: s02 } : { key, confirmation: s02, expected: s03 };
    },
  };
}
