/**
 * The signature verifier a run with a real TPM gives every local party (`EvalDeps.verifier`): a
 * TPM's attestation signature (a sig carrying the TPMS_ATTEST bytes it signs, impl/tpm2/value-forms.ts)
 * verifies the model statement m = <'certify'|'quote', subject, nonce> when the TPM's structure
 * states it (impl/tpm2/attested-statement.ts: ECDSA over SHA-256(TPMS_ATTEST), magic, type,
 * extraData = nonce, certified Name = Name(Q) / SHA-256(TPMS_QUOTE_INFO) = pcr). Under a key
 * marked `restricted` (an enrolled TPM attestation key) only such signatures verify (TPM 2.0
 * Part 1 §25.2.4: a restricted signing key signs only TPM-generated structures). Any other
 * signature is left to the suite (undefined).
 *
 * The statement's shape (tag constant, subject, nonce) is the model's `certifyStatement` /
 * `quoteStatement` (models/parties/messages.ts), what the TPM machine signs for TPM2_Certify /
 * TPM2_Quote — the shape TPMS_ATTEST gives both.
 * @module
 */
import { certifyStatement, quoteStatement } from '../../models/parties/messages.ts';
import { tpm2P256, type CryptoSuite } from '../crypto/index.ts';
import type { EvalDeps } from '../runtime/evaluate.ts';
import { checkAttestedStatement } from '../tpm2/attested-statement.ts';
import { attestOf, isRestrictedKey } from '../tpm2/value-forms.ts';
import type { Value } from '../wire/value.ts';

/** The verifier for a run on `suite` (the TPM's signatures and digests are the suite's: ECDSA/SHA-256 or SM2/SM3). */
export function tpmAttestationVerifierFor(suite: CryptoSuite): NonNullable<EvalDeps['verifier']> {
  return (sig, m, pk) => {
    const attest = attestOf(sig);
    if (attest) return verifyAttested(sig.b, attest, m, pk.b, suite);
    return isRestrictedKey(pk) ? false : undefined;
  };
}

export const tpmAttestationVerifier: NonNullable<EvalDeps['verifier']> = tpmAttestationVerifierFor(tpm2P256);

/** A TPM attestation signature against the model statement m = <'certify'|'quote', subject, nonce>. */
function verifyAttested(rs: Uint8Array, attest: Uint8Array, m: Value, signer: Uint8Array, suite: CryptoSuite): boolean {
  if (m.k !== 'tuple' || m.items.length !== 3) return false;
  const [tag, subject, nonce] = m.items as [Value, Value, Value];
  if (tag.k !== 'const' || nonce.k !== 'bytes') return false;
  const type = tag.s === certifyStatement.id ? 'certify' : tag.s === quoteStatement.id ? 'quote' : null;
  if (type === null || (type === 'certify' ? subject.k !== 'point' : subject.k !== 'bytes')) return false;
  return checkAttestedStatement(rs, attest, signer, { type, subject: (subject as { b: Uint8Array }).b, nonce: nonce.b }, suite).ok;
}
