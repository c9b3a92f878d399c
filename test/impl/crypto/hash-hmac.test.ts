/**
 * Known answers for SHA-256 and HMAC-SHA256 of both P-256 suites (tpm2-p256 by noble, native-p256 by OpenSSL).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CryptoError } from '../../../impl/crypto/index.ts';
import { P256_SUITES } from './p256-suites.ts';
import { ascii, hex, toHex } from './vector-files.ts';

for (const suite of P256_SUITES) describe(`${suite.name}: SHA-256`, () => {
  // FIPS 180-2 Appendix B.1 ("abc") and B.2 (the 448-bit message), as listed in nettle
  // testsuite/sha256-test.c ("From FIPS180-2") @ 4dc3da9db75257e84a3365a9e01473573f41dd66
  const fips180 = [
    { msg: 'abc', md: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    {
      msg: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      md: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    },
  ];
  for (const v of fips180) {
    it(`FIPS 180-2: ${v.msg.length * 8}-bit message`, () => {
      assert.equal(toHex(suite.hash(ascii(v.msg))), v.md);
    });
  }

  it('rejects a non-Uint8Array', () => {
    assert.throws(() => suite.hash('abc' as unknown as Uint8Array), CryptoError);
  });
});

for (const suite of P256_SUITES) describe(`${suite.name}: HMAC-SHA256`, () => {
  const aa131 = 'aa'.repeat(131);
  // RFC 4231 §4.2–§4.8, test cases 1–7 (HMAC-SHA-256 rows), as listed in nettle
  // testsuite/hmac-test.c ("Test vectors for sha256, from RFC 4231")
  // @ 4dc3da9db75257e84a3365a9e01473573f41dd66. Case 5 is truncated to 128 bits in the RFC.
  const rfc4231 = [
    {
      tc: 1,
      key: hex('0b'.repeat(20)),
      data: ascii('Hi There'),
      mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    },
    {
      tc: 2,
      key: ascii('Jefe'),
      data: ascii('what do ya want for nothing?'),
      mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    },
    {
      tc: 3,
      key: hex('aa'.repeat(20)),
      data: hex('dd'.repeat(50)),
      mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    },
    {
      tc: 4,
      key: hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
      data: hex('cd'.repeat(50)),
      mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    },
    { tc: 5, key: hex('0c'.repeat(20)), data: ascii('Test With Truncation'), mac: 'a3b6167473100ee06e0c796c2955552b' },
    {
      tc: 6,
      key: hex(aa131),
      data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
      mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    },
    {
      tc: 7,
      key: hex(aa131),
      data: ascii(
        'This is a test using a larger than block-size key and a larger than block-size data. ' +
          'The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    },
  ];
  for (const v of rfc4231) {
    it(`RFC 4231 test case ${v.tc}`, () => {
      const mac = toHex(suite.hmac(v.key, v.data));
      assert.equal(mac.slice(0, v.mac.length), v.mac);
      assert.equal(mac.length, 64);
    });
  }

  it('rejects a non-Uint8Array key with bad-key', () => {
    assert.throws(
      () => suite.hmac(null as unknown as Uint8Array, new Uint8Array(0)),
      (e: unknown) => e instanceof CryptoError && e.code === 'bad-key',
    );
  });
});
