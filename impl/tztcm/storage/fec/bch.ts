/**
 * Binary primitive narrow-sense BCH codes of length n = 2^m − 1 correcting t errors: the
 * generator polynomial as the LCM of the minimal polynomials of α, α^2, …, α^2t (Lin & Costello
 * §6.1), systematic encoding, and bounded-distance decoding — syndromes, Berlekamp–Massey for the
 * error-locator polynomial (Massey, IEEE Trans. IT-15, 1969), Chien search for its roots (Chien,
 * IEEE Trans. IT-10, 1964).
 *
 * Bit vectors are Uint8Array of 0/1, index i = coefficient of x^i. A codeword is
 * parity (n − k bits, x^0 … x^{n−k−1}) then message (k bits, x^{n−k} … x^{n−1}).
 *
 * A decoder given more than t errors either reports failure (the locator has degree > t or fewer
 * roots than its degree) or returns another codeword within distance t of the word received — a
 * miscorrection — as bounded-distance decoding must (Lin & Costello §6.2).
 * @module
 */
import { GF2m } from './gf2m.ts';

export type BchDecode =
  | { readonly ok: true; readonly message: Uint8Array; readonly corrected: number }
  | { readonly ok: false; readonly reason: string };

export class BchCode {
  readonly gf: GF2m;
  readonly n: number;
  readonly k: number;
  /** generator polynomial g(x), ascending coefficients (length n − k + 1) */
  readonly generator: Uint8Array;

  constructor(
    readonly m: number,
    readonly t: number,
  ) {
    this.gf = new GF2m(m);
    this.n = this.gf.n;
    if (!Number.isInteger(t) || t < 1 || 2 * t >= this.n) throw new RangeError(`BCH(${this.n}): t must be in 1..${(this.n - 1) >> 1}, got ${t}`);
    this.generator = this.generatorPoly();
    this.k = this.n - (this.generator.length - 1);
    if (this.k < 1) throw new RangeError(`BCH(${this.n}, t=${t}) has no message bits`);
  }

  /** LCM of the minimal polynomials of α^1 … α^2t: one factor per cyclotomic coset met. */
  private generatorPoly(): Uint8Array {
    const { gf, n } = this;
    const seen = new Uint8Array(n);
    let g: number[] = [1]; // coefficients in GF(2^m), ascending
    for (let i = 1; i <= 2 * this.t; i++) {
      if (seen[i % n]) continue;
      // the coset {i, 2i, 4i, …} mod n: the roots of the minimal polynomial of α^i
      for (let j = i % n; !seen[j]; j = (2 * j) % n) {
        seen[j] = 1;
        const next = new Array<number>(g.length + 1).fill(0);
        const root = gf.exp[j]!;
        for (let d = 0; d < g.length; d++) {
          next[d + 1]! ^= g[d]!;
          next[d]! ^= gf.mul(g[d]!, root);
        }
        g = next;
      }
    }
    if (g.some((c) => c > 1)) throw new Error('BCH: generator polynomial not binary (internal error)');
    return Uint8Array.from(g);
  }

  /** Systematic encoding: c(x) = x^{n−k}·m(x) + (x^{n−k}·m(x) mod g(x)). */
  encode(message: Uint8Array): Uint8Array {
    const { n, k, generator: g } = this;
    if (message.length !== k) throw new RangeError(`BCH(${n},${k}) encode: message must be ${k} bits, got ${message.length}`);
    const r = n - k;
    const c = new Uint8Array(n);
    c.set(message, r);
    const rem = c.slice();
    for (let i = n - 1; i >= r; i--) {
      if (!rem[i]) continue;
      for (let j = 0; j <= r; j++) rem[i - r + j]! ^= g[j]!;
    }
    c.set(rem.subarray(0, r), 0);
    return c;
  }

  /** S_j = r(α^j), j = 1 … 2t; over GF(2), S_2j = S_j² so only odd j are evaluated. */
  syndromes(word: Uint8Array): Uint16Array {
    const { gf, n, t } = this;
    const S = new Uint16Array(2 * t + 1); // S[j], index 0 unused
    const { exp } = gf;
    for (let i = 0; i < n; i++) {
      if (!word[i]) continue;
      // exponents i·j mod n for j = 1, 3, 5, …: step 2i without a division
      const step = (2 * i) % n;
      let e = i;
      for (let j = 1; j <= 2 * t; j += 2) {
        S[j]! ^= exp[e]!;
        e += step;
        if (e >= n) e -= n;
      }
    }
    for (let j = 2; j <= 2 * t; j += 2) S[j] = gf.mul(S[j >> 1]!, S[j >> 1]!);
    return S;
  }

  /** Correct up to t errors and return the message bits, or report that decoding failed. */
  decode(word: Uint8Array): BchDecode {
    const { gf, n, k, t } = this;
    if (word.length !== n) return { ok: false, reason: `BCH(${n},${k}): word must be ${n} bits, got ${word.length}` };
    const S = this.syndromes(word);
    let zero = true;
    for (let j = 1; j <= 2 * t; j++) if (S[j]) zero = false;
    if (zero) return { ok: true, message: word.slice(n - k), corrected: 0 };

    // Berlekamp–Massey: the shortest LFSR Λ(x) generating S_1 … S_2t
    let C = new Uint16Array(2 * t + 2);
    let B = new Uint16Array(2 * t + 2);
    C[0] = 1;
    B[0] = 1;
    let L = 0;
    let shift = 1;
    let b = 1;
    for (let r = 0; r < 2 * t; r++) {
      let d = S[r + 1]!;
      for (let i = 1; i <= L; i++) d ^= gf.mul(C[i]!, S[r + 1 - i]!);
      if (d === 0) {
        shift++;
        continue;
      }
      const coef = gf.div(d, b);
      const T = C.slice();
      for (let i = 0; i + shift < C.length; i++) C[i + shift]! ^= gf.mul(coef, B[i]!);
      if (2 * L <= r) {
        L = r + 1 - L;
        B = T;
        b = d;
        shift = 1;
      } else shift++;
    }
    if (L > t) return { ok: false, reason: `more than ${t} errors (error locator of degree ${L})` };

    // Chien search: Λ(α^{−i}) = 0 ⇔ an error at position i. reg[j] holds log(Λ_j · α^{−ij}),
    // stepped by −j per position (a subtraction, no multiplication)
    const out = word.slice();
    let roots = 0;
    const reg = new Int32Array(L + 1);
    for (let j = 1; j <= L; j++) reg[j] = C[j] ? gf.log[C[j]!]! : -1;
    const { exp } = gf;
    for (let i = 0; i < n && roots < L; i++) {
      let v = 1; // Λ_0 = 1
      for (let j = 1; j <= L; j++) {
        let e = reg[j]!;
        if (e < 0) continue;
        v ^= exp[e]!;
        e -= j;
        reg[j] = e < 0 ? e + n : e;
      }
      if (v === 0) {
        out[i]! ^= 1;
        roots++;
      }
    }
    if (roots !== L) return { ok: false, reason: `more than ${t} errors (locator of degree ${L} has ${roots} roots in the field)` };
    return { ok: true, message: out.slice(n - k), corrected: roots };
  }
}
