/**
 * Quote and Certify produced by swtpm, verified with our ECDSA over SHA-256 of the TPMS_ATTEST
 * bytes, with extraData = our nonce (protocol 1 step 5–6).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom, tpm2P256 } from '../../../impl/crypto/index.ts';
import {
  TPM_ALG,
  TpmSessionClient,
  pcrCompositeDigest,
  verifyAttestation,
  type LoadedObject,
  } from '../../../impl/tpm2/index.ts';
import { flipByte, INTEROP_BACKENDS, openBackend, utf8, type InteropTpm } from './swtpm-fixture.ts';

const SEL = [{ hashAlg: TPM_ALG.SHA256, pcrs: [0, 7, 16] }];

for (const b of INTEROP_BACKENDS)
describe(`Quote and Certify from ${b.name} verify with our code`, { skip: b.skip }, () => {
  let backend: InteropTpm;
  let tpm: TpmSessionClient;
  let ak: LoadedObject;
  let q: LoadedObject;
  let akPoint: Uint8Array;
  const random = seededRandom(20240601);

  before(async () => {
    backend = await openBackend(b);
    tpm = backend.client;
    q = await tpm.createStorageKey();
    ak = await tpm.createAttestationKey();
    akPoint = TpmSessionClient.publicPoint(ak);
  });
  after(async () => {
    await backend?.close();
  });

  it('quote: signature, nonce and PCR digest check out', async () => {
    await tpm.pcrExtend(16, tpm2P256.hash(utf8('measured TEE boot')));
    const nB = random.bytes(32);
    const res = await tpm.quote(ak, nB, SEL);
    const check = verifyAttestation(res.attestBytes, res.signature, akPoint, { type: 'quote', nonce: nB });
    assert.ok(check.ok, check.ok ? '' : check.reason);
    assert.equal(check.attest.type, 'quote');
    if (check.attest.type !== 'quote') return;
    // the TPM's pcrDigest is H(values) of the PCR values it reports through PCR_Read
    const pcrs = await tpm.pcrRead(SEL);
    assert.deepEqual(check.attest.pcrDigest, pcrCompositeDigest(pcrs.values));
    assert.deepEqual(check.attest.pcrSelect.map((b) => [...b.pcrs]), [[0, 7, 16]]);
    assert.deepEqual(check.attest.qualifiedSigner.length, 34);
  });

  it('certify: the TPM attests the Name of the key-exchange key Q', async () => {
    const nB = random.bytes(32);
    const res = await tpm.certify(q, ak, nB);
    const check = verifyAttestation(res.attestBytes, res.signature, akPoint, { type: 'certify', nonce: nB });
    assert.ok(check.ok, check.ok ? '' : check.reason);
    if (check.attest.type !== 'certify') return assert.fail('not a certify attestation');
    assert.deepEqual(check.attest.name, (await tpm.readPublic(q.handle)).name);
  });

  it('a verifier refuses a tampered attestation, a wrong nonce, a wrong type and a wrong key', async () => {
    const nB = random.bytes(32);
    const res = await tpm.quote(ak, nB, SEL);
    const ok = verifyAttestation(res.attestBytes, res.signature, akPoint, { type: 'quote', nonce: nB });
    assert.ok(ok.ok);
    // one flipped bit anywhere in TPMS_ATTEST (here: in the clock) breaks the signature
    const tampered = flipByte(res.attestBytes, 80);
    assert.equal(verifyAttestation(tampered, res.signature, akPoint, { type: 'quote', nonce: nB }).ok, false);
    assert.equal(verifyAttestation(res.attestBytes, res.signature, akPoint, { type: 'quote', nonce: random.bytes(32) }).ok, false);
    assert.equal(verifyAttestation(res.attestBytes, res.signature, akPoint, { type: 'certify', nonce: nB }).ok, false);
    const otherKey = tpm2P256.publicKey(tpm2P256.scalarFromSeed(utf8('not the attestation key, at all')));
    assert.equal(verifyAttestation(res.attestBytes, res.signature, otherKey, { type: 'quote', nonce: nB }).ok, false);
  });
});
