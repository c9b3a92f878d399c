/**
 * Salted sessions, PolicySigned/PolicyPCR and encrypted Unseal against a real TPM (swtpm /
 * libtpms): if our KDFe salt, KDFa session key, cpHash or command HMAC were wrong the TPM would
 * refuse the command; if our rpHash or response HMAC check were wrong we would refuse its answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tpm2P256 } from '../../../impl/crypto/index.ts';
import {
  TPM_ALG,
  TPM_CC,
  TpmAuthSession,
  TpmError,
  TpmSessionClient,
  type LoadedObject,
  } from '../../../impl/tpm2/index.ts';
import { create } from '../../../impl/tpm2/commands-object.ts';
import { sealedDataTemplate } from '../../../impl/tpm2/public-area.ts';
import { commandCodeOf, contains, INTEROP_BACKENDS, InterceptingTransport, openIntercepted, utf8, type InteropTpm } from './swtpm-fixture.ts';

const SEL = [{ hashAlg: TPM_ALG.SHA256, pcrs: [16] }];
const teeSk = tpm2P256.scalarFromSeed(utf8('test TEE per-boot identity key ~skT'));
const teePk = tpm2P256.publicKey(teeSk);

for (const b of INTEROP_BACKENDS)
describe(`salted sessions against ${b.name}`, { skip: b.skip }, () => {
  let backend: InteropTpm;
  let wire: InterceptingTransport;
  let tpm: TpmSessionClient;
  let srk: LoadedObject;

  before(async () => {
    ({ backend, wire, tpm, srk } = await openIntercepted(b));
  });
  after(async () => {
    await backend?.close();
  });

  it('the TPM reports the same object Name we compute from its public area', async () => {
    const rp = await tpm.readPublic(srk.handle);
    // readPublic itself checks TPM Name == our Name; here we also check it against CreatePrimary's
    assert.deepEqual(rp.name, srk.name);
    assert.equal(rp.name.length, 34);
  });

  it('HMAC session salted with the ECC storage key: the TPM accepts our HMACs, we accept its', async () => {
    const secret = utf8('session-key interop secret');
    const auth = utf8('object-password');
    const obj = await tpm.load(srk, await tpm.sealWithAuth(srk, secret, auth), auth);
    try {
      const s = await tpm.startSaltedSession(srk, 'hmac');
      assert.equal(s.sessionKey.length, 32);
      assert.ok(s.session.salted);
      const seen: Uint8Array[] = [];
      for (let i = 0; i < 3; i++) {
        const u = await tpm.unseal(obj, s.session, { continueSession: i < 2 });
        assert.deepEqual(u.data, secret);
        assert.equal(u.responseHmacVerified, true);
        seen.push(u.nonceTPM);
      }
      // rolling nonces: every response carried a fresh nonceTPM
      assert.equal(new Set(seen.map((n) => Buffer.from(n).toString('hex'))).size, 3);
      assert.equal(s.session.open, false);
    } finally {
      await tpm.flush(obj);
    }
  });

  it('command parameter encryption: the secret travels encrypted in TPM2_Create and unseals intact', async () => {
    const secret = utf8('sealed over an encrypted channel');
    const hs = await tpm.startSaltedSession(srk, 'hmac');
    try {
      // provisioning under the policy, inSensitive encrypted: the host never sees the secret
      const before = wire.commands.length;
      await tpm.sealUnderPolicy(srk, secret, { authKeyPoint: teePk, pcrs: SEL, pcrValues: [new Uint8Array(32)] }, hs.session);
      const createCmd = wire.commands.slice(before).find((c) => commandCodeOf(c) === TPM_CC.Create);
      assert.ok(createCmd && createCmd.length > secret.length);
      assert.ok(!contains(createCmd, secret), 'secret visible in the Create command');
      // the TPM decrypted what we encrypted: the same path with a userAuth object unseals to it
      const auth = utf8('b');
      const template = sealedDataTemplate(new Uint8Array(0), { userWithAuth: true });
      const created = await create(tpm.executor, srk, template, { data: secret, userAuth: auth }, { auth: hs.session, decrypt: true });
      const obj = await tpm.load(srk, created, auth);
      try {
        assert.deepEqual((await tpm.unseal(obj, hs.session)).data, secret);
      } finally {
        await tpm.flush(obj);
      }
    } finally {
      await tpm.flush(hs.session);
    }
  });

  it('the authValue is part of the HMAC key: a wrong one is refused (noDA → TPM_RC_BAD_AUTH)', async () => {
    const obj = await tpm.load(srk, await tpm.sealWithAuth(srk, utf8('x'), utf8('right')), utf8('wrong'));
    const s = await tpm.startSaltedSession(srk, 'hmac');
    try {
      await assert.rejects(tpm.unseal(obj, s.session), (e: unknown) => {
        assert.ok(e instanceof TpmError);
        assert.equal(e.name, 'TPM_RC_BAD_AUTH');
        assert.equal(e.command, 'TPM2_Unseal');
        assert.equal(e.decoded.session, 1);
        return true;
      });
    } finally {
      await tpm.flush(s.session);
      await tpm.flush(obj);
    }
  });

  describe('protocols 2 and 3: PolicySigned + PolicyPCR, then Unseal with an encrypted response', () => {
    const secret = utf8('provisioned TEE secret S: 0123456789abcdef');
    let sealed: LoadedObject;
    let teeKey: LoadedObject;
    let authPolicy: Uint8Array;

    before(async () => {
      const r = await tpm.sealUnderPolicy(srk, secret, { authKeyPoint: teePk, pcrs: SEL });
      authPolicy = r.authPolicy;
      sealed = await tpm.load(srk, r.sealed);
      teeKey = await tpm.loadExternalVerifyKey(teePk);
    });

    it('our offline policy digest equals the digest the TPM computes in a trial session', async () => {
      const trial = await tpm.startTrialSession();
      try {
        await tpm.policySignedWithKey(trial, teeKey, teeSk);
        await tpm.policyPCR(trial, SEL);
        assert.deepEqual(await tpm.policyDigest(trial), authPolicy);
      } finally {
        await tpm.flush(trial);
      }
    });

    it('the unsealed secret, decrypted, equals the sealed one; it never crosses the wire in clear', async () => {
      const s = await tpm.startSaltedSession(srk, 'policy');
      // ConfirmSession before signing: the TPM proves it holds our session key
      const c = await tpm.confirmSession(s.session);
      assert.equal(c.verifiedSessions, 1);
      assert.notDeepEqual(c.nonceTPM, s.nonceTPM);
      await tpm.policySignedWithKey(s.session, teeKey, teeSk);
      await tpm.policyPCR(s.session, SEL);
      const before = wire.responses.length;
      const u = await tpm.unseal(sealed, s.session, { continueSession: false });
      assert.deepEqual(u.data, secret);
      assert.equal(u.responseHmacVerified, true);
      assert.equal(u.encryptedResponse, true);
      const rsp = wire.responses[before] as Uint8Array;
      assert.equal(commandCodeOf(wire.commands[before] as Uint8Array), TPM_CC.Unseal);
      assert.ok(!contains(rsp, secret), 'plaintext secret visible on the wire');
    });

    it('contrast: without the encrypt attribute the secret is visible to the host', async () => {
      const s = await tpm.startSaltedSession(srk, 'policy');
      await tpm.policySignedWithKey(s.session, teeKey, teeSk);
      await tpm.policyPCR(s.session, SEL);
      const before = wire.responses.length;
      const u = await tpm.unseal(sealed, s.session, { encrypt: false, continueSession: false });
      assert.deepEqual(u.data, secret);
      assert.ok(contains(wire.responses[before] as Uint8Array, secret));
    });

    it('ConfirmSession fails for a session whose key we do not hold (an attacker-opened session)', async () => {
      const s = await tpm.startSaltedSession(srk, 'policy');
      try {
        // the TEE believes the session has a key derived from its own salt; the TPM's differs
        const forged = new TpmAuthSession('policy', s.session.handle, tpm2P256.hash(utf8('not the key')), s.session.nonceTPM, s.nonceCaller, true, true);
        await assert.rejects(tpm.confirmSession(forged), (e: unknown) => e instanceof TpmError && e.name === 'TPM_RC_BAD_AUTH');
      } finally {
        await tpm.flush(s.session);
      }
    });

    it('PolicySigned by another key is refused with TPM_RC_SIGNATURE', async () => {
      const s = await tpm.startSaltedSession(srk, 'policy');
      try {
        const otherSk = tpm2P256.scalarFromSeed(utf8('an attacker key, not the TEE key'));
        await assert.rejects(tpm.policySignedWithKey(s.session, teeKey, otherSk), (e: unknown) => {
          assert.ok(e instanceof TpmError);
          assert.equal(e.name, 'TPM_RC_SIGNATURE');
          assert.equal(e.command, 'TPM2_PolicySigned');
          return true;
        });
      } finally {
        await tpm.flush(s.session);
      }
    });

    it('a PolicySigned signature over an old nonceTPM is not accepted again (M2.3 replay)', async () => {
      const s = await tpm.startSaltedSession(srk, 'policy');
      try {
        const oldSig = tpm2P256.sign(teeSk, tpm.policySignedMessage(s.session));
        await tpm.policySigned(s.session, teeKey, oldSig);
        await tpm.policyPCR(s.session, SEL);
        await tpm.unseal(sealed, s.session); // rolls nonceTPM and resets the policy
        await assert.rejects(tpm.policySigned(s.session, teeKey, oldSig), TpmError);
      } finally {
        await tpm.flush(s.session);
      }
    });

    it('after PCR_Extend the Unseal fails with TPM_RC_POLICY_FAIL', async () => {
      await tpm.pcrExtend(16, tpm2P256.hash(utf8('an unexpected measurement')));
      const s = await tpm.startSaltedSession(srk, 'policy');
      try {
        await tpm.policySignedWithKey(s.session, teeKey, teeSk);
        await tpm.policyPCR(s.session, SEL);
        await assert.rejects(tpm.unseal(sealed, s.session), (e: unknown) => {
          assert.ok(e instanceof TpmError);
          assert.equal(e.name, 'TPM_RC_POLICY_FAIL');
          assert.equal(e.command, 'TPM2_Unseal');
          assert.equal(e.decoded.session, 1);
          return true;
        });
      } finally {
        await tpm.flush(s.session);
        await tpm.pcrReset(16);
      }
    });

    after(async () => {
      if (sealed) await tpm.flush(sealed);
      if (teeKey) await tpm.flush(teeKey);
    });
  });
});
