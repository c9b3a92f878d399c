/**
 * TPM2_StartAuthSession (TPM 2.0 Part 3 §11.1): HMAC, policy and trial sessions with the mode's
 * hash and cipher (TPM mode: SHA-256, AES-128/256-CFB; TCM mode: SM3_256, SM4-128-CFB), XOR (the
 * mode's hash) or no symmetric algorithm; unsalted or salted with a loaded decrypt key — ECC on
 * the key's curve (Part 1 Annex C.6.1: encryptedSalt is the caller's ephemeral point E, salt =
 * KDFe(Z.x, "SECRET", E.x, Q.x, 256) with Z = d·E; in TCM mode an SM2-curve key and KDFe over
 * SM3) or RSA (Annex B.10.3: RSAES-OAEP with label "SECRET\0"); bound to an entity or not.
 * sessionKey = KDFa(bind.authValue || salt, "ATH", nonceTPM, nonceCaller, 256) (Part 1 §19.6.8)
 * over the session's hash. nonceTPM has the size of nonceCaller.
 * @module
 */
import { suiteOfCurve } from '../../tpm2/hash-algorithms.ts';
import { rsaOaepDecrypt } from '../../crypto/rsa.ts';
import { TpmReader } from '../../tpm2/marshal-reader.ts';
import { marshal } from '../../tpm2/marshal-writer.ts';
import { deriveSessionKey, stripTrailingZeros } from '../../tpm2/session-crypto.ts';
import { TPMA_OBJECT, TPM_ALG, TPM_CC, TPM_RH, TPM_SE } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import type { EngineContext } from './engine-context.ts';
import { resolveHandle } from './entities.ts';
import { implementsHash } from './algorithms.ts';
import { digestSize } from './key-material.ts';
import { hasAttr } from './object.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { RC, TpmRc, rcHandle } from './rc.ts';

const SECRET_LABEL = new TextEncoder().encode('SECRET\0');

/** The salt the caller encrypted to `tpmKey` (Part 1 §24.6 / Annex B.10.3, C.6.1). */
function recoverSalt(tpm: EngineContext, tpmKey: number, encryptedSalt: Uint8Array): Uint8Array {
  const key = tpm.objectAt(tpmKey)!;
  if (key.publicOnly) throw new TpmRc(rcHandle(RC.HANDLE, 1), 'tpmKey has only its public part loaded');
  if (!hasAttr(key, TPMA_OBJECT.decrypt)) throw new TpmRc(rcHandle(RC.ATTRIBUTES, 1), 'tpmKey is not a decrypt key');
  if (key.public.type === 'ecc') {
    let E: Uint8Array;
    try {
      const r = new TpmReader(encryptedSalt, 'encryptedSalt');
      const x = r.tpm2b('x', 32);
      const y = r.tpm2b('y', 32);
      r.end();
      E = new Uint8Array(65);
      E[0] = 4;
      E.set(x, 33 - x.length);
      E.set(y, 65 - y.length);
    } catch {
      throw badParam(RC.SIZE, 2, 'encryptedSalt is not a TPMS_ECC_POINT');
    }
    // the key's curve (the mode's, object-checks.ts); KDFe over the mode's hash (the session's)
    const curve = suiteOfCurve(key.public.curveId)!;
    if (!curve.isValidPoint(E)) throw badParam(RC.ECC_POINT, 2, `E is not on ${curve.algorithms.curve}`);
    const z = curve.pointX(curve.pointMul(E, key.sensitive));
    const q = key.public;
    return tpm.algs.suite.kdfe(z, 'SECRET', E.subarray(1, 33), new Uint8Array([...new Uint8Array(32 - q.x.length), ...q.x]), 256);
  }
  if (key.public.type === 'rsa') {
    const salt = rsaOaepDecrypt(key.public.modulus, key.sensitive, key.public.nameAlg, SECRET_LABEL, encryptedSalt);
    if (!salt) throw badParam(RC.VALUE, 2, 'encryptedSalt does not decrypt');
    if (salt.length > 32) throw badParam(RC.VALUE, 2, 'salt longer than the session hash');
    return salt;
  }
  throw new TpmRc(rcHandle(RC.KEY, 1), 'tpmKey is neither RSA nor ECC');
}

