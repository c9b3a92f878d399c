/**
 * The concatenated code of the fuzzy extractor: an outer BCH code and an inner repetition code
 * (each BCH bit sent r times, decoded by majority). The construction of Bösch, Guajardo,
 * Sadeghi, Shokrollahi, Tuyls, "Efficient helper data key extractor on FPGAs", CHES 2008 §4:
 * the repetition code takes the raw PUF error rate (15 %) down to one a BCH code of moderate
 * length can handle.
 * @module
 */
import { BchCode, type BchDecode } from './bch.ts';

export class ConcatenatedCode {
  readonly outer: BchCode;
  /** code length in bits: n_outer · r */
  readonly length: number;
  /** message bits: k of the outer code */
  readonly k: number;

  constructor(
    m: number,
    t: number,
    /** repetition factor, odd */
    readonly r: number,
  ) {
    if (!Number.isInteger(r) || r < 1 || r % 2 === 0) throw new RangeError(`repetition factor must be odd and positive, got ${r}`);
    this.outer = new BchCode(m, t);
    this.length = this.outer.n * r;
    this.k = this.outer.k;
  }

  encode(message: Uint8Array): Uint8Array {
    const c = this.outer.encode(message);
    const out = new Uint8Array(this.length);
    for (let i = 0; i < c.length; i++) if (c[i]) out.fill(1, i * this.r, (i + 1) * this.r);
    return out;
  }

  /** majority vote per group of r bits: the outer code's received word */
  innerDecode(word: Uint8Array): Uint8Array {
    const { r } = this;
    const out = new Uint8Array(this.outer.n);
    for (let i = 0; i < out.length; i++) {
      let ones = 0;
      for (let j = i * r; j < (i + 1) * r; j++) ones += word[j]!;
      out[i] = 2 * ones > r ? 1 : 0;
    }
    return out;
  }

  decode(word: Uint8Array): BchDecode {
    if (word.length !== this.length) return { ok: false, reason: `expected ${this.length} bits, got ${word.length}` };
    return this.outer.decode(this.innerDecode(word));
  }
}
