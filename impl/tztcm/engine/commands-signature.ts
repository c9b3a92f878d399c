/**
 * TPM2_VerifySignature (TPM 2.0 Part 3 §20.1) and TPM2_Sign (§20.2). VerifySignature answers a
 * TPMT_TK_VERIFIED ticket (HMAC(proof, TPM_ST_VERIFIED || digest || keyName), a NULL ticket for
 * a key in the NULL hierarchy) or TPM_RC_SIGNATURE. Sign signs a digest with the key's scheme;
 * a restricted key signs only a digest the TPM computed (a valid TPMT_TK_HASHCHECK, from TPM2_Hash, commands-hash.ts).
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { readAnySignature, writeAnySignature } from '../../tpm2/signature.ts';
import { TPMA_OBJECT, TPM_CC, TPM_ST } from '../../tpm2/spec-constants.ts';
import { equal } from './authorization.ts';
import { hierarchyOf } from './state.ts';
import { OBJECT, type CommandDef } from './command-def.ts';
import { ticket } from './hierarchy.ts';
import { modeDigestSize } from './algorithms.ts';
import { digestSize } from './key-material.ts';
import { hasAttr } from './object.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { RC, TpmRc, rcHandle } from './rc.ts';
import { assertSigningKey, readSigScheme, signDigest, signScheme, verifyDigest } from './signing.ts';

export const verifySignature: CommandDef = {
  code: TPM_CC.VerifySignature,
  name: 'TPM2_VerifySignature',
  handles: [OBJECT],
  auth: [],
  responseHandles: 0,
  decrypt: true,
  encrypt: false,
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_VerifySignature');
    const digest = p.next((r) => r.tpm2b('digest', 64));
    const sig = p.next((r) => readAnySignature(r, modeDigestSize(tpm.algs)));
    p.end();
    const key = tpm.objectAt(handles[0]!)!;
    if (!hasAttr(key, TPMA_OBJECT.sign)) throw new TpmRc(rcHandle(RC.ATTRIBUTES, 1), 'not a signing key');
    if (!verifyDigest(key, digest, sig)) throw badParam(RC.SIGNATURE, 2, 'the signature does not verify');
    return { params: ticket(tpm, TPM_ST.VERIFIED, key.hierarchy, marshal((w) => w.bytes(digest).bytes(key.name))) };
  },
};

export const sign: CommandDef = {
  code: TPM_CC.Sign,
  name: 'TPM2_Sign',
  handles: [OBJECT],
  auth: ['user'],
  responseHandles: 0,
  decrypt: true,
  encrypt: false,
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_Sign');
    const digest = p.next((r) => r.tpm2b('digest', 64));
    const inScheme = p.next(readSigScheme);
    const validation = p.next((r) => ({ tag: r.u16('validation.tag'), hierarchy: r.u32('validation.hierarchy'), digest: r.tpm2b('validation.digest', 64) }));
    p.end();
    const key = tpm.objectAt(handles[0]!)!;
    assertSigningKey(key, 1);
    const s = signScheme(key, inScheme, 2, tpm.algs);
    if (digest.length !== digestSize(s.hashAlg)) throw badParam(RC.SIZE, 1, 'digest does not fit the scheme hash');
    if (validation.tag !== TPM_ST.HASHCHECK) throw badParam(RC.TAG, 3, 'validation is not a TPMT_TK_HASHCHECK');
    if (hasAttr(key, TPMA_OBJECT.restricted)) {
      // Part 3 §20.2.3: a restricted key signs a digest only with a TPMT_TK_HASHCHECK of it
      const h = hierarchyOf(validation.hierarchy);
      const want = h && h !== 'null' ? ticket(tpm, TPM_ST.HASHCHECK, h, marshal((w) => w.bytes(digest))) : null;
      const got = marshal((w) => w.u16(validation.tag).u32(validation.hierarchy).tpm2b(validation.digest));
      if (!want || !equal(want, got)) throw badParam(RC.TICKET, 3, 'a restricted key signs only digests TPM2_Hash made');
    }
    return { params: marshal((w) => writeAnySignature(w, signDigest(tpm, key, s, digest))) };
  },
};
