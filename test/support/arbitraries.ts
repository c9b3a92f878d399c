/**
 * The fast-check arbitraries several tests share (issue 14: one support folder): byte strings,
 * printable labels, the wire layer's values, symbolic terms, and the corpus's protocols and
 * suites. A test that needs its own shape (a TPM command, a storage operation) keeps it; one
 * that needs these imports them, so a change to what a "value" or a "term" is lands once.
 * @module
 */
import fc from 'fast-check';
import { SUITE_IDS, type SuiteId } from '../../impl/crypto/index.ts';
import type { Value } from '../../impl/wire/value.ts';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { type Sort, type Term, G, aenc, adec, exp, h, name, pk, sdec, senc, sign, tup, verify } from '../../models/terms.ts';

/** A byte string of `min`..`max` bytes. */
export const bytes = (min: number, max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: min, maxLength: max });
/** Exactly `n` bytes (a key, an IV, a seed). */
export const bytesOf = (n: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: n, maxLength: n });

/** Printable ASCII (0x20–0x7e), what a wire constant may hold (impl/wire/codec.ts). */
export const printable = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength, maxLength });

/** A leaf value of each kind, within the codec's fixed sizes. */
export const leafValue: fc.Arbitrary<Value> = fc.oneof(
  bytes(0, 80).map((b) => ({ k: 'bytes', b }) as Value),
  bytesOf(64).map((b) => ({ k: 'point', b: Uint8Array.of(4, ...b) }) as Value),
  bytesOf(64).map((b) => ({ k: 'sig', b }) as Value),
  bytesOf(32).map((b) => ({ k: 'scalar', b }) as Value),
  fc.stringMatching(/^[\x20-\x7e]{1,64}$/).map((s) => ({ k: 'const', s }) as Value),
);
/** A value: leaves and tuples of them, nested. */
export const wireValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafValue, fc.array(tie('v'), { maxLength: 5 }).map((items) => ({ k: 'tuple', items }) as Value)),
})).v;

/** A few names of each sort a term needs (a small pool, so rules meet matching keys). */
const atom = (sort: Sort, names: readonly string[]): fc.Arbitrary<Term> => fc.constantFrom(...names).map((n) => name(n, sort));
const msgAtom = atom('nonce', ['a', 'b']);
const keyAtom = atom('digest', ['k1', 'k2']);
const skAtom = atom('skey', ['x', 'y', 'z']);

/** A ground symbolic term over every symbol of the table, with the keys drawn from small pools
 * so that destructors meet their constructors often. */
export const symbolicTerm: fc.Arbitrary<Term> = fc.letrec<{ t: Term }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    msgAtom,
    tie('t').map(h),
    fc.tuple(tie('t'), tie('t')).map(([x, y]) => tup(x, y)),
    fc.tuple(tie('t'), keyAtom).map(([m, k]) => senc(m, k)),
    fc.tuple(tie('t'), keyAtom).map(([c, k]) => sdec(c, k)),
    fc.tuple(tie('t'), skAtom).map(([m, sk]) => aenc(m, pk(sk))),
    fc.tuple(tie('t'), skAtom).map(([c, sk]) => adec(c, sk)),
    fc.tuple(tie('t'), skAtom, skAtom).map(([m, sk, sk2]) => verify(sign(m, sk), m, pk(sk2))),
    fc.array(skAtom, { minLength: 1, maxLength: 3 }).map((xs) => xs.reduce<Term>((b, x) => exp(b, x), G)),
  ),
})).t;

/** An index into the corpus (models/protocols). */
export const protocolIndex: fc.Arbitrary<number> = fc.nat(PROTOCOLS.length - 1);
/** A crypto suite's id. */
export const suiteId: fc.Arbitrary<SuiteId> = fc.constantFrom(...SUITE_IDS);
