/**
 * The two value forms only a TPM 2.0 makes or needs, defined through the wire layer's seam
 * (impl/wire/forms.ts), so the generic runtime and codec know nothing of TPMs:
 * - a signature a TPM made over its own attestation structure carries the signed TPMS_ATTEST
 *   bytes (TPM 2.0 Part 2 §10.12.12) with it: the TPM signs that structure, not our encoding of
 *   the model's message (attested-statement.ts says what it states). Wire tag 0x07:
 *   0x07 r||s[64] len:u32be TPMS_ATTEST[len].
 * - a verifier's enrolled TPM attestation key is marked restricted: a restricted signing key
 *   signs TPM-generated structures only (Part 1 §25.2.1), so nothing else may be accepted under
 *   it. A local mark: never encoded.
 * impl/tpm2-bridge/attestation-verifier.ts judges both (EvalDeps.verifier).
 * @module
 */
import { type LeafForm, defineForm } from '../wire/forms.ts';
import type { Value } from '../wire/value.ts';

export const TPMS_ATTEST_FORM: LeafForm = defineForm({ label: 'TPMS_ATTEST', kind: 'sig', tag: 0x07, jsonKey: 'attest' });
export const RESTRICTED_KEY_FORM: LeafForm = defineForm({ label: 'restricted', kind: 'point', tag: null, jsonKey: 'restricted' });

/** A TPM's attestation signature: ECDSA r||s over SHA-256(attest), and the TPMS_ATTEST bytes. */
export const attestedSig = (rs: Uint8Array, attest: Uint8Array): Value => ({ k: 'sig', b: rs, form: { form: TPMS_ATTEST_FORM, data: attest } });

/** A TPM restricted signing key (an AK) as a verifier enrolled it. */
export const restrictedKey = (point: Uint8Array): Value => ({ k: 'point', b: point, form: { form: RESTRICTED_KEY_FORM, data: new Uint8Array(0) } });

/** The TPMS_ATTEST bytes a signature carries, if it is a TPM attestation signature. */
export const attestOf = (sig: Extract<Value, { k: 'sig' }>): Uint8Array | undefined => (sig.form?.form === TPMS_ATTEST_FORM ? sig.form.data : undefined);

export const isRestrictedKey = (p: Extract<Value, { k: 'point' }>): boolean => p.form?.form === RESTRICTED_KEY_FORM;
