/**
 * Signature verification in the TPM: TPM2_VerifySignature (TPM 2.0 Part 3 §20.1). The TPM
 * checks an ECDSA signature over a digest with a loaded public key (e.g. one loaded with
 * TPM2_LoadExternal) and, if it verifies, returns a TPMT_TK_VERIFIED ticket (Part 2 §10.7, tickets:
 * tag TPM_ST_VERIFIED, hierarchy, HMAC digest — a NULL ticket, hierarchy TPM_RH_NULL and an
 * empty digest, for a key in the NULL hierarchy); a signature that does not verify is
 * TPM_RC_SIGNATURE (a TpmError).
 * @module
 */
import { TssRefusal } from './tss-refusal.ts';
import type { TpmCommandExecutor } from './command-executor.ts';
import { TpmMarshalError, TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { writeEcdsaSignature } from './signature.ts';
import { SHA256_SIZE, TPM_ALG, TPM_CC, TPM_ST } from './spec-constants.ts';
import type { TpmEntity } from './tpm-entity.ts';

/** TPMT_TK_VERIFIED. */
export interface VerifiedTicket {
  readonly tag: number;
  readonly hierarchy: number;
  readonly digest: Uint8Array;
}

/** TPM2_VerifySignature of the ECDSA signature `rs` (r || s) over the SHA-256 `digest` with `key`. */
export async function verifySignature(x: TpmCommandExecutor, key: TpmEntity, digest: Uint8Array, rs: Uint8Array): Promise<VerifiedTicket> {
  if (digest.length !== SHA256_SIZE) throw new TssRefusal(`verifySignature: expected a 32-byte SHA-256 digest, got ${digest.length}`);
  const res = await x.run({
    code: TPM_CC.VerifySignature,
    handles: [key], // keyHandle needs no authorization (Part 3 §20.1.2)
    params: marshal((w) => {
      w.tpm2b(digest);
      // the executor's suite: ECDSA-SHA256, or SM2-SM3_256 against a TCM 2.0
      writeEcdsaSignature(w, rs, x.suite.algorithms.tpm.hashAlg, x.suite.algorithms.tpm.signScheme);
    }),
  });
  const r = new TpmReader(res.params, 'TPM2_VerifySignature response');
  const tag = r.u16('validation.tag');
  if (tag !== TPM_ST.VERIFIED) throw new TpmMarshalError(`TPM2_VerifySignature: ticket tag 0x${tag.toString(16)} is not TPM_ST_VERIFIED`);
  const hierarchy = r.u32('validation.hierarchy');
  const ticketDigest = r.tpm2b('validation.digest', 64);
  r.end();
  return { tag, hierarchy, digest: ticketDigest };
}
