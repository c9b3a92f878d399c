/**
 * The code-offset fuzzy extractor over rep(7) × BCH(511, 295, 26): the parameters meet the goal
 * analytically, a key round-trips through a noisy PUF read, and other chips or altered helper
 * data do not yield the key.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyticFailure, binomialTail, FE_PARAMS, repetitionError } from '../../../impl/tztcm/storage/fec/fe-parameters.ts';
import { ConcatenatedCode } from '../../../impl/tztcm/storage/fec/concatenated-code.ts';
import { feCode, feGenerate, feRebuild, PUF_BITS } from '../../../impl/tztcm/storage/fuzzy-extractor.ts';
import { SramPuf, Xoshiro128 } from '../../../impl/tztcm/storage/puf/sram-puf.ts';

describe('fuzzy extractor parameters', () => {
  it('rep(7) × BCH(511, 295, t=26): 3577 PUF bits, ≥ 256 message bits, failure ≤ 1e-9 at 15 % BER', () => {
    const code = feCode();
    assert.equal(code.outer.n, 511);
    assert.equal(code.k, 295);
    assert.equal(PUF_BITS(), 3577);
    assert.ok(code.k >= FE_PARAMS.keyBits);
    const f = analyticFailure(0.15);
    assert.ok(f <= 1e-9 && f > 1e-11, `analytic failure at 15 %: ${f}`);
  });

  it('a weaker design misses the goal (the bound is not vacuous): t = 22 fails more than 1e-9 at 15 %', () => {
    assert.ok(analyticFailure(0.15, { m: 9, t: 22, r: 7 }) > 1e-9);
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
  const enrol = puf.powerUp(new Xoshiro128('enrol-A')).read();
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
