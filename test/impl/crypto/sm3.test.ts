/**
 * SM3 and HMAC-SM3 of the tcm suite: the GB/T 32905-2016 Appendix A known answers, and
 * seeded fast-check cross-checks against Node's OpenSSL SM3 (an independent implementation)
 * at every length around the padding boundaries and for HMAC.
 * @module
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, getHashes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CryptoError, sm3, tcmSm2 as suite } from '../../../impl/crypto/index.ts';
import { field, hex, readRecords, toHex } from './vector-files.ts';

const SEED = 0x5e3;
const openssl = getHashes().includes('sm3');

describe('SM3 (GB/T 32905-2016)', () => {
  // GB/T 32905-2016 Appendix A examples 1 and 2 (= GM/T 0004-2012, draft-oscca-cfrg-sm3-02
  // Appendix A): test/vectors/gbt-32905/README.md says where they were transcribed from
  const examples = readRecords('gbt-32905/sm3-appendix-a.txt');
  it('reads both Appendix A examples', () => assert.deepEqual(examples.map((e) => e['Example']), ['A.1', 'A.2']));
  for (const ex of examples) {
    it(`GB/T 32905-2016 ${field(ex, 'Example')}: ${hex(field(ex, 'Message')).length}-byte message`, () => {
      const msg = hex(field(ex, 'Message'));
      const md = toHex(hex(field(ex, 'Hash')));
      assert.equal(toHex(suite.hash(msg)), md);
      // the streaming interface, split at every offset, gives the same digest
      for (let cut = 0; cut <= msg.length; cut++) {
        assert.equal(toHex(sm3.create().update(msg.subarray(0, cut)).update(msg.subarray(cut)).digest()), md, `cut ${cut}`);
      }
    });
  }

  it('a one-bit change of the message changes the digest (the KAT is not vacuous)', () => {
    const msg = hex('616262');
    assert.notEqual(toHex(suite.hash(msg)), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('rejects a non-Uint8Array', () => {
    assert.throws(() => suite.hash('abc' as unknown as Uint8Array), CryptoError);
  });

  it('agrees with OpenSSL SM3 on every length 0..200 and on random messages', { skip: !openssl && 'no sm3 in this OpenSSL' }, () => {
    for (let n = 0; n <= 200; n++) {
      const m = Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 0xff);
      assert.equal(toHex(sm3(m)), createHash('sm3').update(m).digest('hex'), `length ${n}`);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (m) => toHex(sm3(m)) === createHash('sm3').update(m).digest('hex')),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('HMAC-SM3 (RFC 2104 over SM3)', () => {
  it('agrees with OpenSSL HMAC-SM3 for keys shorter and longer than the block', { skip: !openssl && 'no sm3 in this OpenSSL' }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 150 }), fc.uint8Array({ maxLength: 500 }), (k, m) => {
        return toHex(suite.hmac(k, m)) === createHmac('sm3', k).update(m).digest('hex');
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('differs from HMAC-SHA256 and from plain SM3 (keys and hash matter)', () => {
    const k = hex('0b'.repeat(20));
    const m = hex('4869205468657265');
    assert.notEqual(toHex(suite.hmac(k, m)), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    assert.notEqual(toHex(suite.hmac(k, m)), toHex(suite.hmac(hex('0c'.repeat(20)), m)));
  });
});
