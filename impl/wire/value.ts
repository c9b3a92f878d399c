/**
 * Concrete values: what a term evaluates to in the reference implementation.
 *
 * Kinds follow what a receiver can tell apart on the wire: opaque bytes (nonces, digests, MACs,
 * KDF outputs, ciphertexts), EC points, ECDSA signatures, scalars (private keys, exponents),
 * public constants (labels, agent names, `true`) and tuples.
 *
 * Two forms exist only for a real TPM 2.0 (impl/tpm2-bridge): a signature a TPM made over its
 * own attestation structure carries the signed TPMS_ATTEST bytes with it (`attest`: the TPM signs
 * that structure, not our encoding of the model's message — see impl/tpm2/attested-statement.ts
 * for what it states), and a verifier's enrolled TPM attestation key is marked `restricted` (a
 * restricted signing key signs TPM-generated structures only, so nothing else may be accepted
 * under it). Neither changes how the other forms are evaluated.
 * @module
 */
import type { ValueKind as ModelKind } from '../../models/terms.ts';

export type Value =
  | { readonly k: 'bytes'; readonly b: Uint8Array; /** a KDFa 'CFB' key: AES-128-CFB key || IV */ readonly cfb?: boolean }
  | {
      readonly k: 'point';
      readonly b: Uint8Array;
      /** a verifier's enrolled TPM restricted signing key (an AK): verify accepts only
       * TPMS_ATTEST-form signatures under it. Not encoded (a verifier's own set-up value). */
      readonly restricted?: boolean;
    }
  | {
      readonly k: 'sig';
      /** ECDSA r || s */
      readonly b: Uint8Array;
      /** a TPM's attestation signature: the TPMS_ATTEST bytes (TPM 2.0 Part 2 §10.12.12) whose
       * SHA-256 digest `b` signs */
      readonly attest?: Uint8Array;
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
  if (x.k === 'sig') {
    const ya = (y as { attest?: Uint8Array }).attest;
    if ((x.attest === undefined) !== (ya === undefined) || (x.attest && !bytesEqual(x.attest, ya!))) return false;
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
      const attest = x.k === 'sig' && x.attest ? `+TPMS_ATTEST:${full ? hex(x.attest) : hex(x.attest).slice(0, 8) + '…'}(${x.attest.length})` : '';
      return `${x.k === 'bytes' ? '' : x.k + ':'}${body}(${x.b.length})${attest}`;
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
      return x.attest ? { sig: hex(x.b), attest: hex(x.attest) } : { sig: hex(x.b) };
    default:
      return { [x.k]: hex(x.b) };
  }
}

/** Does the byte string `needle` occur inside any leaf of `x`? (secrecy spot check) */
export function containsBytes(x: Value, needle: Uint8Array): boolean {
  if (x.k === 'tuple') return x.items.some((i) => containsBytes(i, needle));
  if (x.k === 'const') return false;
  if (x.k === 'sig' && x.attest && indexOf(x.attest, needle) >= 0) return true;
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