export const startAuthSession: CommandDef = {
  code: TPM_CC.StartAuthSession,
  name: 'TPM2_StartAuthSession',
  handles: [
    { kind: 'object', allowed: [TPM_RH.NULL] },
    { kind: 'entity', allowed: [TPM_RH.NULL] },
  ],
  auth: [],
  responseHandles: 1,
  decrypt: true,
  encrypt: true,
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_StartAuthSession');
    const m = tpm.algs;
    const nonceCaller = p.next((r) => r.tpm2b('nonceCaller', 64));
    const encryptedSalt = p.next((r) => r.tpm2b('encryptedSalt', 512));
    const sessionType = p.next((r) => {
      const t = r.u8('sessionType');
      if (t !== TPM_SE.HMAC && t !== TPM_SE.POLICY && t !== TPM_SE.TRIAL) throw new TpmRc(RC.VALUE, 'sessionType');
      return t;
    });
    const sym = p.next((r) => {
      const algorithm = r.u16('symmetric.algorithm');
      if (algorithm === TPM_ALG.NULL) return null;
      // TPMI_ALG_SYM: the mode's block cipher (AES / SM4) or XOR; the other mode's cipher is TPM_RC_SYMMETRIC
      if (algorithm !== m.symAlg && algorithm !== TPM_ALG.XOR) throw new TpmRc(RC.SYMMETRIC, 'symmetric algorithm');
      if (algorithm === TPM_ALG.XOR) {
        // TPMT_SYM_DEF with XOR: keyBits is the hash; no mode (Part 2 §11.1.3)
        if (r.u16('xor.hash') !== m.nameAlg) throw new TpmRc(RC.SYMMETRIC, 'XOR with the session hash only');
        return { algorithm, keyBits: 1, mode: TPM_ALG.NULL };
      }
      const keyBits = r.u16('keyBits');
      const mode = r.u16('mode');
      if (!m.symKeyBits.includes(keyBits) || mode !== TPM_ALG.CFB) throw new TpmRc(RC.SYMMETRIC, m.mode === 'tcm' ? 'SM4-128-CFB only' : 'AES-128/256-CFB only');
      return { algorithm, keyBits, mode };
    });
    const authHash = p.next((r) => {
      // TPMI_ALG_HASH: a hash the TPM implements (SHA-1/256/384/512), else TPM_RC_HASH
      const h = r.u16('authHash');
      if (!implementsHash(m, h)) throw new TpmRc(RC.HASH, 'authHash is not a hash the engine implements');
      return h;
    });
    p.end();
    // Part 3 §11.1.1: nonceCaller at least 16 octets and no longer than the session hash
    if (nonceCaller.length < 16 || nonceCaller.length > digestSize(authHash)!) throw badParam(RC.SIZE, 1, 'nonceCaller must be 16 octets up to the authHash digest');
    if (authHash !== m.nameAlg) throw badParam(RC.HASH, 5, `authHash must be ${m.mode === 'tcm' ? 'SM3_256 (TCM mode)' : 'SHA-256 (the engine has SHA-256 sessions only)'}`);
    const [tpmKey, bind] = handles as [number, number];
    if (tpmKey === TPM_RH.NULL && encryptedSalt.length > 0) throw badParam(RC.VALUE, 2, 'a salt needs a tpmKey');
    if (tpmKey !== TPM_RH.NULL && encryptedSalt.length === 0) throw badParam(RC.VALUE, 2, 'tpmKey given without an encryptedSalt');
    const salt = tpmKey === TPM_RH.NULL ? new Uint8Array(0) : recoverSalt(tpm, tpmKey, encryptedSalt);
    const bindEntity = bind === TPM_RH.NULL ? null : resolveHandle(tpm, { kind: 'entity' }, bind, 1);
    const bindAuth = bindEntity ? stripTrailingZeros(bindEntity.authValue) : new Uint8Array(0);
    const handle = tpm.newSessionHandle(sessionType !== TPM_SE.HMAC);
    // nonceTPM has the size of nonceCaller (the reference TPM's SessionCreate; swtpm does the same)
    const nonceTPM = tpm.random.bytes(nonceCaller.length);
    tpm.volatile.sessions.set(handle, {
      handle,
      type: sessionType === TPM_SE.HMAC ? 'hmac' : sessionType === TPM_SE.POLICY ? 'policy' : 'trial',
      authHash,
      cfb: sym !== null,
      symBits: sym?.keyBits ?? 0,
      sessionKey: deriveSessionKey(bindAuth, salt, nonceTPM, nonceCaller, m.suite),
      salted: salt.length > 0,
      bindName: bindEntity ? bindEntity.name : null,
      bindAuth,
      nonceTPM,
      nonceSize: nonceCaller.length,
      policyDigest: new Uint8Array(32),
      isAuthValueNeeded: false,
      isPasswordNeeded: false,
      commandCode: null,
      pcrCounter: null,
      savedSequence: null,
    });
    return { handles: [handle], params: marshal((w) => w.tpm2b(nonceTPM)) };
  },
};
