/**
 * The fuzzy extractor's parameters and their analytic failure probability.
 *
 * Goal (issue 16; seed 002 §2.2.1): a 256-bit KeyS rebuilt with failure ≤ 10⁻⁹ at a 15 % PUF
 * bit-error rate. Chosen: a repetition code of length 7 inside BCH(511, 277, t = 28) over GF(2^9)
 * — 511 · 7 = 3577 PUF bits, the fewest of the rep-r × BCH(2^m − 1) designs with m ∈ {8, 9, 10}
 * and one or more BCH blocks that reach the goal ({@link designSearch}), searched at a design BER
 * of 15.6 % — the rate the simulated chip (nominal 15 % against its reference pattern) shows
 * against its 31-read enrolment. At exactly 15 % the search gives t = 26 at the same 3577 bits
 * (3.7 × 10⁻¹⁰); t = 28 gives 1.6 × 10⁻¹¹ there and 3.9 × 10⁻¹⁰ at 15.6 %. 256 of the 277
 * message bits carry KeyS; the other 21 are zero and checked after decoding. Anchors: Bösch et
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

/** the bit-error rate (against enrolment) the parameters are chosen for */
export const DESIGN_BER = 0.156;

export const FE_PARAMS = {
  /** GF(2^9): BCH length 511 */
  m: 9,
  /** errors the BCH code corrects */
  t: 28,
  /** repetition factor of the inner code */
  r: 7,
  /** KeyS bits */
  keyBits: 256,
} as const;

/** P(Bin(n, p) > t), summed from the top of the tail in log space (accurate when it is tiny). */
export function binomialTail(n: number, p: number, t: number): number {
  if (t >= n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // ln pmf(n) = n ln p; ln pmf(k − 1) = ln pmf(k) + ln k − ln(n − k + 1) + ln(1 − p) − ln p
  const step = Math.log1p(-p) - Math.log(p);
  let lp = n * Math.log(p);
  let s = 0;
  for (let k = n; k > t; k--) {
    s += Math.exp(lp);
    lp += Math.log(k) - Math.log(n - k + 1) + step;
  }
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

/** Dimension k of the binary primitive narrow-sense BCH code of length 2^m − 1 and designed t:
 * n minus the sizes of the cyclotomic cosets of 1 … 2t (Lin & Costello §6.1). */
export function bchDimension(m: number, t: number): number {
  const n = (1 << m) - 1;
  const seen = new Uint8Array(n);
  let deg = 0;
  for (let i = 1; i <= 2 * t; i++) {
    if (seen[i % n]) continue;
    for (let j = i % n; !seen[j]; j = (2 * j) % n) (seen[j] = 1), deg++;
  }
  return n - deg;
}

export interface Design {
  readonly m: number;
  readonly r: number;
  readonly t: number;
  readonly k: number;
  /** BCH blocks to carry the key */
  readonly blocks: number;
  readonly pufBits: number;
  readonly failure: number;
}

/**
 * For each BCH length 2^m − 1 (m ∈ ms) and odd repetition factor r ≤ 15, the smallest t whose
 * design carries `keyBits` (in as many BCH blocks as needed) with failure ≤ `goal` at BER p;
 * sorted by PUF bits, then failure. FE_PARAMS is the first at p = {@link DESIGN_BER}.
 */
export function designSearch(p = 0.15, goal = 1e-9, keyBits = 256, ms: readonly number[] = [8, 9, 10]): Design[] {
  const out: Design[] = [];
  for (const m of ms) {
    const n = (1 << m) - 1;
    for (let r = 1; r <= 15; r += 2) {
      const pr = repetitionError(r, p);
      for (let t = 1; 2 * t < n; t++) {
        const k = bchDimension(m, t);
        if (k < 1) break;
        const blocks = Math.ceil(keyBits / k);
        const failure = 1 - (1 - binomialTail(n, pr, t)) ** blocks;
        if (failure <= goal) {
          out.push({ m, r, t, k, blocks, pufBits: n * r * blocks, failure });
          break;
        }
      }
    }
  }
  return out.sort((a, b) => a.pufBits - b.pufBits || a.failure - b.failure);
}
