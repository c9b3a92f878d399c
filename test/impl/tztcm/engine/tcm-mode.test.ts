/**
 * The TZTCM engine in TCM mode (issue 18 item 4; impl/tztcm/engine/algorithms.ts): it answers
 * with SM2 / SM3 / SM4 through the TPM 2.0 algorithm ids (Part 2 §6.3 TPM_ALG_SM2 0x001B,
 * TPM_ALG_SM3_256 0x0012, TPM_ALG_SM4 0x0013; §6.4 TPM_ECC_SM2_P256 0x0020), checked against the
 * tcm suite's own primitives (impl/crypto/tcm-sm2.ts); in TPM mode the same requests are refused
 * with the response code a TPM gives for an algorithm it does not implement, and vice versa.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom, sm2, sm3, tcmSm2, tpm2P256, type CryptoSuite } from '../../../../impl/crypto/index.ts';
import { sm2MessageDigest } from '../../../../impl/crypto/sm2-digest.ts';
import { PASSWORD } from '../../../../impl/tpm2/auth-session.ts';
import { getAlgorithms, getEccCurves } from '../../../../impl/tpm2/commands-capability.ts';
import { TpmReader } from '../../../../impl/tpm2/marshal-reader.ts';
import { marshal } from '../../../../impl/tpm2/marshal-writer.ts';
import { verifyAttestation } from '../../../../impl/tpm2/attest.ts';
import { createPrimary } from '../../../../impl/tpm2/commands-object.ts';
import { eccPoint, publicBytes, signingKeyTemplate, storageKeyTemplate, type EccPublic } from '../../../../impl/tpm2/public-area.ts';
import { TpmError } from '../../../../impl/tpm2/response-codes.ts';
import { TpmSessionClient } from '../../../../impl/tpm2/session-client.ts';
import type { TpmTransport } from '../../../../impl/tpm2/transport.ts';
import { TPMA_OBJECT, TPM_ALG, TPM_CC, TPM_ECC_SM2_P256, TPM_RH, TPM_ST } from '../../../../impl/tpm2/spec-constants.ts';
import { EngineTransport } from '../../../../impl/tztcm/backend.ts';
import { createTztcmEngine } from '../../../../impl/tztcm/engine/tztcm-engine.ts';
import { TCM_MODE, TPM_MODE } from '../../../../impl/tztcm/engine/algorithms.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A started engine in the mode of `engineSuite`, and a client speaking `clientSuite`. */
async function open(engineSuite: CryptoSuite, clientSuite: CryptoSuite = engineSuite, seed = 7): Promise<TpmSessionClient> {
  const engine = createTztcmEngine({ suite: engineSuite, random: seededRandom(seed) });
  const client = new TpmSessionClient(new EngineTransport(engine), seededRandom(seed + 1), clientSuite);
  await client.startup();
  return client;
}

/** The response-code name of a command the TPM refuses (fails the test if it succeeds). */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TpmError) return `${e.name}${e.decoded.parameter !== undefined ? ` P${e.decoded.parameter}` : ''}`;
    throw e;
  }
  assert.fail('the TPM accepted it');
}

/** An unrestricted SM2 signing key on the SM2 curve, nameAlg SM3_256, scheme SM2-SM3_256. */
function sm2SigningTemplate(): EccPublic {
  return { ...signingKeyTemplate(tcmSm2), objectAttributes: TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.userWithAuth | TPMA_OBJECT.noDA | TPMA_OBJECT.sign };
}

/** TPM2_Sign (Part 3 §20.2) of a digest with the key's own scheme (NULL inScheme), NULL ticket. */
async function signDigest(c: TpmSessionClient, handle: number, name: Uint8Array, digest: Uint8Array): Promise<{ sigAlg: number; hashAlg: number; rs: Uint8Array }> {
  const res = await c.executor.run({
    code: TPM_CC.Sign,
    handles: [{ handle, name, authValue: new Uint8Array(0) }],
    authHandles: 1,
    sessions: [{ auth: PASSWORD }],
    params: marshal((w) => w.tpm2b(digest).u16(TPM_ALG.NULL).u16(TPM_ST.HASHCHECK).u32(TPM_RH.NULL).tpm2b(new Uint8Array(0))),
  });
  const r = new TpmReader(res.params, 'TPM2_Sign response');
  const sigAlg = r.u16('sigAlg');
  const hashAlg = r.u16('hash');
  const rr = r.tpm2b('r');
  const ss = r.tpm2b('s');
  r.end();
  return { sigAlg, hashAlg, rs: Uint8Array.of(...rr, ...ss) };
}

