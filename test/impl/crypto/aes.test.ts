/**
 * Known answers and boundary behaviour for AES-128-CFB (TPM parameter encryption) and
 * AES-256-GCM of both P-256 suites (tpm2-p256 by noble, native-p256 by OpenSSL).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CryptoError } from '../../../impl/crypto/index.ts';
import { P256_SUITES } from './p256-suites.ts';
import { field, hex, readRecords, readText, toHex } from './vector-files.ts';

const isCryptoError = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;

/** One example of the SP 800-38A Appendix F listing: key, IV and the per-segment texts. */
interface Sp80038aExample {
  title: string;
  key: string;
  iv: string;
  plaintext: string;
  ciphertext: string;
}

function readSp80038a(rel: string): Sp80038aExample[] {
  const out: Sp80038aExample[] = [];
  let cur: Sp80038aExample | undefined;
  for (const line of readText(rel).split(/\r?\n/)) {
    const t = line.trim();
    if (/^F\.\d+\.\d+ /.test(t)) {
      cur = { title: t, key: '', iv: '', plaintext: '', ciphertext: '' };
      out.push(cur);
      continue;
    }
    const m = /^(Key|IV|Plaintext|Ciphertext)\s+([0-9a-fA-F]+)$/.exec(t);
    if (!cur || !m) continue;
    const [, name, value] = m as unknown as [string, string, string];
    if (name === 'Key') cur.key = value;
    else if (name === 'IV') cur.iv = value;
    else if (name === 'Plaintext') cur.plaintext += value;
    else cur.ciphertext += value;
  }
  return out;
}

for (const suite of P256_SUITES) describe(`${suite.name}: AES-128-CFB128`, () => {
  // NIST SP 800-38A Appendix F.3.13 CFB128-AES128.Encrypt and F.3.14 CFB128-AES128.Decrypt
  // (listing reproduced in nettle testsuite/cfb-test.c @ 4dc3da9db75257e84a3365a9e01473573f41dd66)
  const examples = readSp80038a('sp800-38a/F.3.13-F.3.14-CFB128-AES128.txt');
  it('reads F.3.13 and F.3.14', () => {
    assert.deepEqual(
      examples.map((e) => e.title),
      ['F.3.13 CFB128-AES128.Encrypt', 'F.3.14 CFB128-AES128.Decrypt'],
    );
  });
  for (const ex of examples) {
    it(`SP 800-38A ${ex.title}`, () => {
      const [key, iv, pt, ct] = [hex(ex.key), hex(ex.iv), hex(ex.plaintext), hex(ex.ciphertext)];
      assert.equal(pt.length, 64);
      if (ex.title.endsWith('Encrypt')) assert.equal(toHex(suite.cfbEncrypt(key, iv, pt)), toHex(ct));
      else assert.equal(toHex(suite.cfbDecrypt(key, iv, ct)), toHex(pt));
    });
  }

  it('SP 800-38A F.3.13 prefixes: lengths that are not whole blocks (TPM CFB parameter encryption)', () => {
    // CFB's ciphertext prefix depends only on the plaintext prefix, so every prefix of the
    // F.3.13 plaintext must encrypt to the same-length prefix of its ciphertext
    const ex = examples[0]!;
    const [key, iv, pt, ct] = [hex(ex.key), hex(ex.iv), hex(ex.plaintext), hex(ex.ciphertext)];
    for (const n of [0, 1, 15, 17, 31, 33, 50, 63]) {
      assert.equal(toHex(suite.cfbEncrypt(key, iv, pt.subarray(0, n))), toHex(ct.subarray(0, n)), `n=${n}`);
      assert.equal(toHex(suite.cfbDecrypt(key, iv, ct.subarray(0, n))), toHex(pt.subarray(0, n)), `n=${n}`);
    }
  });

  it('refuses a key that is not 16 bytes (bad-key) and an IV that is not 16 bytes (bad-length)', () => {
    const d = new Uint8Array(5);
    assert.throws(() => suite.cfbEncrypt(new Uint8Array(32), new Uint8Array(16), d), isCryptoError('bad-key'));
    assert.throws(() => suite.cfbDecrypt(new Uint8Array(15), new Uint8Array(16), d), isCryptoError('bad-key'));
    assert.throws(() => suite.cfbEncrypt(new Uint8Array(16), new Uint8Array(12), d), isCryptoError('bad-length'));
  });
});

