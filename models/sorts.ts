/**
 * The one sort discipline: which kinds of value a variable of each sort admits, and which kind of
 * value a term evaluates to. The runtime checks a received value's kind against its pattern
 * variable's sort with `admits` (impl/runtime/match.ts); the explorer binds a variable only to a
 * term whose kind it admits (properties/explorer/unify.ts). One table, so a binding the explorer
 * makes is one a receiver accepts (no false type-confusion attack) and the other way round.
 *
 * Kinds are what a receiver tells apart on the wire (impl/wire/codec.ts tags them): opaque byte
 * strings, EC points, signatures, scalars, public constants and tuples.
 * @module
 */
import { type Sort, type Term, type ValueKind, SYMBOLS } from './terms.ts';

export type { ValueKind };

/** The kinds a variable of each sort admits ('any': no check). */
export const SORT_KINDS: Readonly<Record<Sort, readonly ValueKind[] | 'any'>> = {
  msg: 'any',
  nonce: ['bytes'],
  digest: ['bytes'],
  ct: ['bytes'],
  const: ['const'],
  agent: ['const'],
  bool: ['const'], // `true`, or the constant a failed verify yields
  skey: ['scalar'],
  point: ['point'],
  sig: ['sig'],
  // a key is 32 bytes on the wire, like a nonce: a receiver cannot tell them apart, so a nonce
  // taken for a key (a type flaw of the literature) stays possible; a tuple cannot be one
  symkey: ['bytes'],
};

/** Does a variable of `sort` admit a value of `kind`? */
export function admits(sort: Sort, kind: ValueKind): boolean {
  const ok = SORT_KINDS[sort];
  return ok === 'any' || ok.includes(kind);
}

/** Can one value be of both sorts (two variables unified)? */
export function sortsMeet(a: Sort, b: Sort): boolean {
  const x = SORT_KINDS[a];
  const y = SORT_KINDS[b];
  return x === 'any' || y === 'any' || x.some((k) => y.includes(k));
}

/** The kind of value `t` evaluates to, or null when it is not known before evaluation: a
 * variable of sort `msg`, or a decryption (its plaintext is whatever was encrypted). A constant
 * is a constant, the generator `'g'` included (it travels as the label 'g'). */
export function termKind(t: Term): ValueKind | null {
  switch (t.t) {
    case 'var':
    case 'name': {
      const ok = SORT_KINDS[t.sort];
      return ok === 'any' || ok.length !== 1 ? null : ok[0]!;
    }
    case 'const':
      return 'const';
    case 'app':
      return SYMBOLS[t.f].kind;
  }
}
