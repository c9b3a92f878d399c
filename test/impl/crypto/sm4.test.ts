/**
 * SM4 of the tcm suite: the GB/T 32907-2016 Appendix A examples (the 1 000 000-iteration one
 * only with TCV_SLOW=1), the draft-ribose-cfrg-sm4-10 ECB and CFB examples, the RFC 8998 SM4-GCM
 * vector, and seeded cross-checks of the block cipher and CFB against Node's OpenSSL SM4.
 * @module
 */
import assert from 'node:assert/strict';
import { createCipheriv, getCiphers } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesOf } from '../../support/arbitraries.ts';
import { CryptoError, tcmSm2 as suite } from '../../../impl/crypto/index.ts';
import { sm4Block, sm4KeySchedule } from '../../../impl/crypto/sm4.ts';
import { sm4EcbDecrypt, sm4EcbEncrypt } from '../../../impl/crypto/sm4-modes.ts';
import { field, hex, readRecords, toHex } from './vector-files.ts';

const SEED = 0x5e4;
const SLOW = process.env['TCV_SLOW'] === '1';
const ciphers = getCiphers();
const isCryptoError = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;

function openssl(name: string, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array): string {
  const c = createCipheriv(name, key, iv);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]).toString('hex');
}

describe('SM4 block cipher (GB/T 32907-2016)', () => {
  // GB/T 32907-2016 Appendix A examples 1 and 2 (= draft-ribose-cfrg-sm4-10 A.1):
  // test/vectors/gbt-32907/README.md says where they were transcribed from
  const examples = readRecords('gbt-32907/sm4-appendix-a.txt');
  it('reads both Appendix A examples', () => assert.deepEqual(examples.map((e) => e['Example']), ['A.1', 'A.2']));
  for (const ex of examples) {
    const n = Number(field(ex, 'Iterations'));
    const slow = n > 1000 && !SLOW;
    it(`GB/T 32907-2016 ${field(ex, 'Example')}: ${n} encryption(s)`, { skip: slow && 'slow: set TCV_SLOW=1 (about 1 s)' }, () => {
      const rk = sm4KeySchedule(hex(field(ex, 'Key')));
      const block = hex(field(ex, 'Plaintext'));
      for (let i = 0; i < n; i++) sm4Block(rk, block, 0, block, 0);
      assert.equal(toHex(block), toHex(hex(field(ex, 'Ciphertext'))));
      if (n === 1) assert.equal(toHex(sm4EcbDecrypt(hex(field(ex, 'Key')), block)), toHex(hex(field(ex, 'Plaintext'))));
    });
  }

  it('agrees with OpenSSL sm4-ecb on random keys and blocks (every S-box entry is reached)', { skip: !ciphers.includes('sm4-ecb') && 'no sm4 in this OpenSSL' }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 * 8 }), (k, d) => {
        const blocks = d.subarray(0, d.length - (d.length % 16));
        const ct = sm4EcbEncrypt(k, blocks);
        return toHex(ct) === openssl('sm4-ecb', k, null, blocks) && toHex(sm4EcbDecrypt(k, ct)) === toHex(blocks);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('SM4-ECB and SM4-CFB (draft-ribose-cfrg-sm4-10 Appendix A.2)', () => {
  // draft-ribose-cfrg-sm4-10 A.2.1.1, A.2.1.2 (ECB), A.2.4.1, A.2.4.2 (CFB128):
  // test/vectors/draft-ribose-cfrg-sm4/README.md says where they were transcribed from
  const examples = readRecords('draft-ribose-cfrg-sm4/appendix-a2-ecb-cfb.txt');
  it('reads the four examples', () => assert.equal(examples.length, 4));
  for (const ex of examples) {
    it(`draft-ribose-cfrg-sm4-10 ${field(ex, 'Example')}`, () => {
      const [key, pt, ct] = [hex(field(ex, 'Key')), hex(field(ex, 'Plaintext')), hex(field(ex, 'Ciphertext'))];
      if (field(ex, 'Mode') === 'ECB') {
        assert.equal(toHex(sm4EcbEncrypt(key, pt)), toHex(ct));
        assert.equal(toHex(sm4EcbDecrypt(key, ct)), toHex(pt));
        return;
      }
      const iv = hex(field(ex, 'IV'));
      assert.equal(toHex(suite.cfbEncrypt(key, iv, pt)), toHex(ct));
      assert.equal(toHex(suite.cfbDecrypt(key, iv, ct)), toHex(pt));
      // CFB is a stream mode: every prefix of the plaintext encrypts to the prefix of the ciphertext
      for (const n of [0, 1, 15, 16, 17, 31]) assert.equal(toHex(suite.cfbEncrypt(key, iv, pt.subarray(0, n))), toHex(ct.subarray(0, n)), `n=${n}`);
    });
  }

  it('CFB agrees with OpenSSL sm4-cfb at any length', { skip: !ciphers.includes('sm4-cfb') && 'no sm4 in this OpenSSL' }, () => {
    fc.assert(
      fc.property(bytesOf(16), bytesOf(16), fc.uint8Array({ maxLength: 200 }), (k, iv, d) => {
        const ct = suite.cfbEncrypt(k, iv, d);
        return toHex(ct) === openssl('sm4-cfb', k, iv, d) && toHex(suite.cfbDecrypt(k, iv, ct)) === toHex(d);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('CFB refuses a wrong key or IV length by name', () => {
    const d = new Uint8Array(5);
    assert.throws(() => suite.cfbEncrypt(new Uint8Array(32), new Uint8Array(16), d), isCryptoError('bad-key'));
    assert.throws(() => suite.cfbDecrypt(new Uint8Array(16), new Uint8Array(12), d), isCryptoError('bad-length'));
  });
});

describe('SM4-GCM (RFC 8998 Appendix A.1)', () => {
  // RFC 8998 Appendix A.1 SM4-GCM test vector: test/vectors/rfc8998/README.md
  const [v] = readRecords('rfc8998/appendix-a1-sm4-gcm.txt');
  assert.ok(v);
  const [key, iv, aad, pt] = ['Key', 'IV', 'AAD', 'Plaintext'].map((n) => hex(field(v, n))) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const sealed = hex(field(v, 'CT') + field(v, 'Tag'));

  it('RFC 8998 A.1: ciphertext and tag', () => {
    assert.equal(toHex(suite.aeadEncrypt(key, iv, pt, aad)), toHex(sealed));
    assert.equal(toHex(suite.aeadDecrypt(key, iv, sealed, aad) ?? new Uint8Array(0)), toHex(pt));
  });

  it('RFC 8998 A.1: any change to ciphertext, tag, nonce, AAD or key is refused', () => {
    const flip = (b: Uint8Array, i: number) => b.map((x, j) => (j === i ? x ^ 1 : x));
    for (const i of [0, 63, 64, 79]) assert.equal(suite.aeadDecrypt(key, iv, flip(sealed, i), aad), null, `byte ${i}`);
    assert.equal(suite.aeadDecrypt(key, flip(iv, 0), sealed, aad), null, 'nonce');
    assert.equal(suite.aeadDecrypt(key, iv, sealed, flip(aad, 19)), null, 'aad');
    assert.equal(suite.aeadDecrypt(key, iv, sealed), null, 'aad dropped');
    assert.equal(suite.aeadDecrypt(flip(key, 15), iv, sealed, aad), null, 'key');
  });

  it('round-trips at any length, with and without AAD', () => {
    fc.assert(
      fc.property(bytesOf(16), bytesOf(12), fc.uint8Array({ maxLength: 100 }), fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }), (k, n, d, a) => {
        const s = suite.aeadEncrypt(k, n, d, a);
        return s.length === d.length + 16 && toHex(suite.aeadDecrypt(k, n, s, a) ?? hex('ff')) === toHex(d);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('decrypt never throws on malformed input; encrypt names what is wrong', () => {
    for (const [k, n, d] of [
      [new Uint8Array(32), iv, sealed],
      [key, new Uint8Array(16), sealed],
      [key, iv, new Uint8Array(15)],
      ['x', iv, sealed],
    ] as [Uint8Array, Uint8Array, Uint8Array][]) {
      assert.equal(suite.aeadDecrypt(k, n, d), null);
    }
    assert.throws(() => suite.aeadEncrypt(new Uint8Array(32), iv, pt), isCryptoError('bad-key'));
    assert.throws(() => suite.aeadEncrypt(key, new Uint8Array(8), pt), isCryptoError('bad-length'));
  });
});
