/**
 * TPM2_Sign (TPM 2.0 Part 3 §20.2) of a digest with an unrestricted key and a NULL hash-check
 * ticket, the signature returned as the TPMT_SIGNATURE bytes the TPM sent (Part 2 §11.3.4).
 * One command builder for every caller: the SM2 client (commands-sm2.ts) parses r ‖ s out of it,
 * the TZTCM bench hands it back to TPM2_VerifySignature as it is.
 * @module
 */
import { PASSWORD } from './auth-session.ts';
import type { TpmCommandExecutor } from './command-executor.ts';
import { marshal } from './marshal-writer.ts';
import { TPM_ALG, TPM_CC, TPM_RH, TPM_ST } from './spec-constants.ts';
import type { TpmEntity } from './tpm-entity.ts';

const EMPTY = new Uint8Array(0);

/** The TPMT_SIG_SCHEME of the command: the key's own (TPM_ALG_NULL) unless one is given. */
export interface SignScheme {
  readonly scheme: number;
  readonly hashAlg: number;
}

/** TPM2_Sign of `digest` under `key` (password authorization); the response's TPMT_SIGNATURE. */
export async function tpmSign(x: TpmCommandExecutor, key: TpmEntity, digest: Uint8Array, scheme?: SignScheme): Promise<Uint8Array> {
  const res = await x.run({
    code: TPM_CC.Sign,
    handles: [key],
    authHandles: 1,
    sessions: [{ auth: PASSWORD }],
    params: marshal((w) => {
      w.tpm2b(digest);
      if (scheme) w.u16(scheme.scheme).u16(scheme.hashAlg);
      else w.u16(TPM_ALG.NULL);
      w.u16(TPM_ST.HASHCHECK).u32(TPM_RH.NULL).tpm2b(EMPTY); // TPMT_TK_HASHCHECK, NULL ticket
    }),
  });
  return res.params;
}
