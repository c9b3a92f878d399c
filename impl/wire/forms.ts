/**
 * Extra forms of a signature or a point, defined outside the generic wire layer by the code
 * that alone can judge them (the seam that keeps TPM specifics out of impl/wire and
 * impl/runtime: impl/tpm2/value-forms.ts defines a TPM's attestation signature and a
 * restricted attestation key). A value in such a form carries the form and its data; the
 * runtime's `verify` never accepts it by itself (only an `EvalDeps.verifier` that knows the form
 * decides), and the codec writes a travelling form under its own tag (codec.ts):
 *
 *   tag:u8 leaf[fixed size of the kind] len:u32be data[len]     (1 ≤ len ≤ LIMITS.maxBytes)
 *
 * A form without a tag is a local mark (a verifier's own set-up value): never encoded, not part
 * of the value's equality.
 * @module
 */

export interface LeafForm {
  /** what it is, for messages and reports (e.g. 'TPMS_ATTEST') */
  readonly label: string;
  readonly kind: 'sig' | 'point';
  /** its wire tag (not one of codec.ts's own), or null: a local mark, never encoded */
  readonly tag: number | null;
  /** the key of its data in the JSON form of a value (value.ts `valueToJson`) */
  readonly jsonKey: string;
}

/** A value's form and the data that comes with it. */
export interface FormData {
  readonly form: LeafForm;
  readonly data: Uint8Array;
}

/** Tags the generic codec uses itself (codec.ts). */
export const BASE_TAGS: ReadonlySet<number> = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06]);

const BY_TAG = new Map<number, LeafForm>();

/** Define a form; its tag must be new (one form per tag, never a base tag). */
export function defineForm(form: LeafForm): LeafForm {
  if (form.tag !== null) {
    if (BASE_TAGS.has(form.tag)) throw new Error(`form ${form.label}: tag 0x${form.tag.toString(16)} is the codec's own`);
    const known = BY_TAG.get(form.tag);
    if (known && known !== form) throw new Error(`form ${form.label}: tag 0x${form.tag.toString(16)} is ${known.label}'s`);
    BY_TAG.set(form.tag, form);
  }
  return form;
}

/** The form a wire tag stands for, if one was defined. */
export const formByTag = (tag: number): LeafForm | undefined => BY_TAG.get(tag);

/** The form data that travels with a value (null for none or a local mark). */
export function travellingForm(v: { readonly form?: FormData }): FormData | null {
  return v.form && v.form.form.tag !== null ? v.form : null;
}
