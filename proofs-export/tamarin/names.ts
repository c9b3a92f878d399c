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
import { SYMBOLS, type SymbolTable } from '../../models/terms.ts';

/** Words of the input language that cannot name a variable, function or rule. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(['in', 'let', 'rule', 'diff', 'theory', 'begin', 'end', 'lemma', 'restriction', 'builtins', 'functions', 'equations', 'All', 'Ex', 'not', 'F', 'T']);

export interface BuiltinFunction {
  readonly builtin: string;
  readonly arity: number;
  /** the root of an equation's left side (Tamarin: reducible) */
  readonly reducible: boolean;
}

/** Model symbols Tamarin writes as syntax, not by name: `<…>` (pairing), `^` and `*`
 * (diffie-hellman); term.ts `spthyTerm` prints them. */
const OPERATORS: ReadonlySet<string> = new Set(['tuple', 'exp', 'mult']);

/** Function symbols Tamarin's builtins declare that the model has no symbol for. */
const TAMARIN_ONLY: Readonly<Record<string, BuiltinFunction>> = {
  pair: { builtin: 'pairing', arity: 2, reducible: false },
  fst: { builtin: 'pairing', arity: 1, reducible: true },
  snd: { builtin: 'pairing', arity: 1, reducible: true },
  inv: { builtin: 'diffie-hellman', arity: 1, reducible: true },
  one: { builtin: 'diffie-hellman', arity: 0, reducible: false },
  revealSign: { builtin: 'revealing-signing', arity: 2, reducible: false },
  revealVerify: { builtin: 'revealing-signing', arity: 3, reducible: true },
  getMessage: { builtin: 'revealing-signing', arity: 1, reducible: true },
};

/** The function symbols a table's Tamarin builtins declare: each symbol a builtin declares
 * under its own name (the table's `tamarin` column; a destructor is reducible), and the ones
 * the builtins declare beyond the model's. */
export function tamarinBuiltinFunctions(table: SymbolTable): Record<string, BuiltinFunction> {
  const ours = Object.entries(table)
    .filter(([f, info]) => info.tamarin !== 'functions' && !OPERATORS.has(f))
    .map(([f, info]) => [f, { builtin: info.tamarin, arity: info.arity, reducible: info.role === 'destructor' }] as const);
  return { ...Object.fromEntries(ours), ...TAMARIN_ONLY };
}

/** Function symbols the builtins (and pairing, always present) declare. */
export const BUILTIN_FUNCTIONS: Readonly<Record<string, BuiltinFunction>> = tamarinBuiltinFunctions(SYMBOLS);

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
