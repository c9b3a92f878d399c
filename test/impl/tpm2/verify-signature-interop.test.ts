/**
 * TPM2_VerifySignature against swtpm (TPM 2.0 Part 3 §20.1): a TTP token made by the model's
 * sign — ECDSA-P256-SHA256 over encode(m), i.e. over the digest SHA-256(encode(m)) — verifies in
 * the TPM with the TTP key loaded by TPM2_LoadExternal and yields a TPMT_TK_VERIFIED ticket; a
 * wrong token, another message or another key is TPM_RC_SIGNATURE as a typed TpmError.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Term, sign, v } from '../../../models/terms.ts';
import { roleOf } from '../../../models/role.ts';
import { tpmAttestation } from '../../../models/parties/tpm.ts';
import { seededRandom, tpm2P256 } from '../../../impl/crypto/index.ts';
import { evaluate } from '../../../impl/runtime/evaluate.ts';
import { TPM_RH, TPM_ST, TpmError, type TpmSessionClient } from '../../../impl/tpm2/index.ts';
import { encode } from '../../../impl/wire/codec.ts';
import { type Value, constV } from '../../../impl/wire/value.ts';
import { flipByte, INTEROP_BACKENDS, openBackend, type InteropTpm } from './swtpm-fixture.ts';

const rng = seededRandom(77);
const deps = { suite: tpm2P256, rng };
const skTTP: Value = { k: 'scalar', b: tpm2P256.scalarFromSeed(rng.bytes(48)) };
const pkTTP = tpm2P256.publicKey(skTTP.b);
const pkT: Value = { k: 'point', b: tpm2P256.publicKey(tpm2P256.scalarFromSeed(rng.bytes(48))) };
// the TEE token's message as the TPM machine checks it (its 'tokTEE' check: verify(tokTEE, m, pkTTP))
const tokCheck = roleOf(tpmAttestation()).transitions.flatMap((t) => t.steps).find((x) => x.op === 'check' && x.label === 'tokTEE');
if (tokCheck?.op !== 'check' || tokCheck.left.t !== 'app' || tokCheck.left.f !== 'verify') throw new Error("the TPM machine has no 'tokTEE' signature check");
const tokTerm: Term = tokCheck.left.args[1]!;
const env = { idTEE: constV('idTEE:n1'), self: constV('n1'), pkT, skTTP };
/** the token as the TTP machine makes it, and the bytes it signs */
const token = evaluate(sign(tokTerm, v('skTTP', 'skey')), env, deps) as { k: 'sig'; b: Uint8Array };
const message = encode(evaluate(tokTerm, env, deps));

async function refusedWith(p: Promise<unknown>, rc: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof TpmError && e.name === rc && e.command === 'TPM2_VerifySignature');
}

for (const b of INTEROP_BACKENDS)
describe(`TPM2_VerifySignature in ${b.name}`, { skip: b.skip }, () => {
  let backend: InteropTpm;
  let tpm: TpmSessionClient;
  before(async () => {
    backend = await openBackend(b);
    tpm = backend.client;
  });
  after(async () => {
    await backend?.close();
  });

  it('the model\'s sign is ECDSA over SHA-256(encode(m)): a good TTP token verifies in the TPM, with a TPM_ST_VERIFIED ticket', async () => {
    assert.ok(tpm2P256.verify(token.b, message, pkTTP), 'our own check agrees');
    const ticket = await tpm.verifyWithExternalKey(pkTTP, message, token.b);
    assert.equal(ticket.tag, TPM_ST.VERIFIED);
    assert.equal(ticket.hierarchy, TPM_RH.NULL, 'a key loaded by LoadExternal lives in the NULL hierarchy: a NULL ticket');
    assert.equal(ticket.digest.length, 0);
  });

  it('a wrong token, another message or another key: TPM_RC_SIGNATURE (typed), and the key is flushed each time', async () => {
    const otherKey = tpm2P256.publicKey(tpm2P256.scalarFromSeed(rng.bytes(48)));
    // more refusals than swtpm has object slots (3): each LoadExternal'd key was flushed
    for (let i = 0; i < 2; i++) {
      await refusedWith(tpm.verifyWithExternalKey(pkTTP, message, flipByte(token.b, 40)), 'TPM_RC_SIGNATURE');
      await refusedWith(tpm.verifyWithExternalKey(pkTTP, flipByte(message, -1), token.b), 'TPM_RC_SIGNATURE');
      await refusedWith(tpm.verifyWithExternalKey(otherKey, message, token.b), 'TPM_RC_SIGNATURE');
    }
    const ticket = await tpm.verifyWithExternalKey(pkTTP, message, token.b);
    assert.equal(ticket.tag, TPM_ST.VERIFIED);
  });

  it('an invalid public key is refused before anything is sent', async () => {
    await assert.rejects(tpm.verifyWithExternalKey(Uint8Array.of(4, ...new Uint8Array(64)), message, token.b), RangeError);
  });
});
