/**
 * The fuzzy extractor's parameters and their analytic failure probability.
 *
 * Goal (issue 16; seed 002 §2.2.1): a 256-bit KeyS rebuilt with failure ≤ 10⁻⁹ at a 15 % PUF
 * bit-error rate. Chosen: a repetition code of length 7 inside BCH(511, 295, t = 26) over GF(2^9)
 * — 511 · 7 = 3577 PUF bits, the fewest of the rep-r × BCH(2^m − 1) designs with m ∈ {8, 9, 10}
 * and one or more BCH blocks that reach the goal (a search in docs/tztcm-storage.md). 256 of the
 * 295 message bits carry KeyS; the other 39 are zero and checked after decoding. Anchors: Bösch et
 * al., CHES 2008 (rep × BCH / RM concatenations, 128-bit key, 15 % BER, failure ≤ 10⁻⁶); Maes,
 * Van Herrewege, Verbauwhede, "PUFKY", CHES 2012 (BCH(318, 174, 17), failure ≤ 10⁻⁹).
 *
 * Failure model: PUF bits flip independently with probability p (a binary symmetric channel).
 * A repetition group of r bits decodes wrongly with p_r = P(Bin(r, p) > r/2); the BCH word of n
 * bits then sees Bin(n, p_r) errors and fails when there are more than t:
 *   P_fail(p) = P(Bin(n, p_r) > t)
 * — an upper bound on a wrong or missing key (a bounded-distance decoder can do no better; it
 * never fails at ≤ t errors).
 * @module
 */

export const FE_PARAMS = {
  /** GF(2^9): BCH length 511 */
  m: 9,
  /** errors the BCH code corrects */
  t: 26,
  /** repetition factor of the inner code */
  r: 7,
  /** KeyS bits */
  keyBits: 256,
} as const;

/** ln C(n, k) + k ln p + (n − k) ln(1 − p), summed in log space (no overflow at n = 511). */
function binomPmf(n: number, k: number, p: number): number {
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  let lc = 0;
  for (let i = 1; i <= k; i++) lc += Math.log(n - k + i) - Math.log(i);
  return Math.exp(lc + k * Math.log(p) + (n - k) * Math.log1p(-p));
}

/** P(Bin(n, p) > t), summed from the tail (accurate when it is tiny). */
export function binomialTail(n: number, p: number, t: number): number {
  let s = 0;
  for (let k = n; k > t; k--) s += binomPmf(n, k, p);
  return Math.min(1, s);
}

/** Error probability of a majority-decoded repetition group of r (odd) bits. */
export function repetitionError(r: number, p: number): number {
  return binomialTail(r, p, (r - 1) / 2);
}

/** Analytic failure probability of the concatenated decoder at PUF bit-error rate p. */
export function analyticFailure(p: number, params: { m: number; t: number; r: number } = FE_PARAMS): number {
  const n = (1 << params.m) - 1;
  return binomialTail(n, repetitionError(params.r, p), params.t);
}
