/**
 * The SM2 commands a TPM with TPM_ALG_SM2 and TPM_ECC_SM2_P256 offers (libtpms does; it has
 * neither TPM_ALG_SM3_256 nor TPM_ALG_SM4 — docs/tcm-suite.md): an SM2 signing key on the SM2
 * curve (TPM 2.0 Part 2 §11.2.5.2 TPMS_ECC_PARMS, scheme TPM_ALG_SM2), TPM2_Sign of a digest with
 * it (Part 3 §20.2) and TPM2_VerifySignature of an SM2 signature (Part 3 §20.1). The TPM signs
 * the digest it is given, so the caller forms e = SM3(Z_A ‖ M) (GB/T 32918.2 §6.1) itself; the
 * scheme's hashAlg only names the digest's algorithm (SHA-256 here: the TPM knows no SM3).
 * @module
 */
import type { TpmCommandExecutor } from './command-executor.ts';
import { loadExternal, type LoadedObject } from './commands-object.ts';
import { tpmSign } from './commands-sign.ts';
import { TpmMarshalError, TpmReader } from './marshal-reader.ts';
import { marshal, type TpmWriter } from './marshal-writer.ts';
import type { EccPublic, TpmPublic } from './public-area.ts';
import { TPM_ALG, TPM_CC, TPM_ECC_SM2_P256, TPM_ST, TPMA_OBJECT } from './spec-constants.ts';
import type { TpmEntity } from './tpm-entity.ts';

const EMPTY = new Uint8Array(0);
const COORD = 32;
const SM2_DIGEST_SCHEME = { scheme: TPM_ALG.SM2, hashAlg: TPM_ALG.SHA256 } as const;

/** Unrestricted SM2 signing key on TPM_ECC_SM2_P256 (signs any digest), for TPM2_CreatePrimary. */
export function sm2SigningKeyTemplate(): EccPublic {
  const A = TPMA_OBJECT;
  return {
    type: 'ecc',
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.noDA | A.sign,
    authPolicy: EMPTY,
    symmetric: null,
    scheme: SM2_DIGEST_SCHEME,
    curveId: TPM_ECC_SM2_P256,
    kdf: null,
    x: EMPTY,
    y: EMPTY,
  };
}

function pad(c: Uint8Array, what: string): Uint8Array {
  if (c.length > COORD) throw new RangeError(`${what}: ${c.length} bytes is too long for the SM2 curve`);
  const out = new Uint8Array(COORD);
  out.set(c, COORD - c.length);
  return out;
}

/** The key of an SM2-curve public area as an uncompressed SEC 1 point (not checked here). */
export function sm2Point(p: TpmPublic): Uint8Array {
  if (p.type !== 'ecc' || p.curveId !== TPM_ECC_SM2_P256) throw new RangeError('sm2Point: not a TPM_ECC_SM2_P256 public area');
  return Uint8Array.of(0x04, ...pad(p.x, 'x'), ...pad(p.y, 'y'));
}

/** TPM2_LoadExternal of an SM2 verification key given as an uncompressed point. */
export function loadSm2VerifyKey(x: TpmCommandExecutor, point: Uint8Array): Promise<LoadedObject> {
  if (point.length !== 1 + 2 * COORD || point[0] !== 0x04) throw new RangeError('loadSm2VerifyKey: expected an uncompressed point');
  const pub: EccPublic = {
    ...sm2SigningKeyTemplate(),
    objectAttributes: TPMA_OBJECT.sign | TPMA_OBJECT.userWithAuth | TPMA_OBJECT.noDA,
    x: point.slice(1, 1 + COORD),
    y: point.slice(1 + COORD),
  };
  return loadExternal(x, pub);
}

/** TPMT_SIGNATURE with sigAlg TPM_ALG_SM2 (TPMS_SIGNATURE_SM2 = TPMS_SIGNATURE_ECC, Part 2 §11.3.4). */
function writeSm2Signature(w: TpmWriter, rs: Uint8Array): void {
  if (rs.length !== 2 * COORD) throw new RangeError(`SM2 signature: expected 64 bytes r||s, got ${rs.length}`);
  w.u16(TPM_ALG.SM2).u16(SM2_DIGEST_SCHEME.hashAlg).tpm2b(rs.subarray(0, COORD)).tpm2b(rs.subarray(COORD));
}

/** TPM2_Sign (Part 3 §20.2) of `digest` with an SM2 key: r ‖ s. NULL hash-check ticket (unrestricted key). */
export async function sm2Sign(x: TpmCommandExecutor, key: TpmEntity, digest: Uint8Array): Promise<Uint8Array> {
  const r = new TpmReader(await tpmSign(x, key, digest, SM2_DIGEST_SCHEME), 'TPM2_Sign response');
  const sigAlg = r.u16('signature.sigAlg');
  if (sigAlg !== TPM_ALG.SM2) throw new TpmMarshalError(`TPM2_Sign: sigAlg 0x${sigAlg.toString(16)} is not TPM_ALG_SM2`);
  r.u16('signature.hash');
  const rr = pad(r.tpm2b('signatureR', 66), 'r');
  const ss = pad(r.tpm2b('signatureS', 66), 's');
  r.end();
  return Uint8Array.of(...rr, ...ss);
}

/** TPM2_VerifySignature (Part 3 §20.1) of an SM2 signature r ‖ s over `digest`; throws TpmError (TPM_RC_SIGNATURE) if it fails. */
export async function sm2VerifyInTpm(x: TpmCommandExecutor, key: TpmEntity, digest: Uint8Array, rs: Uint8Array): Promise<void> {
  const res = await x.run({
    code: TPM_CC.VerifySignature,
    handles: [key],
    params: marshal((w) => {
      w.tpm2b(digest);
      writeSm2Signature(w, rs);
    }),
  });
  const r = new TpmReader(res.params, 'TPM2_VerifySignature response');
  const tag = r.u16('validation.tag');
  if (tag !== TPM_ST.VERIFIED) throw new TpmMarshalError(`TPM2_VerifySignature: ticket tag 0x${tag.toString(16)} is not TPM_ST_VERIFIED`);
  r.u32('validation.hierarchy');
  r.tpm2b('validation.digest', 64);
  r.end();
}
