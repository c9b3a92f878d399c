/**
 * TPM2_Hash (TPM 2.0 Part 3 §15.4): the digest of up to MAX_DIGEST_BUFFER octets and a
 * TPMT_TK_HASHCHECK ticket saying the TPM computed it — HMAC(proof(hierarchy),
 * TPM_ST_HASHCHECK || digest) — unless the data begins with TPM_GENERATED_VALUE (then a NULL
 * ticket: a restricted key must not sign something that looks like a TPM attestation) or the
 * hierarchy is NULL. TPM2_Sign with a restricted key checks the ticket (commands-signature.ts).
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { TPM_CC, TPM_GENERATED_VALUE, TPM_ST } from '../../tpm2/spec-constants.ts';
import type { CommandDef } from './command-def.ts';
import { ticket } from './hierarchy.ts';
import { ParamReader } from './param-reader.ts';
import { modeHash } from './algorithms.ts';
import { RC, TpmRc } from './rc.ts';
import { hierarchyOf } from './state.ts';

/** Part 2 §10.4.8 MAX_DIGEST_BUFFER of the reference TPM. */
const MAX_DIGEST_BUFFER = 1024;

export const hash: CommandDef = {
  code: TPM_CC.Hash,
  name: 'TPM2_Hash',
  handles: [],
  auth: [],
  responseHandles: 0,
  decrypt: true,
  encrypt: true,
  run(tpm, { params }) {
    const p = new ParamReader(params, 'TPM2_Hash');
    const data = p.next((r) => r.tpm2b('data', MAX_DIGEST_BUFFER));
    const h = p.next((r) => {
      const f = modeHash(tpm.algs, r.u16('hashAlg'));
      if (!f) throw new TpmRc(RC.HASH, 'not a hash the engine has');
      return f;
    });
    const hier = p.next((r) => {
      const x = hierarchyOf(r.u32('hierarchy'));
      if (!x) throw new TpmRc(RC.VALUE, 'not a hierarchy');
      return x;
    });
    p.end();
    const digest = h(data);
    const generated = data.length >= 4 && new DataView(data.buffer, data.byteOffset).getUint32(0, false) === TPM_GENERATED_VALUE;
    const tk = ticket(tpm, TPM_ST.HASHCHECK, generated ? 'null' : hier, marshal((w) => w.bytes(digest)));
    return { params: marshal((w) => w.tpm2b(digest).bytes(tk)) };
  },
};
