/**
 * Tamarin names: what is reserved, how machine and state names become identifiers, and the
 * variable naming of one theory.
 *
 * Tamarin warns when two variables of one rule differ only in capitalization or sort (`e` and
 * `E`, `x` and `~x`), and identifiers are alphanumeric with `_`. Machine variables are
 * case-sensitive (`e` the exponent, `E = 'g'^e`), so each theory gets one naming table that
 * keeps the first name of each lower-case spelling and renames later ones with their sort
 * (`E_point`).
 * @module
 */

/** Words of the input language that cannot name a variable, function or rule. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(['in', 'let', 'rule', 'diff', 'theory', 'begin', 'end', 'lemma', 'restriction', 'builtins', 'functions', 'equations', 'All', 'Ex', 'not', 'F', 'T']);

/** Function symbols the builtins (and pairing, always present) declare. */
export const BUILTIN_FUNCTIONS: Readonly<Record<string, { readonly builtin: string; readonly arity: number; readonly reducible: boolean }>> = {
  pair: { builtin: 'pairing', arity: 2, reducible: false },
  fst: { builtin: 'pairing', arity: 1, reducible: true },
  snd: { builtin: 'pairing', arity: 1, reducible: true },
  h: { builtin: 'hashing', arity: 1, reducible: false },
  sign: { builtin: 'signing', arity: 2, reducible: false },
  verify: { builtin: 'signing', arity: 3, reducible: true },
  pk: { builtin: 'signing', arity: 1, reducible: false },
  true: { builtin: 'signing', arity: 0, reducible: false },
  senc: { builtin: 'symmetric-encryption', arity: 2, reducible: false },
  sdec: { builtin: 'symmetric-encryption', arity: 2, reducible: true },
  aenc: { builtin: 'asymmetric-encryption', arity: 2, reducible: false },
  adec: { builtin: 'asymmetric-encryption', arity: 2, reducible: true },
  inv: { builtin: 'diffie-hellman', arity: 1, reducible: true },
  one: { builtin: 'diffie-hellman', arity: 0, reducible: false },
  revealSign: { builtin: 'revealing-signing', arity: 2, reducible: false },
  revealVerify: { builtin: 'revealing-signing', arity: 3, reducible: true },
  getMessage: { builtin: 'revealing-signing', arity: 1, reducible: true },
};

/** Fact names Tamarin reserves (compared case-insensitively, as Tamarin does). */
export const RESERVED_FACTS: ReadonlySet<string> = new Set(['fr', 'in', 'out', 'k', 'ku', 'kd']);

/** An identifier from arbitrary text: alphanumerics kept, everything else `_`. */
export function ident(s: string): string {
  const r = s.replace(/[^A-Za-z0-9_]/g, '_');
  return r.length === 0 ? '_' : r;
}

/** A fact name: an identifier starting with an upper-case letter. */
export function factIdent(s: string): string {
  const r = ident(s);
  return /^[A-Z]/.test(r) ? r : `F_${r}`;
}

export const IDENT_RE = /^[A-Za-z0-9][A-Za-z0-9_]*$/;

/** What Tamarin 1.7's lexer accepts between the quotes of a public constant: letters, digits
 * and `_` (1.7.1 rejects `'tag_tee-key'`, `'GetTime-rsp'`, `'static string'`; 1.9 accepts
 * them, so only the older parser catches it). */
export const CONST_RE = /^[A-Za-z0-9_]+$/;

/** A model constant (or claim tag) as a Tamarin constant: every other character becomes `_`.
 * Two model constants that meet in one spelling are an export error (theory.ts). */
export function constIdent(s: string): string {
  return s.length === 0 ? '_' : s.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * One theory's variable names. `name(key, hint)` returns the same Tamarin name for the same
 * key every time; a new key whose lower-case spelling is taken, or that is reserved, gets the
 * hint appended (`E_point`), then a number.
 */
export class VarNames {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.taken.add(r.toLowerCase());
    for (const r of RESERVED_WORDS) this.taken.add(r.toLowerCase());
    for (const f of Object.keys(BUILTIN_FUNCTIONS)) this.taken.add(f.toLowerCase());
  }
  name(key: string, hint: string): string {
    const known = this.byKey.get(key);
    if (known) return known;
    const base = ident(key);
    let n = base;
    if (this.taken.has(n.toLowerCase())) n = `${base}_${ident(hint)}`;
    for (let i = 2; this.taken.has(n.toLowerCase()); i++) n = `${base}_${ident(hint)}${i}`;
    this.taken.add(n.toLowerCase());
    this.byKey.set(key, n);
    return n;
  }
}
