/**
 * A simulated SRAM PUF (seed 002 §2.2.1: the power-up values of on-chip SRAM as the device's
 * "digital fingerprint", burnt after reading).
 *
 * Noise model (stated, illustrative — not fitted to a particular chip). Each cell i has a fixed
 * reference bit r_i (its preferred power-up value; P(r_i = 1) = `oneBias`) and a fixed error
 * probability e_i, both drawn once from the device seed:
 *   - a stable cell (fraction 1 − u) flips with e_i = `stableError` (0.1 %),
 *   - an unstable cell (fraction u) has e_i ~ Uniform(0, 0.5) — its power-up value is a coin
 *     biased by manufacturing mismatch (cf. Maes, Tuyls, Verbauwhede, "A soft decision helper
 *     data algorithm for SRAM PUFs", ISIT 2009: per-cell one-probabilities are spread over (0, 1)),
 * with u chosen so that the mean of e_i is the nominal bit-error rate `ber` at 25 °C, new.
 * Conditions scale every e_i: factor = 1 + 0.01·|T − 25 °C| + 0.05·years (capped at 0.5): SRAM
 * PUF error rates grow at temperature extremes and with ageing (NBTI), the direction the
 * literature reports; the constants are a knob, not a measurement.
 * A read returns r_i ⊕ Bernoulli(e_i) per cell, independently.
 * @module
 */

/** A small seeded PRNG (xoshiro128**, Blackman & Vigna 2018): fast noise for simulations, not crypto. */
export class Xoshiro128 {
  private s = new Uint32Array(4);
  constructor(seed: number | string | Uint8Array) {
    // splitmix32 expands the seed into the four state words (any seed, never all-zero state)
    let x = 0x9e3779b9;
    const bytes = typeof seed === 'object' ? seed : new TextEncoder().encode(String(seed));
    for (const b of bytes) x = Math.imul(x ^ b, 0x85ebca6b) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      this.s[i] = (z ^ (z >>> 15)) >>> 0;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }
  /** a uniform 32-bit word */
  u32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }
  /** uniform in [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export interface SramPufProfile {
  /** number of SRAM cells read */
  readonly cells: number;
  /** mean bit-error rate against the reference at 25 °C, new (0 ≤ ber < 0.25) */
  readonly ber: number;
  /** P(reference bit = 1); 0.5 = unbiased */
  readonly oneBias?: number;
  /** error probability of a stable cell */
  readonly stableError?: number;
}

export interface PufConditions {
  readonly temperatureC?: number;
  readonly ageYears?: number;
}

/** The factor by which operating conditions scale every cell's error probability. */
export function conditionFactor(c: PufConditions = {}): number {
  return 1 + 0.01 * Math.abs((c.temperatureC ?? 25) - 25) + 0.05 * (c.ageYears ?? 0);
}

/** One chip's SRAM: fixed reference pattern and per-cell error probabilities from the device seed. */
export class SramPuf {
  readonly reference: Uint8Array;
  readonly cellError: Float64Array;
  readonly unstableFraction: number;

  constructor(
    readonly deviceSeed: string,
    readonly profile: SramPufProfile,
  ) {
    const { cells, ber } = profile;
    const stable = profile.stableError ?? 0.001;
    const oneBias = profile.oneBias ?? 0.5;
    if (!Number.isInteger(cells) || cells < 1) throw new RangeError(`SRAM PUF: cells must be a positive integer, got ${cells}`);
    if (!(ber >= stable && ber < 0.25)) throw new RangeError(`SRAM PUF: nominal BER must be in [${stable}, 0.25), got ${ber}`);
    if (!(oneBias >= 0 && oneBias <= 1)) throw new RangeError(`SRAM PUF: oneBias must be in [0, 1], got ${oneBias}`);
    // mean error = (1 − u)·stable + u·0.25  ⇒  u
    this.unstableFraction = (ber - stable) / (0.25 - stable);
    const rng = new Xoshiro128(new TextEncoder().encode(`sram-puf ${deviceSeed}`));
    this.reference = new Uint8Array(cells);
    this.cellError = new Float64Array(cells);
    for (let i = 0; i < cells; i++) {
      this.reference[i] = rng.next() < oneBias ? 1 : 0;
      this.cellError[i] = rng.next() < this.unstableFraction ? rng.next() * 0.5 : stable;
    }
  }

  /** The mean error probability under the given conditions (the BER a read shows on average). */
  expectedBer(conditions: PufConditions = {}): number {
    const f = conditionFactor(conditions);
    let s = 0;
    for (const e of this.cellError) s += Math.min(0.5, e * f);
    return s / this.cellError.length;
  }

  /**
   * Power the SRAM up: one noisy read of every cell, held in a {@link PufReadout} until burnt.
   * `noise` decides the flips of this power-up (a fresh seed per boot).
   */
  powerUp(noise: Xoshiro128, conditions: PufConditions = {}): PufReadout {
    const f = conditionFactor(conditions);
    const bits = new Uint8Array(this.reference.length);
    for (let i = 0; i < bits.length; i++) bits[i] = this.reference[i]! ^ (noise.next() < Math.min(0.5, this.cellError[i]! * f) ? 1 : 0);
    return new PufReadout(bits);
  }
}

/**
 * Enrolment (the factory's read for GRU generate): the per-cell majority of `reads` power-ups
 * (odd). One noisy read as enrolment would double the error rate every later boot sees — two
 * independent noisy reads differ in 2e(1 − e) of a cell's power-ups, about 20 % at a nominal 15 %
 * with this noise model — while the majority of many reads is the reference pattern except for
 * the cells that are close to a coin anyway, so later reads differ from it at about the nominal
 * BER (the helper-data literature enrols the same way, e.g. Bösch et al., CHES 2008 §2).
 */
export function enrolmentRead(puf: SramPuf, noise: Xoshiro128, reads = 31, conditions: PufConditions = {}): Uint8Array {
  if (!Number.isInteger(reads) || reads < 1 || reads % 2 === 0) throw new RangeError(`enrolment needs an odd number of reads, got ${reads}`);
  const ones = new Uint16Array(puf.reference.length);
  for (let r = 0; r < reads; r++) {
    const ro = puf.powerUp(noise, conditions);
    const bits = ro.read();
    ro.burn();
    for (let i = 0; i < bits.length; i++) ones[i]! += bits[i]!;
  }
  return Uint8Array.from(ones, (n) => (2 * n > reads ? 1 : 0));
}

/**
 * The SRAM contents after power-up. "Burn after reading" (seed 002 §2.2.1; §3.1: the BootROM
 * destroys the PUF object before the secure OS runs): `burn()` overwrites the cells, and every
 * later read returns the overwritten contents (all zero), which carry nothing of the fingerprint.
 */
export class PufReadout {
  private burnt = false;
  constructor(private readonly bits: Uint8Array) {}
  get isBurnt(): boolean {
    return this.burnt;
  }
  /** the current SRAM contents (a copy) */
  read(): Uint8Array {
    return this.bits.slice();
  }
  burn(): void {
    this.bits.fill(0);
    this.burnt = true;
  }
}
