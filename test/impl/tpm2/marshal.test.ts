/**
 * Marshalling (TPM 2.0 Part 1 §18.2 canonical big-endian form) and the session cryptography that
 * does not need a TPM: bounds checks, round trips, PCR bitmaps, and the ECC salt recovered the
 * way the TPM recovers it (Part 1 Annex C.6.1) from the private key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom, tpm2P256 } from '../../../impl/crypto/index.ts';
import { TPM_ALG, TpmMarshalError, TpmReader, TpmWriter, marshal, objectName, publicBytes } from '../../../impl/tpm2/index.ts';
import { readPcrSelection, writePcrSelection } from '../../../impl/tpm2/pcr-selection.ts';
import { externalVerifyKeyPublic, readPublic, sealedDataTemplate, storageKeyTemplate, writePublic } from '../../../impl/tpm2/public-area.ts';
import { cfbParameterCrypt, cpHash, makeEccSalt, sessionHmac } from '../../../impl/tpm2/session-crypto.ts';
import { readEcdsaSignature, writeEcdsaSignature } from '../../../impl/tpm2/signature.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TpmWriter / TpmReader', () => {
  it('writes big-endian integers, TPM2Bs and sized structures', () => {
    const b = marshal((w) => w.u8(1).u16(0x0203).u32(0x04050607).i32(-1).tpm2b(Uint8Array.of(9, 9)).sized((s) => s.u16(0xabcd)));
    assert.equal(hex(b), '01' + '0203' + '04050607' + 'ffffffff' + '0002' + '0909' + '0002' + 'abcd');
  });

  it('refuses values that do not fit their field', () => {
    assert.throws(() => new TpmWriter().u8(256), RangeError);
    assert.throws(() => new TpmWriter().u16(-1), RangeError);
    assert.throws(() => new TpmWriter().u32(2 ** 32), RangeError);
    assert.throws(() => new TpmWriter().i32(2 ** 31), RangeError);
    assert.throws(() => new TpmWriter().tpm2b(new Uint8Array(0x10000)), RangeError);
  });

  it('a short buffer or an oversized size field is a TpmMarshalError, never a wrong read', () => {
    assert.throws(() => new TpmReader(Uint8Array.of(1), 'x').u16(), TpmMarshalError);
    assert.throws(() => new TpmReader(Uint8Array.of(0, 5, 1, 2), 'x').tpm2b(), TpmMarshalError);
    assert.throws(() => new TpmReader(Uint8Array.of(0, 2, 1, 2), 'x').tpm2b('d', 1), TpmMarshalError);
    // a sized structure whose body leaves bytes over
    assert.throws(() => new TpmReader(Uint8Array.of(0, 3, 0, 1, 7), 'x').sized('s', (r) => r.u16()), TpmMarshalError);
    const r = new TpmReader(Uint8Array.of(0, 1, 2), 'x');
    r.u16();
    assert.throws(() => r.end(), TpmMarshalError);
  });

  it('grows past its initial buffer', () => {
    const big = new Uint8Array(1000).fill(7);
    const b = marshal((w) => w.tpm2b(big).tpm2b(big));
    const r = new TpmReader(b);
    assert.deepEqual(r.tpm2b(), big);
    assert.deepEqual(r.tpm2b(), big);
    r.end();
  });
});

describe('structures', () => {
  it('TPML_PCR_SELECTION: PCR n is bit n%8 of octet n/8 (Part 2 §10.6.2)', () => {
    const b = marshal((w) => writePcrSelection(w, [{ hashAlg: TPM_ALG.SHA256, pcrs: [0, 7, 16, 23] }]));
    assert.equal(hex(b), '00000001' + '000b' + '03' + '81' + '00' + '81');
    assert.deepEqual(readPcrSelection(new TpmReader(b)), [{ hashAlg: TPM_ALG.SHA256, pcrs: [0, 7, 16, 23] }]);
    assert.throws(() => marshal((w) => writePcrSelection(w, [{ hashAlg: TPM_ALG.SHA256, pcrs: [24] }])), RangeError);
  });

  it('TPMT_PUBLIC round-trips for ECC and KEYEDHASH public areas', () => {
    const pk = tpm2P256.publicKey(tpm2P256.scalarFromSeed(new Uint8Array(32).fill(1)));
    for (const p of [storageKeyTemplate(), externalVerifyKeyPublic(pk), sealedDataTemplate(new Uint8Array(32).fill(5))]) {
      const bytes = publicBytes(p);
      const back = readPublic(new TpmReader(bytes));
      assert.deepEqual(publicBytes(back), bytes);
      assert.deepEqual(objectName(back), objectName(p));
    }
    // the ECC storage template starts type=ECC, nameAlg=SHA256 (Part 2 §12.2.4)
    assert.equal(hex(publicBytes(storageKeyTemplate()).subarray(0, 4)), '0023000b');
    const s = marshal((w) => writePublic(w, storageKeyTemplate()));
    assert.equal(objectName(storageKeyTemplate()).length, 2 + 32);
    assert.equal(hex(objectName(storageKeyTemplate())), '000b' + hex(tpm2P256.hash(s)));
  });

  it('TPMT_SIGNATURE ECDSA: r and s shorter than 32 bytes are left-padded', () => {
    const rs = new Uint8Array(64).fill(0x11);
    const b = marshal((w) => writeEcdsaSignature(w, rs));
    assert.deepEqual(readEcdsaSignature(new TpmReader(b)).rs, rs);
    const short = marshal((w) => w.u16(TPM_ALG.ECDSA).u16(TPM_ALG.SHA256).tpm2b(Uint8Array.of(1)).tpm2b(Uint8Array.of(2)));
    const sig = readEcdsaSignature(new TpmReader(short)).rs;
    assert.equal(sig[31], 1);
    assert.equal(sig[63], 2);
    assert.equal(sig.slice(0, 31).every((x) => x === 0), true);
  });
});

describe('session cryptography', () => {
  it('the TPM recovers our ECC salt from encryptedSalt with its private key (Part 1 Annex C.6.1)', () => {
    const q = tpm2P256.scalarFromSeed(new Uint8Array(32).fill(3));
    const Q = tpm2P256.publicKey(q);
    const { salt, encryptedSalt } = makeEccSalt(Q, seededRandom(1));
    // TPM side: parse TPMS_ECC_POINT, Z = q·E, KDFe(Z.x, "SECRET", E.x, Q.x, 256)
    const r = new TpmReader(encryptedSalt);
    const ex = r.tpm2b();
    const ey = r.tpm2b();
    r.end();
    const E = Uint8Array.from([4, ...ex, ...ey]);
    const z = tpm2P256.pointX(tpm2P256.pointMul(E, q));
    assert.deepEqual(tpm2P256.kdfe(z, 'SECRET', ex, tpm2P256.pointX(Q), 256), salt);
    // and a fresh ephemeral every time
    assert.notDeepEqual(makeEccSalt(Q, seededRandom(2)).salt, salt);
  });

  it('session HMAC: empty key gives an empty HMAC; every input changes a non-empty one', () => {
    assert.equal(sessionHmac(new Uint8Array(0), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), 1).length, 0);
    const k = new Uint8Array(32).fill(9);
    const base = sessionHmac(k, new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), 1);
    assert.notDeepEqual(sessionHmac(k, new Uint8Array(32), new Uint8Array(32), new Uint8Array(32), 0x41), base);
    assert.notDeepEqual(sessionHmac(k, new Uint8Array(32).fill(1), new Uint8Array(32), new Uint8Array(32), 1), base);
    // nonceNewer and nonceOlder are not interchangeable
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    assert.notDeepEqual(sessionHmac(k, a, a, b, 1), sessionHmac(k, a, b, a, 1));
  });

  it('cpHash covers the command code, every Name and the parameters', () => {
    const n1 = Uint8Array.of(0, 0xb, 1);
    const base = cpHash(0x15e, [n1], new Uint8Array(0));
    assert.notDeepEqual(cpHash(0x15f, [n1], new Uint8Array(0)), base);
    assert.notDeepEqual(cpHash(0x15e, [Uint8Array.of(0, 0xb, 2)], new Uint8Array(0)), base);
    assert.notDeepEqual(cpHash(0x15e, [n1], Uint8Array.of(0)), base);
  });

  it('CFB parameter encryption inverts and depends on both nonces', () => {
    const key = new Uint8Array(32).fill(4);
    const n1 = new Uint8Array(32).fill(1);
    const n2 = new Uint8Array(32).fill(2);
    const data = new TextEncoder().encode('a secret that is longer than one AES block');
    const c = cfbParameterCrypt(key, n1, n2, data, 'encrypt');
    assert.notDeepEqual(c, data);
    assert.deepEqual(cfbParameterCrypt(key, n1, n2, c, 'decrypt'), data);
    assert.notDeepEqual(cfbParameterCrypt(key, n2, n1, c, 'decrypt'), data);
  });
});
