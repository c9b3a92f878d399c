/**
 * The code-offset fuzzy extractor over rep(7) × BCH(511, 277, 28): the parameters meet the goal
 * analytically, a key round-trips through a noisy PUF read, and other chips or altered helper
 * data do not yield the key.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyticFailure, bchDimension, binomialTail, designSearch, DESIGN_BER, FE_PARAMS, repetitionError } from '../../../../impl/tztcm/storage/fec/fe-parameters.ts';
import { ConcatenatedCode } from '../../../../impl/tztcm/storage/fec/concatenated-code.ts';
import { feCode, feGenerate, feRebuild, PUF_BITS } from '../../../../impl/tztcm/storage/fuzzy-extractor.ts';
import { enrolmentRead, SramPuf, Xoshiro128 } from '../../../../impl/tztcm/storage/puf/sram-puf.ts';

describe('fuzzy extractor parameters', () => {
  it('rep(7) × BCH(511, 277, t=28): 3577 PUF bits, ≥ 256 message bits, failure ≤ 1e-9 at 15 % BER (and at 15.6 %)', () => {
    const code = feCode();
    assert.equal(code.outer.n, 511);
    assert.equal(code.k, 277);
    assert.equal(PUF_BITS(), 3577);
    assert.ok(code.k >= FE_PARAMS.keyBits);
    const f = analyticFailure(0.15);
    assert.ok(f <= 1e-9 && f > 1e-12, `analytic failure at 15 %: ${f}`);
    assert.ok(analyticFailure(0.156) <= 1e-9);
  });

  it('a weaker design misses the goal (the bound is not vacuous): t = 24 fails more than 1e-9 at 15 %, t = 26 at 15.6 %', () => {
    assert.ok(analyticFailure(0.15, { m: 9, t: 24, r: 7 }) > 1e-9);
    assert.ok(analyticFailure(0.156, { m: 9, t: 26, r: 7 }) > 1e-9);
    assert.ok(analyticFailure(0.15, { m: 9, t: 26, r: 5 }) > 1e-6);
  });

  it('binomial tails: small exact cases', () => {
    assert.ok(Math.abs(repetitionError(3, 0.1) - (3 * 0.01 * 0.9 + 0.001)) < 1e-15);
    assert.ok(Math.abs(binomialTail(4, 0.5, 1) - 11 / 16) < 1e-15);
    assert.equal(binomialTail(10, 0, 0), 0);
  });
});

describe('concatenated code', () => {
  it('majority decoding corrects up to (r−1)/2 flips per group and no more', () => {
    const code = new ConcatenatedCode(4, 2, 5);
    const msg = Uint8Array.from([1, 0, 1, 1, 0, 0, 1]);
    const c = code.encode(msg);
    const two = c.slice();
    for (let g = 0; g < 15; g++) (two[g * 5]! ^= 1), (two[g * 5 + 3]! ^= 1);
    assert.deepEqual(code.decode(two), { ok: true, message: msg, corrected: 0 });
    const three = two.slice();
    three[1]! ^= 1; // group 0 now has three flips: one outer error
    const d = code.decode(three);
    assert.ok(d.ok && d.corrected === 1);
    assert.throws(() => new ConcatenatedCode(4, 2, 4), /odd/);
  });
});

describe('code-offset fuzzy extractor', () => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
  const puf = new SramPuf('chip-A', { cells: PUF_BITS(), ber: 0.15 });
  const enrol = enrolmentRead(puf, new Xoshiro128('enrol-A'));
  const helper = feGenerate(key, enrol);

  it('rebuilds KeyS from fresh reads of the same chip at 15 % BER (ten boots)', () => {
    for (let boot = 0; boot < 10; boot++) {
      const r = feRebuild(helper, puf.powerUp(new Xoshiro128(boot)).read());
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.deepEqual(r.keyS, key);
    }
  });

  it('another chip never yields the key', () => {
    for (let chip = 0; chip < 5; chip++) {
      const other = new SramPuf(`chip-${chip}`, { cells: PUF_BITS(), ber: 0.15 });
      const r = feRebuild(helper, other.powerUp(new Xoshiro128(chip)).read());
      assert.ok(!r.ok || !Buffer.from(r.keyS).equals(key));
    }
  });

  it('a burnt SRAM (all zero) does not rebuild the key', () => {
    const ro = puf.powerUp(new Xoshiro128(99));
    ro.burn();
    const r = feRebuild(helper, ro.read());
    assert.ok(!r.ok || !Buffer.from(r.keyS).equals(key));
  });

  it('truncated helper data is refused with a reason', () => {
    const r = feRebuild(helper.subarray(0, 100), enrol);
    assert.ok(!r.ok && /helper data has 100 bits/.test(r.reason));
  });
});

describe('design search', () => {
  it('the chosen rep(7) x BCH(511, 277, 28) is the design with the fewest PUF bits meeting 1e-9 at the design BER 15.6 %; at 15 % the same length needs t = 26', () => {
    assert.deepEqual([designSearch(0.15)[0]!.t, designSearch(0.15)[0]!.pufBits], [26, 3577]);
    const d = designSearch(DESIGN_BER);
    assert.deepEqual({ m: d[0]!.m, r: d[0]!.r, t: d[0]!.t, k: d[0]!.k, blocks: d[0]!.blocks, pufBits: d[0]!.pufBits }, { m: FE_PARAMS.m, r: FE_PARAMS.r, t: FE_PARAMS.t, k: 277, blocks: 1, pufBits: 3577 });
    assert.ok(d.every((x) => x.failure <= 1e-9));
    assert.ok(d.length > 10);
  });

  it('bchDimension agrees with the constructed codes', () => {
    for (const [m, t] of [[4, 2], [6, 5], [8, 13], [9, 26]] as const) assert.equal(bchDimension(m, t), new ConcatenatedCode(m, t, 1).k);
  });
});
