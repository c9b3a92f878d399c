/**
 * Known answers for TPM 2.0 KDFa / KDFe: the generic helpers over SHA-1/256/384/512 and the
 * tpm2-p256 suite (SHA-256).
 * @module
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { CryptoError, kdfa, kdfe, kdfHash, type KdfHash } from '../../../impl/crypto/index.ts';
import { P256_SUITES } from './p256-suites.ts';
import { hex, readJson, toHex } from './vector-files.ts';

/** TPM_ALG_ID (TPM 2.0 Part 2 §6.3) → hash. */
const byAlgId: Record<number, KdfHash> = {
  0x0004: kdfHash(sha1),
  0x000b: kdfHash(sha256),
  0x000c: kdfHash(sha384),
  0x000d: kdfHash(sha512),
};
const byName: Record<string, KdfHash> = { SHA1: kdfHash(sha1), SHA256: kdfHash(sha256) };

interface TtvKdfa {
  Name: string;
  HashAlg: number;
  Key: string;
  Label: string;
  ContextU: string;
  ContextV: string;
  Bits: number;
  Result: string;
}
interface TtvKdfe {
  Name: string;
  HashAlg: number;
  Z: string;
  Use?: string;
  Label?: string;
  PartyUInfo?: string;
  PartyVInfo?: string;
  ContextU?: string;
  ContextV?: string;
  Bits: number;
  Result: string;
}
interface GoTpmKdfa {
  hashAlg: string;
  key: string;
  contextU?: string;
  contextV?: string;
  label: string;
  bits: number;
  expected: string;
}
interface GoTpmKdfe {
  name: string;
  bits: number;
  hashAlg: string;
  z: string;
  partyUInfo: string;
  partyVInfo: string;
  label: string;
  expected: string;
}

const isCryptoError = (code: string) => (e: unknown) => e instanceof CryptoError && e.code === code;

for (const suite of P256_SUITES) describe(`${suite.name}: KDFa (TPM 2.0 Part 1 §11.4.10.2)`, () => {
  // chrisfenner/tpm-test-vectors vectors/kdfa.json @ e7db4de29215dd0897c0e3aab132a9ffc662c9bf
  // (100 records, SHA-1/256/384/512, bit counts not multiples of 8 included)
  const ttv = readJson<TtvKdfa[]>('tpm-test-vectors/kdfa.json');
  it(`tpm-test-vectors kdfa.json: all ${ttv.length} records (generic helper)`, () => {
    for (const v of ttv) {
      const h = byAlgId[v.HashAlg];
      assert.ok(h, `${v.Name}: unknown hash alg ${v.HashAlg}`);
      const out = kdfa(h, hex(v.Key), v.Label, hex(v.ContextU), hex(v.ContextV), v.Bits);
      assert.equal(toHex(out), v.Result, v.Name);
    }
  });
  it('tpm-test-vectors kdfa.json: SHA-256 records through tpm2P256.kdfa', () => {
    const sha256Records = ttv.filter((v) => v.HashAlg === 0x000b);
    assert.ok(sha256Records.length > 20);
    for (const v of sha256Records) {
      const out = suite.kdfa(hex(v.Key), v.Label, hex(v.ContextU), hex(v.ContextV), v.Bits);
      assert.equal(toHex(out), v.Result, v.Name);
    }
  });

  // google/go-tpm legacy/tpm2/test/kdf_test.go TestKDFa @ 98607568e2b113563a8adfae110a50da6c0c1c15
  // (transcribed to test/vectors/go-tpm/kdf_test.json); the last record is the TPM 2.0 Part 1
  // KDF self-test example with 521 bits (upper 7 bits of octet 0 cleared).
  for (const v of readJson<{ KDFa: GoTpmKdfa[] }>('go-tpm/kdf_test.json').KDFa) {
    it(`go-tpm TestKDFa ${v.hashAlg} ${v.bits} bits`, () => {
      const h = byName[v.hashAlg];
      assert.ok(h);
      const out = kdfa(h, hex(v.key), v.label, hex(v.contextU ?? ''), hex(v.contextV ?? ''), v.bits);
      assert.equal(toHex(out), v.expected);
    });
  }

  // TCG TPM 2.0 reference implementation KDF self-test data, SHA-256 variant: libtpms
  // src/tpm2/KdfTestData.h (c_kdfTestKeyIn, c_kdfTestLabel "KDFSELFTESTLABEL\0",
  // c_kdfTestContextU/V, c_kdfTestKeyOut for KDF_TEST_ALG = TPM_ALG_SHA256, 160 bits), as
  // vendored in cyberus-technology/virtualbox-kvm src/libs/libtpms-0.9.6/src/tpm2/KdfTestData.h.
  it('TPM reference KDF self-test (libtpms KdfTestData.h, SHA-256, 160 bits)', () => {
    const out = suite.kdfa(
      hex('271FA08BBDC5060EC3DFA928FF9B73123A12DA0C'),
      'KDFSELFTESTLABEL',
      hex('CE244F395DCA7391'),
      hex('DA504031DDF12E83'),
      160,
    );
    assert.equal(toHex(out), 'bb0259e1c8ba607e6a2cd704b69a902e9ade84c4');
  });

  it('bits not a multiple of 8: ceil(bits/8) octets, high bits of octet 0 cleared', () => {
    const key = hex('00112233445566778899aabbccddeeff');
    for (const bits of [1, 7, 9, 13, 255, 257]) {
      const out = suite.kdfa(key, 'ATH', new Uint8Array(0), new Uint8Array(0), bits);
      assert.equal(out.length, Math.ceil(bits / 8));
      if (bits % 8 !== 0) assert.equal((out[0] as number) >>> bits % 8, 0, `bits=${bits}`);
    }
  });

  it('rejects bits outside [1, 2^19], non-integers, and labels with NUL or non-ASCII', () => {
    const k = new Uint8Array(32);
    const e = new Uint8Array(0);
    for (const bits of [0, -8, 1.5, Number.NaN, 65536 * 8 + 1]) {
      assert.throws(() => suite.kdfa(k, 'ATH', e, e, bits), isCryptoError('bad-length'), `bits=${bits}`);
      assert.throws(() => suite.kdfe(k, 'ATH', e, e, bits), isCryptoError('bad-length'), `bits=${bits}`);
    }
    assert.throws(() => suite.kdfa(k, 'ATH\0', e, e, 128), isCryptoError('bad-length'));
    assert.throws(() => suite.kdfa(k, 'ÄTH', e, e, 128), isCryptoError('bad-length'));
    assert.throws(() => suite.kdfa('k' as unknown as Uint8Array, 'ATH', e, e, 128), isCryptoError('bad-key'));
  });

  // Definition check with an independent HMAC (node:crypto), not a published vector:
  // K(i) = HMAC(key, [i]_32 || label || 0x00 || contextU || contextV || [bits]_32)
  it('matches the §11.4.10.2 formula composed with node:crypto HMAC', () => {
    const key = hex('5f'.repeat(32));
    const u = hex('0102030405');
    const v = hex('a0a1a2');
    const bits = 600;
    let stream = Buffer.alloc(0);
    for (let i = 1; stream.length * 8 < bits; i++) {
      const m = createHmac('sha256', key);
      m.update(Buffer.from([0, 0, 0, i]));
      m.update(Buffer.from('STORAGE\0', 'ascii'));
      m.update(u);
      m.update(v);
      m.update(Buffer.from([0, 0, (bits >> 8) & 0xff, bits & 0xff]));
      stream = Buffer.concat([stream, m.digest()]);
    }
    assert.equal(toHex(suite.kdfa(key, 'STORAGE', u, v, bits)), stream.subarray(0, bits / 8).toString('hex'));
  });
});

