/**
 * What a TPM attestation states, in the terms of the model's evidence messages. A real TPM does
 * not sign our encoding of `<'certify', Q, nB>` or `<'quote', pcr, nB>`: it signs a TPMS_ATTEST
 * (TPM 2.0 Part 2 §10.12.12) that it builds itself. An attestation signature therefore travels
 * with the TPMS_ATTEST bytes it signs (impl/wire's attestation-signature form), and a verifier
 * accepts it for the model statement `<type, subject, nonce>` when
 *
 *   - the signature is ECDSA P-256 over SHA-256 of exactly those bytes under the key (Part 3
 *     §18.2/§18.4: the TPM signs the digest of the attestation structure);
 *   - magic = TPM_GENERATED_VALUE (the structure came from a TPM, Part 2 §6.2) and the type is
 *     TPM_ST_ATTEST_CERTIFY for 'certify' / TPM_ST_ATTEST_QUOTE for 'quote';
 *   - extraData = the nonce (qualifyingData of TPM2_Certify / TPM2_Quote);
 *   - certify: the certified Name = the Name of the key `subject` under the storage-key template
 *     (Part 1 §16: nameAlg || SHA-256(TPMT_PUBLIC)). The Name covers the object attributes, so a
 *     verifier that checks it also learns that Q is a fixedTPM, fixedParent, restricted decrypt
 *     P-256 key created inside the TPM (sensitiveDataOrigin) — the key the key exchange salts to;
 *   - quote: the model's `pcr` is the digest of the quoted PCR state, SHA-256(TPMS_QUOTE_INFO) =
 *     SHA-256(TPML_PCR_SELECTION || TPM2B_DIGEST pcrDigest) (Part 2 §10.12.4), so the PCR
 *     selection is bound as well as the composite digest of the values (two selections of
 *     all-zero PCRs have the same pcrDigest).
 *
 * Other TPMS_ATTEST fields (clockInfo, firmwareVersion, qualifiedSigner) are not part of the
 * statement. Never throws on bad input.
 * @module
 */
import { tpm2P256, type CryptoSuite } from '../crypto/index.ts';
import { equalBytes, type TpmAttest, verifyAttestation } from './attest.ts';
import { marshal } from './marshal-writer.ts';
import { type PcrSelection, writePcrSelection } from './pcr-selection.ts';
import { objectName, storageKeyTemplate } from './public-area.ts';
import { TPM_ALG } from './spec-constants.ts';

/** The model statement a TPM attestation is checked against. */
export type AttestedStatement =
  | { readonly type: 'certify'; /** uncompressed P-256 point of the certified key Q */ readonly subject: Uint8Array; readonly nonce: Uint8Array }
  | { readonly type: 'quote'; /** the reference quote-state digest (see {@link quoteStateDigest}) */ readonly subject: Uint8Array; readonly nonce: Uint8Array };

export type StatementCheck = { readonly ok: true; readonly attest: TpmAttest } | { readonly ok: false; readonly reason: string };

/** The Name of an ECC P-256 storage key (the key-exchange key Q) with public point `point`. */
export function certifiedKeyName(point: Uint8Array, suite: CryptoSuite = tpm2P256): Uint8Array {
  if (point.length !== 65 || point[0] !== 4 || !suite.isValidPoint(point)) throw new RangeError(`certifiedKeyName: expected an uncompressed ${suite.algorithms.curve} point`);
  return objectName({ ...storageKeyTemplate(suite), x: point.slice(1, 33), y: point.slice(33, 65) });
}

/** SHA-256(TPMS_QUOTE_INFO): the digest of a quoted PCR state (selection and composite digest). */
export function quoteStateDigest(selection: PcrSelection, pcrDigest: Uint8Array, suite: CryptoSuite = tpm2P256): Uint8Array {
  return suite.hash(
    marshal((w) => {
      writePcrSelection(w, selection);
      w.tpm2b(pcrDigest);
    }),
  );
}

/** Does the TPM's signature `rs` over `attestBytes` under `signer` state `s`? */
export function checkAttestedStatement(rs: Uint8Array, attestBytes: Uint8Array, signer: Uint8Array, s: AttestedStatement, suite: CryptoSuite = tpm2P256): StatementCheck {
  if (rs.length !== 64) return { ok: false, reason: 'not a 64-byte ECDSA r || s' };
  // signature, magic, type and nonce: as any remote verifier of a TPM attestation
  const checked = verifyAttestation(attestBytes, { hashAlg: suite.algorithms.tpm.hashAlg, rs }, signer, { type: s.type, nonce: s.nonce }, suite);
  if (!checked.ok) return checked;
  const attest = checked.attest;
  if (attest.type === 'certify') {
    let name: Uint8Array;
    try {
      name = certifiedKeyName(s.subject, suite);
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
    if (!equalBytes(attest.name, name)) return { ok: false, reason: 'the certified Name is not the Name of the key' };
  } else {
    let digest: Uint8Array;
    try {
      digest = quoteStateDigest(attest.pcrSelect, attest.pcrDigest, suite);
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
    if (!equalBytes(digest, s.subject)) return { ok: false, reason: 'the quoted PCR state is not the reference' };
  }
  return { ok: true, attest };
}
