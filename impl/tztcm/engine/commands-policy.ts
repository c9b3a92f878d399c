/**
 * Policy commands (TPM 2.0 Part 3 §23): each extends the session's policyDigest with
 * PolicyUpdate (§23.2.4) — TPM2_PolicySigned (§23.3: the authorizing key's signature over
 * aHash = H(nonceTPM || expiration || cpHashA || policyRef)), TPM2_PolicyPCR (§23.7: the
 * current PCR values' digest, which must match pcrDigest when given), TPM2_PolicyAuthValue
 * (§23.17) and TPM2_PolicyPassword (§23.18, the same digest as PolicyAuthValue, but the
 * authValue then travels as a password), TPM2_PolicyCommandCode (§23.11) — plus
 * TPM2_PolicyGetDigest (§23.19) and TPM2_PolicyRestart (§23.20). In a trial session nothing is
 * checked, only the digest computed.
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { pcrCompositeDigest } from '../../tpm2/policy-digest.ts';
import { writePcrSelection } from '../../tpm2/pcr-selection.ts';
import { readAnySignature } from '../../tpm2/signature.ts';
import { TPMA_OBJECT, TPM_CC, TPM_ST, TPM_RH } from '../../tpm2/spec-constants.ts';
import { resetPolicy, equal } from './authorization.ts';
import { OBJECT, POLICY_SESSION, type CommandDef } from './command-def.ts';
import { modeDigestSize } from './algorithms.ts';
import { hasAttr } from './object.ts';
import { ParamReader, badParam } from './param-reader.ts';
import { selectionReader, selectedValues } from './pcr-banks.ts';
import { RC, TpmRc, rcHandle } from './rc.ts';
import { messageDigest, verifyDigest } from './signing.ts';
import type { EngineSession } from './session-state.ts';
import { suiteOfHash } from '../../tpm2/hash-algorithms.ts';

/** The session's hash (its authHash: SHA-256 in TPM mode, SM3 in TCM mode). */
const H = (s: EngineSession, b: Uint8Array) => suiteOfHash(s.authHash)!.hash(b);
const base = { auth: [], responseHandles: 0, decrypt: false, encrypt: false } as const;

export const policySigned: CommandDef = {
  ...base,
  decrypt: true,
  encrypt: true,
  code: TPM_CC.PolicySigned,
  name: 'TPM2_PolicySigned',
  handles: [OBJECT, POLICY_SESSION],
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_PolicySigned');
    const nonceTPM = p.next((r) => r.tpm2b('nonceTPM', 64));
    const cpHashA = p.next((r) => r.tpm2b('cpHashA', 64));
    const policyRef = p.next((r) => r.tpm2b('policyRef', 64));
    const expiration = p.next((r) => r.u32('expiration') | 0);
    const auth = p.next((r) => readAnySignature(r, modeDigestSize(tpm.algs)));
    p.end();
    const key = tpm.objectAt(handles[0]!)!;
    const s = tpm.sessionAt(handles[1]!)!;
    if (!hasAttr(key, TPMA_OBJECT.sign)) throw new TpmRc(rcHandle(RC.ATTRIBUTES, 1), 'authObject is not a signing key');
    if (cpHashA.length !== 0 && cpHashA.length !== 32) throw badParam(RC.SIZE, 2, 'cpHashA is not a SHA-256 digest');
    if (s.type !== 'trial') {
      // Part 3 §23.3.3: a nonce that is not the session's current nonceTPM
      if (nonceTPM.length !== 0 && !equal(nonceTPM, s.nonceTPM)) throw badParam(RC.NONCE, 1, 'nonceTPM is not the session nonce');
      const aHash = messageDigest(key, { scheme: auth.sigAlg, hashAlg: auth.hashAlg }, marshal((w) => w.bytes(nonceTPM).i32(expiration).bytes(cpHashA).bytes(policyRef)));
      if (!verifyDigest(key, aHash, auth)) throw badParam(RC.SIGNATURE, 5, 'the signature does not verify');
    }
    s.policyDigest = H(s, marshal((w) => w.bytes(H(s, marshal((x) => x.bytes(s.policyDigest).u32(TPM_CC.PolicySigned).bytes(key.name)))).bytes(policyRef)));
    // timeout empty and a NULL TPMT_TK_AUTH: tickets for expiration < 0 are not issued (docs)
    return { params: marshal((w) => w.tpm2b(new Uint8Array(0)).u16(TPM_ST.AUTH_SIGNED).u32(TPM_RH.NULL).tpm2b(new Uint8Array(0))) };
  },
};

