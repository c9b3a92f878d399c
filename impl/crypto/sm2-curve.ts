/**
 * The SM2 recommended curve (GB/T 32918.5-2017 §10 / GM/T 0003.5-2012 "sm2p256v1";
 * TPM 2.0 Part 2 §6.4 TPM_ECC_SM2_P256 = 0x0020) as a thin instance of noble's generic
 * short-Weierstrass core: the constants and one factory call, nothing else. Point arithmetic,
 * SEC 1 encoding and validity checks are noble's (`@noble/curves/abstract/weierstrass.js`).
 * @module
 */
import { weierstrass, type WeierstrassOpts, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';

/** y² = x³ + ax + b over F_p, base point G of prime order n, cofactor 1 (GB/T 32918.5-2017 §10). */
export const SM2_P256_CURVE: WeierstrassOpts<bigint> = Object.freeze({
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
});

/** Points of the SM2 recommended curve (noble `WeierstrassPoint`). */
export const sm2Point: WeierstrassPointCons<bigint> = /* @__PURE__ */ weierstrass(SM2_P256_CURVE);
