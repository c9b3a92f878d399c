/**
 * The SRAM PUF simulation: a fixed reference per device, reads at the stated BER, conditions that
 * raise it, burn after reading.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enrolmentRead, SramPuf, Xoshiro128 } from '../../../../impl/tztcm/storage/puf/sram-puf.ts';

const hd = (a: Uint8Array, b: Uint8Array) => a.reduce((s, x, i) => s + (x ^ b[i]!), 0);

describe('SRAM PUF', () => {
  const cells = 20000;
  it('a device has one reference pattern; another device has an unrelated one', () => {
    const a = new SramPuf('chip-A', { cells, ber: 0.1 });
    const a2 = new SramPuf('chip-A', { cells, ber: 0.1 });
    const b = new SramPuf('chip-B', { cells, ber: 0.1 });
    assert.deepEqual(a.reference, a2.reference);
    const d = hd(a.reference, b.reference) / cells;
    assert.ok(d > 0.48 && d < 0.52, `inter-device distance ${d}`);
  });

  it('a read differs from the reference at the nominal BER (within 4 sigma), and more when hot and aged', () => {
    for (const ber of [0.05, 0.15]) {
      const puf = new SramPuf('chip-A', { cells, ber });
      const r = puf.powerUp(new Xoshiro128(7)).read();
      const measured = hd(r, puf.reference) / cells;
      const sigma = Math.sqrt((ber * (1 - ber)) / cells);
      assert.ok(Math.abs(measured - ber) < 4 * sigma + 0.005, `ber ${ber}: measured ${measured}`);
      const hot = hd(puf.powerUp(new Xoshiro128(8), { temperatureC: 85, ageYears: 5 }).read(), puf.reference) / cells;
      assert.ok(hot > measured * 1.3, `hot and aged ${hot} vs ${measured}`);
      assert.ok(Math.abs(puf.expectedBer({ temperatureC: 85, ageYears: 5 }) - hot) < 0.02);
    }
  });

  it('two reads of one device are close; the noise differs per power-up', () => {
    const puf = new SramPuf('chip-A', { cells, ber: 0.05 });
    const r1 = puf.powerUp(new Xoshiro128(1)).read();
    const r2 = puf.powerUp(new Xoshiro128(2)).read();
    assert.notDeepEqual(r1, r2);
    assert.ok(hd(r1, r2) / cells < 0.12);
  });

  it('stable and unstable cells: most errors come from the unstable fraction', () => {
    const puf = new SramPuf('chip-A', { cells, ber: 0.15 });
    const unstable = Array.from(puf.cellError).filter((e) => e > 0.001).length / cells;
    assert.ok(Math.abs(unstable - puf.unstableFraction) < 0.02, `${unstable} vs ${puf.unstableFraction}`);
  });

  it('burn after reading: the SRAM then holds nothing of the fingerprint', () => {
    const puf = new SramPuf('chip-A', { cells, ber: 0.05 });
    const ro = puf.powerUp(new Xoshiro128(3));
    const first = ro.read();
    assert.deepEqual(ro.read(), first, 'read twice before the burn: the same contents');
    ro.burn();
    assert.ok(ro.isBurnt);
    assert.equal(hd(ro.read(), new Uint8Array(cells)), 0);
    assert.ok(hd(ro.read(), puf.reference) / cells > 0.45);
  });

  it('enrolment by the majority of 31 reads: later reads differ from it at about the nominal BER; one read as enrolment doubles it', () => {
    const puf = new SramPuf('chip-A', { cells, ber: 0.15 });
    const enrolled = enrolmentRead(puf, new Xoshiro128('enrol'));
    const single = puf.powerUp(new Xoshiro128('single')).read();
    let vsMajority = 0;
    let vsSingle = 0;
    for (let boot = 0; boot < 5; boot++) {
      const r = puf.powerUp(new Xoshiro128(100 + boot)).read();
      vsMajority += hd(r, enrolled) / cells / 5;
      vsSingle += hd(r, single) / cells / 5;
    }
    assert.ok(vsMajority > 0.14 && vsMajority < 0.16, `vs majority enrolment: ${vsMajority}`);
    assert.ok(vsSingle > 0.19, `vs a single-read enrolment: ${vsSingle}`);
    assert.throws(() => enrolmentRead(puf, new Xoshiro128(1), 4), /odd/);
  });

  it('refuses a profile it cannot realise', () => {
    assert.throws(() => new SramPuf('x', { cells: 0, ber: 0.1 }), /cells/);
    assert.throws(() => new SramPuf('x', { cells: 10, ber: 0.3 }), /BER/);
  });
});
