/**
 * BCH over GF(2^m): generator polynomials against Lin & Costello's table, encoding and
 * bounded-distance decoding at every error weight up to t, and what t + 1 errors do.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BchCode } from '../../../../impl/tztcm/storage/fec/bch.ts';
import { GF2m } from '../../../../impl/tztcm/storage/fec/gf2m.ts';
import { readJson } from '../../crypto/vector-files.ts';

const octal = (bits: Uint8Array) => {
  let x = 0n;
  for (let i = bits.length - 1; i >= 0; i--) x = (x << 1n) | BigInt(bits[i]!);
  return x.toString(8);
};

const randomBits = (n: number) => fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 1 });
/** w distinct positions in 0..n−1 */
const positions = (n: number, w: number) => fc.uniqueArray(fc.nat(n - 1), { minLength: w, maxLength: w });

function flip(word: Uint8Array, at: number[]): Uint8Array {
  const out = word.slice();
  for (const i of at) out[i]! ^= 1;
  return out;
}

describe('GF(2^m)', () => {
  it('every default polynomial is primitive; a non-primitive one is refused', () => {
    for (let m = 3; m <= 12; m++) {
      const gf = new GF2m(m);
      assert.equal(gf.mul(gf.pow(5), gf.pow(-5)), 1);
    }
    // x^4 + x^3 + x^2 + x + 1 is irreducible but not primitive (α has order 5)
    assert.throws(() => new GF2m(4, 0b11111), /not primitive/);
  });
});

describe('BCH generator polynomials', () => {
  // Lin & Costello, Error Control Coding, Appendix C, as transcribed in
  // test/vectors/lin-costello/README.md (via mhostetter/galois tests/codes/bch/test_properties.py)
  const rows = readJson<{ n: number; k: number; t: number; g: string }[]>('lin-costello/bch-generator-polys.json');
  for (const row of rows) {
    it(`BCH(${row.n}, ${row.k}), t = ${row.t}: g = ${row.g.length > 24 ? row.g.slice(0, 20) + '…' : row.g} (octal)`, () => {
      const code = new BchCode(Math.log2(row.n + 1), row.t);
      assert.equal(code.k, row.k);
      assert.equal(octal(code.generator), row.g);
    });
  }
});

describe('BCH encode / decode', () => {
  for (const [m, t] of [
    [4, 2],
    [6, 5],
    [8, 13],
    [9, 26],
  ] as const) {
    const code = new BchCode(m, t);
    it(`BCH(${code.n}, ${code.k}, t=${t}): a codeword has zero syndromes; a message round-trips at every weight 0..t`, () => {
      fc.assert(
        fc.property(randomBits(code.k), (msg) => {
          const c = code.encode(msg);
          assert.ok(code.syndromes(c).every((s) => s === 0));
          for (let w = 0; w <= t; w++) {
            const e = fc.sample(positions(code.n, w), { numRuns: 1, seed: w * 7919 + msg.length })[0]!;
            const d = code.decode(flip(c, e));
            assert.ok(d.ok, `weight ${w}: ${d.ok ? '' : d.reason}`);
            assert.deepEqual(d.message, msg);
            assert.equal(d.corrected, w);
          }
        }),
        { seed: 1601 + m, numRuns: m === 9 ? 6 : 20 },
      );
    });

    it(`BCH(${code.n}, ${code.k}, t=${t}): t + 1 errors are detected or miscorrected to another codeword, never silently accepted as the original`, () => {
      let failed = 0;
      let miscorrected = 0;
      fc.assert(
        fc.property(randomBits(code.k), positions(code.n, t + 1), (msg, e) => {
          const c = code.encode(msg);
          const r = flip(c, e);
          const d = code.decode(r);
          if (!d.ok) {
            failed++;
            return;
          }
          // a miscorrection: a codeword (zero syndromes) within t of r, hence ≠ c (d_min ≥ 2t + 1)
          miscorrected++;
          const parity = code.encode(d.message);
          const dist = parity.reduce((s, x, i) => s + (x ^ r[i]!), 0);
          assert.ok(dist <= t, `decoded word at distance ${dist} > t from the received word`);
          assert.notDeepEqual(d.message, msg);
        }),
        { seed: 1701 + m, numRuns: 60 },
      );
      assert.equal(failed + miscorrected, 60);
      assert.ok(failed > 0, 'some t + 1 patterns must be reported as decoding failures');
    });
  }

  it('refuses wrong lengths and impossible parameters with a reason', () => {
    const code = new BchCode(4, 2);
    assert.throws(() => code.encode(new Uint8Array(3)), /message must be 7 bits/);
    const d = code.decode(new Uint8Array(14));
    assert.ok(!d.ok && /word must be 15 bits/.test(d.reason));
    assert.throws(() => new BchCode(4, 8), /t must be/);
  });
});
