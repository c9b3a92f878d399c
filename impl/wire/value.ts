/**
 * Concrete values: what a term evaluates to in the reference implementation.
 *
 * Kinds follow what a receiver can tell apart on the wire: opaque bytes (nonces, digests, MACs,
 * KDF outputs, ciphertexts), EC points, ECDSA signatures, scalars (private keys, exponents),
 * public constants (labels, agent names, `true`) and tuples.
 *
 * A signature or a point may come in a form defined outside this layer (forms.ts: e.g. a TPM's
 * attestation signature, impl/tpm2/value-forms.ts); a form that travels is part of the value
 * (encoded, compared, shown), a local mark is not.
 * @module
 */
import type { ValueKind as ModelKind } from '../../models/terms.ts';
import { type FormData, travellingForm } from './forms.ts';

export type Value =
  | { readonly k: 'bytes'; readonly b: Uint8Array; /** a KDFa 'CFB' key: AES-128-CFB key || IV */ readonly cfb?: boolean }
  | { readonly k: 'point'; readonly b: Uint8Array; readonly form?: FormData }
  | {
      readonly k: 'sig';
      /** ECDSA r || s */
      readonly b: Uint8Array;
      readonly form?: FormData;
    }
  | { readonly k: 'scalar'; readonly b: Uint8Array }
  | { readonly k: 'const'; readonly s: string }
  | { readonly k: 'tuple'; readonly items: readonly Value[] };

export type ValueKind = Value['k'];
// the kinds are the models' (models/sorts.ts decides which a sort admits): the same set both ways
type SameKinds = [ValueKind] extends [ModelKind] ? ([ModelKind] extends [ValueKind] ? true : never) : never;
const sameKinds: SameKinds = true;
void sameKinds;

export const bytesV = (b: Uint8Array, cfb = false): Value => (cfb ? { k: 'bytes', b, cfb } : { k: 'bytes', b });
export const constV = (s: string): Value => ({ k: 'const', s });
export const tupleV = (items: readonly Value[]): Value => ({ k: 'tuple', items });

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Structural equality (byte contents compared in constant time per leaf). */
export function valueEquals(x: Value, y: Value): boolean {
  if (x.k !== y.k) return false;
  if (x.k === 'const') return x.s === (y as { s: string }).s;
  if (x.k === 'tuple') {
    const yi = (y as { items: readonly Value[] }).items;
    return x.items.length === yi.length && x.items.every((v, i) => valueEquals(v, yi[i]!));
  }
  if (x.k === 'sig' || x.k === 'point') {
    const fx = travellingForm(x);
    const fy = travellingForm(y as { form?: FormData });
    if (fx?.form !== fy?.form || (fx && !bytesEqual(fx.data, fy!.data))) return false;
  }
  return bytesEqual(x.b, (y as { b: Uint8Array }).b);
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Short readable form: `<'report', 3fa1…(32), …>`. */
export function showValue(x: Value, full = false): string {
  switch (x.k) {
    case 'const':
      return `'${x.s}'`;
    case 'tuple':
      return `<${x.items.map((i) => showValue(i, full)).join(', ')}>`;
    default: {
      const h = hex(x.b);
      const body = full || h.length <= 16 ? h : `${h.slice(0, 8)}…`;
      const f = x.k === 'sig' || x.k === 'point' ? travellingForm(x) : null;
      const extra = f ? `+${f.form.label}:${full ? hex(f.data) : hex(f.data).slice(0, 8) + '…'}(${f.data.length})` : '';
      return `${x.k === 'bytes' ? '' : x.k + ':'}${body}(${x.b.length})${extra}`;
    }
  }
}

/** JSON form: leaves as `{ kind, hex }` / `{ const }`, tuples as arrays. */
export function valueToJson(x: Value): unknown {
  switch (x.k) {
    case 'const':
      return { const: x.s };
    case 'tuple':
      return x.items.map(valueToJson);
    case 'sig':
    case 'point': {
      const f = travellingForm(x);
      return f ? { [x.k]: hex(x.b), [f.form.jsonKey]: hex(f.data) } : { [x.k]: hex(x.b) };
    }
    default:
      return { [x.k]: hex(x.b) };
  }
}

/** Does the byte string `needle` occur inside any leaf of `x`? (secrecy spot check) */
export function containsBytes(x: Value, needle: Uint8Array): boolean {
  if (x.k === 'tuple') return x.items.some((i) => containsBytes(i, needle));
  if (x.k === 'const') return false;
  const f = x.k === 'sig' || x.k === 'point' ? travellingForm(x) : null;
  if (f && indexOf(f.data, needle) >= 0) return true;
  return indexOf(x.b, needle) >= 0;
}

export function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