for (const suite of P256_SUITES) describe(`${suite.name}: AES-256-GCM`, () => {
  // McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", Appendix B, test cases 13–16
  // (AES-256, 96-bit IV), transcribed from nettle testsuite/gcm-test.c
  // @ 4dc3da9db75257e84a3365a9e01473573f41dd66 (see test/vectors/gcm-spec/README.md)
  const cases = readRecords('gcm-spec/aes256-test-cases-13-16.txt');
  it('reads test cases 13–16', () => {
    assert.deepEqual(
      cases.map((c) => field(c, 'Test Case')),
      ['13', '14', '15', '16'],
    );
  });
  for (const c of cases) {
    const [key, iv, pt, aad, ct, tag] = ['K', 'IV', 'P', 'A', 'C', 'T'].map((n) => hex(field(c, n))) as [
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
      Uint8Array,
    ];
    const aadArg = aad.length > 0 ? aad : undefined;
    const sealed = new Uint8Array([...ct, ...tag]);

    it(`GCM spec test case ${field(c, 'Test Case')}: encrypt and decrypt`, () => {
      assert.equal(toHex(suite.aeadEncrypt(key, iv, pt, aadArg)), toHex(sealed));
      const opened = suite.aeadDecrypt(key, iv, sealed, aadArg);
      assert.ok(opened);
      assert.equal(toHex(opened), toHex(pt));
    });

    it(`GCM spec test case ${field(c, 'Test Case')}: any change is rejected with null`, () => {
      assert.equal(suite.aeadDecrypt(key, iv, sealed.map((b, j) => (j === sealed.length - 1 ? b ^ 1 : b)), aadArg), null, 'tag');
      if (ct.length > 0) assert.equal(suite.aeadDecrypt(key, iv, sealed.map((b, j) => (j === 0 ? b ^ 0x80 : b)), aadArg), null, 'ct');
      assert.equal(suite.aeadDecrypt(key, iv.map((b, j) => (j === 0 ? b ^ 1 : b)), sealed, aadArg), null, 'iv');
      assert.equal(suite.aeadDecrypt(key, iv, sealed, new Uint8Array([...aad, 0])), null, 'aad');
      assert.equal(suite.aeadDecrypt(key.map((b, j) => (j === 31 ? b ^ 1 : b)), iv, sealed, aadArg), null, 'key');
    });
  }

  it('decrypt never throws on malformed input', () => {
    const k = new Uint8Array(32);
    const n = new Uint8Array(12);
    const bad: [unknown, unknown, unknown, unknown][] = [
      [new Uint8Array(16), n, new Uint8Array(16), undefined],
      [k, new Uint8Array(16), new Uint8Array(16), undefined],
      [k, n, new Uint8Array(15), undefined],
      [k, n, new Uint8Array(0), undefined],
      [k, n, 'not bytes', undefined],
      [k, n, new Uint8Array(32), 'not bytes'],
      [null, null, null, null],
    ];
    for (const [a, b, c, d] of bad) {
      assert.equal(suite.aeadDecrypt(a as Uint8Array, b as Uint8Array, c as Uint8Array, d as Uint8Array), null);
    }
  });

  it('encrypt refuses a key that is not 32 bytes (bad-key) and a nonce that is not 12 bytes (bad-length)', () => {
    assert.throws(() => suite.aeadEncrypt(new Uint8Array(16), new Uint8Array(12), new Uint8Array(1)), isCryptoError('bad-key'));
    assert.throws(() => suite.aeadEncrypt(new Uint8Array(32), new Uint8Array(8), new Uint8Array(1)), isCryptoError('bad-length'));
  });
});