export const policyPCR: CommandDef = {
  ...base,
  decrypt: true,
  code: TPM_CC.PolicyPCR,
  name: 'TPM2_PolicyPCR',
  handles: [POLICY_SESSION],
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_PolicyPCR');
    const pcrDigest = p.next((r) => r.tpm2b('pcrDigest', 64));
    const pcrs = p.next(selectionReader(tpm));
    p.end();
    const s = tpm.sessionAt(handles[0]!)!;
    let digestTPM: Uint8Array;
    if (s.type === 'trial' && pcrDigest.length > 0) digestTPM = pcrDigest;
    else {
      digestTPM = pcrCompositeDigest(selectedValues(tpm, pcrs), suiteOfHash(s.authHash)!);
      if (s.type !== 'trial' && pcrDigest.length > 0 && !equal(pcrDigest, digestTPM)) throw badParam(RC.VALUE, 1, 'the PCRs do not have the values pcrDigest names');
    }
    s.policyDigest = H(s, marshal((w) => {
      w.bytes(s.policyDigest).u32(TPM_CC.PolicyPCR);
      writePcrSelection(w, pcrs);
      w.bytes(digestTPM);
    }));
    if (s.type !== 'trial') s.pcrCounter = tpm.volatile.pcrUpdateCounter;
    return {};
  },
};

function simple(code: number, name: string, apply: (s: NonNullable<ReturnType<import('./engine-context.ts').EngineContext['sessionAt']>>) => void): CommandDef {
  return {
    ...base,
    code,
    name,
    handles: [POLICY_SESSION],
    run(tpm, { handles, params }) {
      new ParamReader(params, name).end();
      apply(tpm.sessionAt(handles[0]!)!);
      return {};
    },
  };
}

export const policyAuthValue = simple(TPM_CC.PolicyAuthValue, 'TPM2_PolicyAuthValue', (s) => {
  s.policyDigest = H(s, marshal((w) => w.bytes(s.policyDigest).u32(TPM_CC.PolicyAuthValue)));
  s.isAuthValueNeeded = true;
  s.isPasswordNeeded = false;
});

export const policyPassword = simple(TPM_CC.PolicyPassword, 'TPM2_PolicyPassword', (s) => {
  // Part 3 §23.18.1: "the policyDigest is extended as for TPM2_PolicyAuthValue"
  s.policyDigest = H(s, marshal((w) => w.bytes(s.policyDigest).u32(TPM_CC.PolicyAuthValue)));
  s.isPasswordNeeded = true;
  s.isAuthValueNeeded = false;
});

export const policyRestart = simple(TPM_CC.PolicyRestart, 'TPM2_PolicyRestart', resetPolicy);

export const policyCommandCode: CommandDef = {
  ...base,
  code: TPM_CC.PolicyCommandCode,
  name: 'TPM2_PolicyCommandCode',
  handles: [POLICY_SESSION],
  run(tpm, { handles, params }) {
    const p = new ParamReader(params, 'TPM2_PolicyCommandCode');
    const cc = p.next((r) => r.u32('code'));
    p.end();
    const s = tpm.sessionAt(handles[0]!)!;
    if (s.commandCode !== null && s.commandCode !== cc) throw badParam(RC.VALUE, 1, 'the session is already restricted to another command');
    s.policyDigest = H(s, marshal((w) => w.bytes(s.policyDigest).u32(TPM_CC.PolicyCommandCode).u32(cc)));
    s.commandCode = cc;
    return {};
  },
};

export const policyGetDigest: CommandDef = {
  ...base,
  encrypt: true,
  code: TPM_CC.PolicyGetDigest,
  name: 'TPM2_PolicyGetDigest',
  handles: [POLICY_SESSION],
  run(tpm, { handles, params }) {
    new ParamReader(params, 'TPM2_PolicyGetDigest').end();
    return { params: marshal((w) => w.tpm2b(tpm.sessionAt(handles[0]!)!.policyDigest)) };
  },
};