for (const suite of P256_SUITES) describe(`${suite.name}: KDFe (TPM 2.0 Part 1 §11.4.10.3)`, () => {
  // chrisfenner/tpm-test-vectors vectors/kdfe.json @ e7db4de29215dd0897c0e3aab132a9ffc662c9bf
  const ttv = readJson<TtvKdfe[]>('tpm-test-vectors/kdfe.json');
  const rec = (v: TtvKdfe) => ({
    z: hex(v.Z),
    label: v.Use ?? v.Label ?? '',
    u: hex(v.PartyUInfo ?? v.ContextU ?? ''),
    w: hex(v.PartyVInfo ?? v.ContextV ?? ''),
  });
  it(`tpm-test-vectors kdfe.json: all ${ttv.length} records (generic helper)`, () => {
    for (const v of ttv) {
      const h = byAlgId[v.HashAlg];
      assert.ok(h, `${v.Name}: unknown hash alg ${v.HashAlg}`);
      const r = rec(v);
      if (v.Bits === 0) {
        // Upstream expects an empty result (record 45_SHA384_0); we refuse a zero-length key
        // instead, since no TPM use derives one and it would only hide a caller's bug.
        assert.equal(v.Result, '');
        assert.throws(() => kdfe(h, r.z, r.label, r.u, r.w, v.Bits), isCryptoError('bad-length'), v.Name);
        continue;
      }
      assert.equal(toHex(kdfe(h, r.z, r.label, r.u, r.w, v.Bits)), v.Result, v.Name);
    }
  });
  it('tpm-test-vectors kdfe.json: SHA-256 records through tpm2P256.kdfe', () => {
    const sha256Records = ttv.filter((v) => v.HashAlg === 0x000b);
    assert.ok(sha256Records.length > 20);
    for (const v of sha256Records) {
      const r = rec(v);
      assert.equal(toHex(suite.kdfe(r.z, r.label, r.u, r.w, v.Bits)), v.Result, v.Name);
    }
  });

  // google/go-tpm legacy/tpm2/test/kdf_test.go TestKDFe @ 98607568e2b113563a8adfae110a50da6c0c1c15:
  // "Test vectors taken from running the microsoft TPM simulator, ms-tpm-20-ref", label DUPLICATE
  for (const v of readJson<{ KDFe: GoTpmKdfe[] }>('go-tpm/kdf_test.json').KDFe) {
    it(`go-tpm TestKDFe ${v.name}`, () => {
      const h = byName[v.hashAlg];
      assert.ok(h);
      const out = kdfe(h, hex(v.z), v.label, hex(v.partyUInfo), hex(v.partyVInfo), v.bits);
      assert.equal(toHex(out), v.expected);
      if (v.hashAlg === 'SHA256') {
        assert.equal(toHex(suite.kdfe(hex(v.z), v.label, hex(v.partyUInfo), hex(v.partyVInfo), v.bits)), v.expected);
      }
    });
  }

  // Definition check with an independent SHA-256 (node:crypto), not a published vector:
  // K(i) = H([i]_32 || Z || label || 0x00 || partyUInfo || partyVInfo)
  it('matches the §11.4.10.3 formula composed with node:crypto SHA-256', () => {
    const z = hex('11'.repeat(32));
    const u = hex('22'.repeat(32));
    const v = hex('33'.repeat(32));
    const parts = (i: number) =>
      createHash('sha256')
        .update(Buffer.from([0, 0, 0, i]))
        .update(z)
        .update(Buffer.from('SECRET\0', 'ascii'))
        .update(u)
        .update(v)
        .digest();
    const expected = Buffer.concat([parts(1), parts(2)]).subarray(0, 40).toString('hex');
    assert.equal(toHex(suite.kdfe(z, 'SECRET', u, v, 320)), expected);
  });
});