describe('TZTCM engine, TCM mode', () => {
  it('GetCapability reports the SM algorithms in TCM mode and none of them in TPM mode', async () => {
    const tcm = await open(tcmSm2);
    const tcmAlgs = (await getAlgorithms(tcm.executor)).map((a) => a.alg);
    for (const a of [TPM_ALG.SM2, TPM_ALG.SM3_256, TPM_ALG.SM4, TPM_ALG.ECC, TPM_ALG.CFB]) assert.ok(tcmAlgs.includes(a), `TCM mode lists 0x${a.toString(16)}`);
    for (const a of [TPM_ALG.SHA256, TPM_ALG.SHA1, TPM_ALG.AES, TPM_ALG.RSA, TPM_ALG.ECDSA]) assert.ok(!tcmAlgs.includes(a), `TCM mode does not list 0x${a.toString(16)}`);
    assert.deepEqual(await getEccCurves(tcm.executor), [TPM_ECC_SM2_P256]);
    assert.deepEqual(tcmAlgs, [...TCM_MODE.capabilityAlgs.keys()]);
    const tpm = await open(tpm2P256);
    const tpmAlgs = (await getAlgorithms(tpm.executor)).map((a) => a.alg);
    for (const a of [TPM_ALG.SM2, TPM_ALG.SM3_256, TPM_ALG.SM4]) assert.ok(!tpmAlgs.includes(a), `TPM mode does not list 0x${a.toString(16)}`);
    assert.deepEqual(tpmAlgs, [...TPM_MODE.capabilityAlgs.keys()]);
    assert.deepEqual(await getEccCurves(tpm.executor), [0x0003]);
  });

  it('an SM2 key made by the engine signs a digest that the tcm suite verifies over the message (GB/T 32918.2)', async () => {
    const c = await open(tcmSm2);
    const key = await createPrimary(c.executor, sm2SigningTemplate());
    assert.equal(hex(key.name.subarray(0, 2)), '0012', 'the Name is SM3_256');
    assert.equal(hex(key.name.subarray(2)), hex(sm3(publicBytes(key.public))), 'Name = SM3(TPMT_PUBLIC) (Part 1 §16)');
    const pub = eccPoint(key.public);
    assert.ok(tcmSm2.isValidPoint(pub));
    const msg = new TextEncoder().encode('TZTCM in TCM mode');
    const sig = await signDigest(c, key.handle, key.name, sm2MessageDigest(msg, pub));
    assert.equal(sig.sigAlg, TPM_ALG.SM2);
    assert.equal(sig.hashAlg, TPM_ALG.SM3_256);
    assert.ok(tcmSm2.verify(sig.rs, msg, pub), 'a standard SM2 signature of the message');
    // the pair that must fail: another message, a flipped bit, the P-256 suite
    assert.ok(!tcmSm2.verify(sig.rs, new TextEncoder().encode('TZTCM in TPM mode'), pub));
    const bad = sig.rs.slice();
    bad[5]! ^= 1;
    assert.ok(!tcmSm2.verify(bad, msg, pub));
    assert.ok(!sm2.verifyDigest(sm2.decode(sig.rs)!, sm3(msg), pub), 'the digest is SM3(Z_A ‖ M), not SM3(M)');
  });

  it('PCR_Extend in the SM3 bank gives SM3(old ‖ digest); PCR_Read and Quote are over SM3 and SM2', async () => {
    const c = await open(tcmSm2);
    const sel = [{ hashAlg: TPM_ALG.SM3_256, pcrs: [16] }];
    const before = (await c.pcrRead(sel)).values[0]!;
    assert.equal(hex(before), '00'.repeat(32));
    const d = sm3(new TextEncoder().encode('measurement'));
    await c.pcrExtend(16, d);
    const after = (await c.pcrRead(sel)).values[0]!;
    assert.equal(hex(after), hex(sm3(Uint8Array.of(...before, ...d))));
    assert.notEqual(hex(after), hex(tpm2P256.hash(Uint8Array.of(...before, ...d))));
    const ak = await c.createAttestationKey();
    const nonce = new Uint8Array(16).fill(9);
    const q = await c.quote(ak, nonce, sel);
    assert.equal(q.signature.hashAlg, TPM_ALG.SM3_256);
    const ok = verifyAttestation(q.attestBytes, q.signature, eccPoint(ak.public), { type: 'quote', nonce }, tcmSm2);
    assert.ok(ok.ok, ok.ok ? '' : ok.reason);
    assert.ok(q.attest.type === 'quote' && hex(q.attest.pcrDigest) === hex(sm3(after)));
    assert.equal(verifyAttestation(q.attestBytes, q.signature, eccPoint(ak.public), { type: 'quote', nonce: new Uint8Array(16) }, tcmSm2).ok, false);
  });

  it('an SM2-salted session (KDFe and KDFa over SM3) with SM4-CFB parameter encryption: seal and unseal under SM4 objects', async () => {
    const c = await open(tcmSm2);
    const parent = await c.createStorageKey();
    assert.equal(parent.public.type === 'ecc' && parent.public.symmetric?.algorithm, TPM_ALG.SM4);
    const s = await c.startSaltedSession(parent, 'hmac');
    // the session key is the one the tcm suite derives: the engine accepts HMACs under it and
    // its response HMACs verify under it (the executor checks them)
    const secret = new TextEncoder().encode('sealed under SM4');
    const created = await c.sealWithAuth(parent, secret, new TextEncoder().encode('pw'));
    const obj = await c.load(parent, created, new TextEncoder().encode('pw'));
    const u = await c.unseal(obj, s.session);
    assert.equal(Buffer.from(u.data).toString(), 'sealed under SM4');
    assert.ok(u.responseHmacVerified && u.encryptedResponse);
    // the pair that must fail: one flipped bit in the engine's answer and its SM3 response HMAC fails
    const flip: TpmTransport = {
      send: async (cmd) => {
        const r = (await c.transport.send(cmd)).slice();
        r[r.length - 1]! ^= 1;
        return r;
      },
      close: async () => {},
    };
    const tampered = new TpmSessionClient(flip, seededRandom(5), tcmSm2);
    await assert.rejects(tampered.unseal(obj, s.session), /HMAC|response/i);
  });

  it('TCM mode refuses the TPM algorithms and TPM mode the SM ones, with the TPM_RC of an unimplemented algorithm', async () => {
    const tcm = await open(tcmSm2, tpm2P256);
    assert.equal(await refusal(createPrimary(tcm.executor, storageKeyTemplate(tpm2P256))), 'TPM_RC_HASH P2', 'nameAlg SHA-256');
    assert.equal(await refusal(createPrimary(tcm.executor, { ...storageKeyTemplate(tcmSm2), curveId: 0x0003 })), 'TPM_RC_CURVE P2');
    assert.equal(await refusal(createPrimary(tcm.executor, { ...storageKeyTemplate(tcmSm2), symmetric: { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB } })), 'TPM_RC_SYMMETRIC P2');
    assert.equal(await refusal(createPrimary(tcm.executor, { ...signingKeyTemplate(tcmSm2), scheme: { scheme: TPM_ALG.ECDSA, hashAlg: TPM_ALG.SM3_256 } })), 'TPM_RC_SCHEME P2');
    assert.equal(await refusal(tcm.pcrRead([{ hashAlg: TPM_ALG.SHA256, pcrs: [0] }])), 'TPM_RC_HASH P1');
    assert.equal(await refusal(tcm.startTrialSession()), 'TPM_RC_HASH P5', 'a SHA-256 session in a TCM');
    const tpm = await open(tpm2P256, tcmSm2);
    assert.equal(await refusal(createPrimary(tpm.executor, storageKeyTemplate(tcmSm2))), 'TPM_RC_HASH P2', 'nameAlg SM3_256');
    assert.equal(await refusal(createPrimary(tpm.executor, { ...storageKeyTemplate(tpm2P256), curveId: TPM_ECC_SM2_P256 })), 'TPM_RC_CURVE P2');
    assert.equal(await refusal(createPrimary(tpm.executor, { ...storageKeyTemplate(tpm2P256), symmetric: { algorithm: TPM_ALG.SM4, keyBits: 128, mode: TPM_ALG.CFB } })), 'TPM_RC_SYMMETRIC P2');
    assert.equal(await refusal(createPrimary(tpm.executor, { ...signingKeyTemplate(tpm2P256), scheme: { scheme: TPM_ALG.SM2, hashAlg: TPM_ALG.SHA256 } })), 'TPM_RC_SCHEME P2');
    assert.equal(await refusal(tpm.pcrRead([{ hashAlg: TPM_ALG.SM3_256, pcrs: [0] }])), 'TPM_RC_HASH P1');
    assert.equal(await refusal(tpm.startTrialSession()), 'TPM_RC_HASH P5', 'an SM3 session in a TPM');
    // and the modes' own requests succeed
    assert.ok((await createPrimary(tcm.executor, storageKeyTemplate(tcmSm2))).handle);
    assert.ok((await createPrimary(tpm.executor, storageKeyTemplate(tpm2P256))).handle);
  });
});
