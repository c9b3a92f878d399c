/**
 * The finite field GF(2^m), 3 ≤ m ≤ 12, by log / antilog tables over a primitive polynomial.
 * The default polynomials are the ones Lin & Costello, "Error Control Coding" (2nd ed.), use for
 * their BCH tables (Appendix C): each equals the generator of the t = 1 code of length 2^m − 1.
 * @module
 */

/** Primitive polynomials, bit i = coefficient of x^i (octal as Lin & Costello print them). */
export const PRIMITIVE_POLY: Readonly<Record<number, number>> = {
  3: 0o13, // x^3 + x + 1
  4: 0o23, // x^4 + x + 1
  5: 0o45, // x^5 + x^2 + 1
  6: 0o103, // x^6 + x + 1
  7: 0o211, // x^7 + x^3 + 1
  8: 0o435, // x^8 + x^4 + x^3 + x^2 + 1
  9: 0o1021, // x^9 + x^4 + 1
  10: 0o2011, // x^10 + x^3 + 1
  11: 0o4005, // x^11 + x^2 + 1
  12: 0o10123, // x^12 + x^6 + x^4 + x + 1
};

export class GF2m {
  /** 2^m − 1: the order of the multiplicative group */
  readonly n: number;
  /** exp[i] = α^i for 0 ≤ i < 2n (doubled so a product needs no reduction mod n) */
  readonly exp: Uint16Array;
  /** log[x] = i with α^i = x, for x ≠ 0 */
  readonly log: Int32Array;

  constructor(
    readonly m: number,
    readonly poly: number = PRIMITIVE_POLY[m] ?? 0,
  ) {
    if (!Number.isInteger(m) || m < 3 || m > 12) throw new RangeError(`GF(2^m): m must be in 3..12, got ${m}`);
    this.n = (1 << m) - 1;
    this.exp = new Uint16Array(2 * this.n);
    this.log = new Int32Array(this.n + 1).fill(-1);
    let x = 1;
    for (let i = 0; i < this.n; i++) {
      if (this.log[x] !== -1) throw new RangeError(`GF(2^${m}): polynomial 0o${poly.toString(8)} is not primitive`);
      this.exp[i] = x;
      this.log[x] = i;
      x <<= 1;
      if (x & (1 << m)) x ^= poly;
    }
    for (let i = this.n; i < 2 * this.n; i++) this.exp[i] = this.exp[i - this.n]!;
  }

  mul(a: number, b: number): number {
    return a === 0 || b === 0 ? 0 : this.exp[this.log[a]! + this.log[b]!]!;
  }
  div(a: number, b: number): number {
    if (b === 0) throw new RangeError('GF(2^m): division by zero');
    return a === 0 ? 0 : this.exp[this.log[a]! - this.log[b]! + this.n]!;
  }
  /** α^e for any integer e */
  pow(e: number): number {
    return this.exp[((e % this.n) + this.n) % this.n]!;
  }
}
