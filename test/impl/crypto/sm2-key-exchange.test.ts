/**
 * SM2 key exchange (GB/T 32918.3-2016; impl/crypto/sm2-key-exchange.ts) against the standard's
 * Appendix A.2 example on its 256-bit example curve (test/vectors/gmt-0003/
 * sm2-key-exchange-example.txt: keys, ephemeral points, K = 55B0AC62…): both sides derive the
 * standard's K and accept each other's confirmations; paired with what must fail (another
 * ephemeral point, a tampered confirmation, an identity swapped). Then a seeded property on the
 * recommended curve with SM3 (the tcm suite's curve).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import fc from 'fast-check';
import { sm3 } from '../../../impl/crypto/index.ts';
import { sm2Point } from '../../../impl/crypto/sm2-curve.ts';
import { sm2KeyExchange } from '../../../impl/crypto/sm2-key-exchange.ts';

const read = (f: string) =>
  readFileSync(new URL(`../../vectors/gmt-0003/${f}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.includes(' = ') && !l.startsWith('#'))
    .map((l) => l.split(' = ') as [string, string]);
const kx = Object.fromEntries(read('sm2-key-exchange-example.txt')) as Record<string, string>;
// the example curve's parameters: the record of the signature examples file (example-fp256)
const lines = read('sm2-signature-examples.txt');
const start = lines.findIndex(([k, v]) => k === 'Curve' && v === 'example-fp256');
const curve = Object.fromEntries(lines.slice(start, start + 8)) as Record<string, string>;
const big = (s: string) => BigInt('0x' + s);
const h = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const pt = (x: string, y: string) => h('04' + x + y);

const Example = weierstrass({ p: big(curve['p']!), a: big(curve['a']!), b: big(curve['b']!), Gx: big(curve['Gx']!), Gy: big(curve['Gy']!), n: big(curve['n']!), h: 1n });

test('GB/T 32918.3 Appendix A.2: A and B derive K = 55B0AC62… and confirm each other', () => {
  const x = sm2KeyExchange(Example, sm3);
  assert.equal(Buffer.from(x.ephemeral(big(kx['rA']!))).toString('hex'), ('04' + kx['x1'] + kx['y1']).toLowerCase());
  assert.equal(Buffer.from(x.ephemeral(big(kx['rB']!))).toString('hex'), ('04' + kx['x2'] + kx['y2']).toLowerCase());
  const PA = pt(kx['xA']!, kx['yA']!);
  const PB = pt(kx['xB']!, kx['yB']!);
  const RA = pt(kx['x1']!, kx['y1']!);
  const RB = pt(kx['x2']!, kx['y2']!);
  const b = x.agree({ initiator: false, d: big(kx['dB']!), r: big(kx['rB']!), id: h(kx['IDB']!), peerPub: PA, peerR: RA, peerId: h(kx['IDA']!) }, 16);
  const a = x.agree({ initiator: true, d: big(kx['dA']!), r: big(kx['rA']!), id: h(kx['IDA']!), peerPub: PB, peerR: RB, peerId: h(kx['IDB']!) }, 16);
  assert.equal(Buffer.from(a.key).toString('hex'), kx['K']!.toLowerCase());
  assert.deepEqual(b.key, a.key);
  assert.deepEqual(a.expected, b.confirmation, "A accepts B's S_B");
  assert.deepEqual(b.expected, a.confirmation, "B accepts A's S_A");
  // what must fail: a man-in-the-middle's ephemeral point, swapped identities, a flipped confirmation
  const mitm = x.ephemeral(12345n);
  const a2 = x.agree({ initiator: true, d: big(kx['dA']!), r: big(kx['rA']!), id: h(kx['IDA']!), peerPub: PB, peerR: mitm, peerId: h(kx['IDB']!) }, 16);
  assert.notDeepEqual(a2.key, b.key);
  assert.notDeepEqual(a2.expected, b.confirmation);
  const a3 = x.agree({ initiator: true, d: big(kx['dA']!), r: big(kx['rA']!), id: h(kx['IDB']!), peerPub: PB, peerR: RB, peerId: h(kx['IDA']!) }, 16);
  assert.notDeepEqual(a3.key, b.key);
  const off = RB.slice();
  off[40]! ^= 1;
  assert.throws(() => x.agree({ initiator: true, d: big(kx['dA']!), r: big(kx['rA']!), peerPub: PB, peerR: off }, 16), /not a point/);
});

test('SM2 key exchange on the recommended curve: both sides agree for random keys (seeded)', () => {
  const x = sm2KeyExchange(sm2Point, sm3);
  const n = sm2Point.Fn.ORDER;
  const scalar = fc.bigInt({ min: 1n, max: n - 2n });
  fc.assert(
    fc.property(scalar, scalar, scalar, scalar, (dA, rA, dB, rB) => {
      const PA = x.ephemeral(dA);
      const PB = x.ephemeral(dB);
      const a = x.agree({ initiator: true, d: dA, r: rA, peerPub: PB, peerR: x.ephemeral(rB) }, 32);
      const b = x.agree({ initiator: false, d: dB, r: rB, peerPub: PA, peerR: x.ephemeral(rA) }, 32);
      assert.deepEqual(a.key, b.key);
      assert.deepEqual(a.expected, b.confirmation);
    }),
    { seed: 329183, numRuns: 15 },
  );
});
