/**
 * The group half of a crypto suite, generic over a noble Weierstrass curve: scalars from
 * seeds, base and variable point multiplication (ECDH, TPM 2.0 Part 1 §C.6.1 one-pass
 * C(1e, 1s) for salted sessions), SEC 1 point validation and x-coordinates. Both suites
 * (P-256 and the SM2 curve) are this plus their signature scheme, hash and cipher.
 *
 * Inputs are checked at the boundary: scalars are `scalarLen` bytes in [1, max], points SEC 1
 * (compressed or uncompressed) on the curve and not infinity; violations throw
 * {@link CryptoError} with a message naming the argument and the curve.
 * @module
 */
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { mapHashToField } from '@noble/curves/abstract/modular.js';
import type { WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { abytes } from './assert.ts';
import { CryptoError, type CryptoErrorCode } from './suite.ts';
import type { NobleHash } from './tpm-kdf.ts';

/** Shortest seed scalarFromSeed accepts: 128 bits, so a caller cannot pass a toy seed by mistake. */
const MIN_SEED_LEN = 16;

export interface EcGroupParams {
  /** Curve name for error messages, e.g. 'P-256'. */
  readonly curve: string;
  readonly Point: WeierstrassPointCons<bigint>;
  /** Largest valid private scalar: n−1 for ECDSA/ECDH, n−2 for SM2 (GB/T 32918.1 §6.1). */
  readonly scalarMax: bigint;
  /** Hash for expand_message_xmd in scalarFromSeed (RFC 9380 §5.3.1). */
  readonly seedHash: NobleHash;
  /** RFC 9380 §3.1 domain-separation tag for scalarFromSeed. */
  readonly seedDst: string;
}

export function bytesToBigInt(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

/** The curve operations of a suite, over bytes; see {@link ecGroup}. */
export interface EcGroup {
  readonly scalarLen: number;
  readonly pointLen: number;
  /** The scalar as a bigint in [1, max], or a CryptoError with `code`. */
  toScalar(s: unknown, what: string, code: CryptoErrorCode): bigint;
  /** Decode a SEC 1 point (33 or 65 bytes), on the curve and not infinity. */
  toPoint(p: unknown, what: string): WeierstrassPoint<bigint>;
  scalarFromSeed(seed: Uint8Array): Uint8Array;
  isValidScalar(s: Uint8Array): boolean;
  basePointMul(s: Uint8Array): Uint8Array;
  pointMul(p: Uint8Array, s: Uint8Array): Uint8Array;
  isValidPoint(p: Uint8Array): boolean;
  pointX(p: Uint8Array): Uint8Array;
  publicKey(sk: Uint8Array): Uint8Array;
}

/**
 * isValidPoint and pointX over a suite's own point decoder, shared by the noble and native
 * groups so both apply the same boundary checks (SEC 1 v2 §2.3.3: X of the uncompressed form).
 */
export function pointReaders(
  toPoint: (p: Uint8Array, what: string) => unknown,
  pointLen: number,
  scalarLen: number,
): Pick<EcGroup, 'isValidPoint' | 'pointX'> {
  return {
    isValidPoint(p: Uint8Array): boolean {
      try {
        toPoint(p, 'point');
        return true;
      } catch {
        return false;
      }
    },
    pointX(p: Uint8Array): Uint8Array {
      abytes(p, 'pointX point', [pointLen], 'bad-point');
      if (p[0] !== 0x04) throw new CryptoError('bad-point', 'pointX point: expected uncompressed 0x04||X||Y');
      toPoint(p, 'pointX point');
      return p.slice(1, 1 + scalarLen);
    },
  };
}

export function ecGroup({ curve, Point, scalarMax, seedHash, seedDst }: EcGroupParams): EcGroup {
  const scalarLen = Point.Fn.BYTES;
  const pointLen = 1 + 2 * Point.Fp.BYTES;

  function toScalar(s: unknown, what: string, code: CryptoErrorCode): bigint {
    abytes(s, what, [scalarLen], code);
    const x = bytesToBigInt(s);
    if (x < 1n || x > scalarMax) throw new CryptoError(code, `${what}: scalar out of range [1, ${scalarMax === Point.Fn.ORDER - 1n ? 'n-1' : 'n-2'}]`);
    return x;
  }

  function toPoint(p: unknown, what: string): WeierstrassPoint<bigint> {
    if (!(p instanceof Uint8Array)) throw new CryptoError('bad-point', `${what}: expected Uint8Array`);
    try {
      // fromBytes checks the curve equation (SEC 1 v2 §2.3.4) and refuses the 0x00 infinity encoding
      const pt = Point.fromBytes(p);
      pt.assertValidity();
      return pt;
    } catch (e) {
      throw new CryptoError('bad-point', `${what}: not a valid ${curve} point (${(e as Error).message})`);
    }
  }

  const mulBase = (s: Uint8Array, what: string, code: CryptoErrorCode) => Point.BASE.multiply(toScalar(s, what, code)).toBytes(false);

  return Object.freeze({
    scalarLen,
    pointLen,
    toScalar,
    toPoint,
    /**
     * RFC 9380 §5.3.1 expand_message_xmd(seed, DST, L) with L = scalarLen + 16, then the
     * reduction `d = (c mod max) + 1` of FIPS 186-4 §B.4.1 "key pair generation using extra
     * random bits" (noble `mapHashToField` over max + 1): the extra 128 bits make the result
     * statistically close (< 2^-128) to uniform in [1, max], with no rejection loop.
     */
    scalarFromSeed(seed: Uint8Array): Uint8Array {
      abytes(seed, 'scalarFromSeed seed');
      if (seed.length < MIN_SEED_LEN) {
        throw new CryptoError('bad-length', `scalarFromSeed seed: expected at least ${MIN_SEED_LEN} bytes, got ${seed.length}`);
      }
      return mapHashToField(expand_message_xmd(seed, seedDst, scalarLen + 16, seedHash as Parameters<typeof expand_message_xmd>[3]), scalarMax + 1n);
    },
    isValidScalar(s: Uint8Array): boolean {
      if (!(s instanceof Uint8Array) || s.length !== scalarLen) return false;
      const x = bytesToBigInt(s);
      return x >= 1n && x <= scalarMax;
    },
    basePointMul: (s: Uint8Array) => mulBase(s, 'basePointMul scalar', 'bad-scalar'),
    pointMul(p: Uint8Array, s: Uint8Array): Uint8Array {
      const pt = toPoint(p, 'pointMul point');
      // n is prime and the cofactor is 1, so s in [1, n-1] times a valid P never gives infinity
      return pt.multiply(toScalar(s, 'pointMul scalar', 'bad-scalar')).toBytes(false);
    },
    ...pointReaders(toPoint, pointLen, scalarLen),
    publicKey: (sk: Uint8Array) => mulBase(sk, 'publicKey key', 'bad-key'),
  });
}
