/**
 * The TPM 2.0 session cryptography over the tcm suite, as a TCM 2.0 (or the TZTCM in TCM mode)
 * computes it: an SM2-salted session (Part 1 §C.6.1 ECDH on the SM2 curve, KDFe over SM3) whose
 * salt the TPM recovers with its private key, the session key by KDFa over SM3, command HMACs
 * with HMAC-SM3 and SM4-CFB parameter encryption — each differing from the tpm2 suite's value
 * for the same inputs, so the suite argument is really used.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom, tcmSm2 as tcm, tpm2P256 } from '../../../impl/crypto/index.ts';
import { cfbParameterCrypt, cpHash, deriveSessionKey, makeEccSalt, sessionHmac } from '../../../impl/tpm2/session-crypto.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('session cryptography on the tcm suite (SM2 salt, SM3 HMACs, SM4-CFB)', () => {
  const rng = seededRandom(18);
  const d = tcm.scalarFromSeed(rng.bytes(48)); // the TPM's SM2 decrypt key
  const Q = tcm.publicKey(d);
  const [nonceCaller, nonceTPM] = [rng.bytes(32), rng.bytes(32)];

  it('the caller’s SM2 salt is what the TPM recovers from encryptedSalt with its private key', () => {
    const s = makeEccSalt(Q, seededRandom(1), tcm);
    assert.equal(s.encryptedSalt.length, 2 + 32 + 2 + 32);
    assert.ok(tcm.isValidPoint(s.ephemeral));
    const tpmSide = tcm.kdfe(tcm.pointX(tcm.pointMul(s.ephemeral, d)), 'SECRET', tcm.pointX(s.ephemeral), tcm.pointX(Q), 256);
    assert.equal(hex(s.salt), hex(tpmSide));
    // a P-256 salt cannot be made against an SM2 key
    assert.throws(() => makeEccSalt(Q, seededRandom(1)), /P-256/);
  });

  it('session key, cpHash, HMAC and CFB use SM3 and SM4, not SHA-256 and AES', () => {
    const salt = makeEccSalt(Q, seededRandom(2), tcm).salt;
    const kT = deriveSessionKey(new Uint8Array(0), salt, nonceTPM, nonceCaller, tcm);
    assert.equal(hex(kT), hex(tcm.kdfa(salt, 'ATH', nonceTPM, nonceCaller, 256)));
    assert.notEqual(hex(kT), hex(deriveSessionKey(new Uint8Array(0), salt, nonceTPM, nonceCaller)));
    const params = rng.bytes(20);
    const cp = cpHash(0x17b, [], params, tcm);
    assert.notEqual(hex(cp), hex(cpHash(0x17b, [], params)));
    const mac = sessionHmac(kT, cp, nonceCaller, nonceTPM, 0x21, tcm);
    assert.equal(hex(mac), hex(tcm.hmac(kT, Uint8Array.of(...cp, ...nonceCaller, ...nonceTPM, 0x21))));
    assert.notEqual(hex(mac), hex(sessionHmac(kT, cp, nonceCaller, nonceTPM, 0x21, tpm2P256)));
    const ct = cfbParameterCrypt(kT, nonceCaller, nonceTPM, params, 'encrypt', tcm);
    assert.equal(hex(cfbParameterCrypt(kT, nonceCaller, nonceTPM, ct, 'decrypt', tcm)), hex(params));
    assert.notEqual(hex(ct), hex(cfbParameterCrypt(kT, nonceCaller, nonceTPM, params, 'encrypt')));
    const kiv = tcm.kdfa(kT, 'CFB', nonceCaller, nonceTPM, 256);
    assert.equal(hex(ct), hex(tcm.cfbEncrypt(kiv.subarray(0, 16), kiv.subarray(16), params)));
  });
});
