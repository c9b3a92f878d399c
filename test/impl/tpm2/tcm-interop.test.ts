/**
 * The TCM algorithms against swtpm/libtpms: which of TPM_ALG_SM2, TPM_ALG_SM3_256, TPM_ALG_SM4
 * and TPM_ECC_SM2_P256 it implements (TPM2_GetCapability, TPM 2.0 Part 3 §30.2), and, where
 * it has SM2 on the SM2 curve, signatures both ways: an SM2 signature the tcm suite makes over
 * e = SM3(Z_A ‖ M) verifies in the TPM (TPM2_VerifySignature), and one the TPM makes
 * (TPM2_Sign) verifies with the tcm suite — each paired with a tampered signature refused.
 * SM3 and SM4 have no interop test: the swtpm here does not implement them (the test prints
 * what it found; docs/tcm-suite.md).
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sm2, tcmSm2 as suite } from '../../../impl/crypto/index.ts';
import { createPrimary, flushContext } from '../../../impl/tpm2/commands-object.ts';
import {
  getAlgorithms,
  getEccCurves,
  loadSm2VerifyKey,
  sm2Point,
  sm2Sign,
  sm2SigningKeyTemplate,
  sm2VerifyInTpm,
  TPM_ALG,
  TPM_ECC_NIST_P256,
  TPM_ECC_SM2_P256,
  TpmError,
  type SwtpmBackend,
} from '../../../impl/tpm2/index.ts';
import { type InteropTpm, openBackend, swtpmSkip } from './swtpm-fixture.ts';

const MSG = new TextEncoder().encode('TZTCM in TCM mode');

describe('TCM algorithms in swtpm', { skip: swtpmSkip }, () => {
  let backend: InteropTpm;
  let algs = new Set<number>();
  let curves = new Set<number>();
  before(async () => {
    backend = await openBackend();
    algs = new Set((await getAlgorithms(backend.client.executor)).map((a) => a.alg));
    curves = new Set(await getEccCurves(backend.client.executor));
    const has = (s: Set<number>, v: number) => (s.has(v) ? 'yes' : 'no');
    console.log(`# swtpm TCM algorithms: SM2 ${has(algs, TPM_ALG.SM2)}, SM2_P256 curve ${has(curves, TPM_ECC_SM2_P256)}, SM3_256 ${has(algs, TPM_ALG.SM3_256)}, SM4 ${has(algs, TPM_ALG.SM4)}`);
  });
  after(() => backend?.close());

  it('GetCapability lists the TPM 2.0 suite the bridge uses (the reading itself is right)', () => {
    for (const a of [TPM_ALG.SHA256, TPM_ALG.AES, TPM_ALG.ECDSA, TPM_ALG.ECDH, TPM_ALG.ECC, TPM_ALG.CFB]) assert.ok(algs.has(a), `alg 0x${a.toString(16)}`);
    assert.ok(curves.has(TPM_ECC_NIST_P256));
    assert.ok(!algs.has(0x7fff), 'an unassigned id is not listed');
  });

  describe('SM2 on TPM_ECC_SM2_P256', () => {
    const sm2Skip = () => (algs.has(TPM_ALG.SM2) && curves.has(TPM_ECC_SM2_P256) ? false : 'this swtpm has no SM2 / SM2_P256');

    it('the tcm suite’s SM2 signature verifies in the TPM; a tampered one is TPM_RC_SIGNATURE', async (t) => {
      const why = sm2Skip();
      if (why) return t.skip(why);
      const sk = suite.scalarFromSeed(new Uint8Array(32).fill(7));
      const pub = suite.publicKey(sk);
      const e = sm2.digest(MSG, pub);
      const rs = suite.sign(sk, MSG);
      const key = await loadSm2VerifyKey(backend.client.executor, pub);
      try {
        await sm2VerifyInTpm(backend.client.executor, key, e, rs);
        const bad = rs.slice();
        bad[63]! ^= 1;
        await assert.rejects(sm2VerifyInTpm(backend.client.executor, key, e, bad), (err: unknown) => err instanceof TpmError && err.name === 'TPM_RC_SIGNATURE');
        await assert.rejects(sm2VerifyInTpm(backend.client.executor, key, sm2.digest(MSG, pub, new TextEncoder().encode('another id')), rs), TpmError);
      } finally {
        await flushContext(backend.client.executor, key.handle);
      }
    });

    it('an SM2 signature the TPM makes verifies with the tcm suite; tampered, it does not', async (t) => {
      const why = sm2Skip();
      if (why) return t.skip(why);
      const key = await createPrimary(backend.client.executor, sm2SigningKeyTemplate());
      try {
        const pub = sm2Point(key.public);
        assert.ok(suite.isValidPoint(pub), 'the TPM key is a point of the SM2 curve');
        const rs = await sm2Sign(backend.client.executor, key, sm2.digest(MSG, pub));
        assert.equal(suite.verify(rs, MSG, pub), true);
        assert.equal(suite.verify(rs, Uint8Array.of(...MSG, 0), pub), false);
        const bad = rs.slice();
        bad[0]! ^= 0x80;
        assert.equal(suite.verify(bad, MSG, pub), false);
      } finally {
        await flushContext(backend.client.executor, key.handle);
      }
    });
  });
});
