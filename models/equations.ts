/**
 * The equational theory of the term algebra, and normalisation modulo it — both derived from
 * the rewrite rules and the `ac` marks of the symbol table (models/terms.ts `SYMBOLS`), so a
 * symbol added to the table reduces, prints its equation and counts as stuck without an edit
 * here.
 *
 * The rules today (the same equations Tamarin's builtins declare, so an export means what we mean):
 *   verify(sign(m, sk), m, pk(sk)) = true          (signing)
 *   sdec(senc(m, k), k) = m                         (symmetric-encryption)
 *   adec(aenc(m, pk(sk)), sk) = m                   (asymmetric-encryption)
 *   (b^x)^y = b^(x*y),  x*y = y*x,  (x*y)*z = x*(y*z)   (diffie-hellman, without inverses)
 * The DH equations are handled by normal forms: the `exp` rule folds a tower into one `exp`
 * whose exponent is a `mult`, and `mult` (AC) is kept flat with its arguments sorted, so two
 * terms are equal modulo the theory iff their normal forms are syntactically equal.
 * @module
 */
import { type App, type FunctionSymbol, type RewriteRule, type Sort, type SymbolTable, type Term, SYMBOLS, show, termEquals, varsOf } from './terms.ts';

export interface Equation {
  readonly lhs: string;
  readonly rhs: string;
  readonly builtin: string;
}

/** The equations of a table as text (each rule, the Tamarin builtin of its symbol), in table order. */
export function equationsOf(table: SymbolTable): Equation[] {
  return Object.values(table).flatMap((info) => (info.rules ?? []).map((r) => ({ lhs: show(r.lhs), rhs: show(r.rhs), builtin: info.tamarin })));
}

/** The equations as data, for documentation and for exporters that must not redeclare them. */
export const EQUATIONS: readonly Equation[] = equationsOf(SYMBOLS);

/** Match `pattern` against `t`, extending `s` (pattern variable → term); a repeated variable
 * must meet equal terms. Null when it does not match. */
export function matchRule(pattern: Term, t: Term, s: Record<string, Term> = {}): Record<string, Term> | null {
  switch (pattern.t) {
    case 'var': {
      const bound = s[pattern.name];
      if (bound === undefined) {
        s[pattern.name] = t;
        return s;
      }
      return termEquals(bound, t) ? s : null;
    }
    case 'app': {
      if (t.t !== 'app' || t.f !== pattern.f || t.args.length !== pattern.args.length) return null;
      for (let i = 0; i < pattern.args.length; i++) if (matchRule(pattern.args[i]!, t.args[i]!, s) === null) return null;
      return s;
    }
    default:
      return termEquals(pattern, t) ? s : null;
  }
}

function instantiate(t: Term, s: Readonly<Record<string, Term>>): Term {
  if (t.t === 'var') return s[t.name]!;
  if (t.t === 'app') return { t: 'app', f: t.f, args: t.args.map((a) => instantiate(a, s)) };
  return t;
}

function sortTerms(ts: Term[]): Term[] {
  return ts.map((t) => [show(t), t] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((p) => p[1]);
}

/** Are these terms in the order `sortTerms` gives? */
function isSorted(ts: readonly Term[]): boolean {
  for (let k = 1; k < ts.length; k++) if (show(ts[k - 1]!) > show(ts[k]!)) return false;
  return true;
}

export interface Theory {
  /** normal form modulo the table's equations */
  readonly normalize: (t: Term) => Term;
  /** is a destructor application left somewhere inside this (normalised) term? */
  readonly hasStuckDestructor: (t: Term) => boolean;
  /** the destructor symbols (those that only reduce by a rule) */
  readonly destructors: ReadonlySet<string>;
}

/**
 * The normaliser and stuck-destructor check of a symbol table. Destructors that do not reduce
 * are left in place (they are "stuck": a receiver applying them fails; the runtime reports the
 * step that failed). Subterms already in normal form are kept as they are (the same objects),
 * so normalising a term that was just built from normal forms only walks its new spine.
 */
export function theoryOf(table: SymbolTable): Theory {
  /** Marks a term object known to be in normal form (under this table): normalising is the
   * explorer's hottest path, and term objects are immutable and shared. A non-enumerable
   * symbol-keyed mark is invisible to JSON, `show` and deep equality (weak collections measured
   * much slower here). */
  const NF = Symbol('normal-form');
  type Marked = { [NF]?: true };
  const mark = (t: Term): Term => {
    if (t.t === 'app' && !(t as Marked)[NF] && Object.isExtensible(t)) Object.defineProperty(t, NF, { value: true, enumerable: false });
    return t;
  };
  const rules = new Map<string, readonly RewriteRule[]>();
  const ac = new Set<string>();
  const destructors = new Set<string>();
  for (const [f, info] of Object.entries(table)) {
    if (info.rules?.length) rules.set(f, info.rules);
    if (info.ac) ac.add(f);
    if (info.role === 'destructor') destructors.add(f);
  }

  const normalize = (t: Term): Term => {
    if (t.t !== 'app' || (t as Marked)[NF]) return t;
    return mark(normalStep(t));
  };
  const normalStep = (t: App): Term => {
    // a new arguments array only from the first argument that changes
    let changed: Term[] | null = null;
    for (let i = 0; i < t.args.length; i++) {
      const a = t.args[i]!;
      const r = normalize(a);
      if (changed) changed.push(r);
      else if (r !== a) {
        changed = t.args.slice(0, i);
        changed.push(r);
      }
    }
    const args: readonly Term[] = changed ?? t.args;
    const n: App = changed ? { t: 'app', f: t.f, args: changed } : t;
    if (ac.has(n.f)) {
      // arguments in normal form are flat and sorted already
      if (!args.some((a) => a.t === 'app' && a.f === n.f) && isSorted(args)) return n;
      return { t: 'app', f: n.f, args: sortTerms(args.flatMap((a) => (a.t === 'app' && a.f === n.f ? [...a.args] : [a]))) };
    }
    const rs = rules.get(n.f);
    if (rs)
      for (const r of rs) {
        const s = matchRule(r.lhs, n);
        // the right side's new spine is normalised (its variables hold normal forms)
        if (s) return normalize(instantiate(r.rhs, s));
      }
    return n;
  };
  const hasStuckDestructor = (t: Term): boolean => t.t === 'app' && (destructors.has(t.f) || t.args.some(hasStuckDestructor));
  return { normalize, hasStuckDestructor, destructors };
}

const THEORY = theoryOf(SYMBOLS);

/** The destructors of SYMBOLS: symbols that only reduce by one of their rules. */
export const DESTRUCTORS: ReadonlySet<string> = THEORY.destructors;

/** The decryptions of SYMBOLS: destructors whose rule gives back a part of their first argument
 * (the plaintext: `sdec(senc(m, k), k) = m`), as opposed to a check (`verify(…) = true`). */
export const DECRYPTIONS: ReadonlySet<FunctionSymbol> = new Set(
  (Object.keys(SYMBOLS) as FunctionSymbol[]).filter((f) => SYMBOLS[f].role === 'destructor' && SYMBOLS[f].rules?.some((r) => r.rhs.t === 'var')),
);

/** An application of a destructor (of SYMBOLS). */
export const isDestructorApp = (t: Term): t is App => t.t === 'app' && DESTRUCTORS.has(t.f);
/** An application of a decryption (of SYMBOLS). */
export const isDecryptionApp = (t: Term): t is App => t.t === 'app' && DECRYPTIONS.has(t.f);

/** What a decryption of SYMBOLS opens an encryption `t` to, and with which key: `senc(m, k)`
 * is `m` under key `k` (`sdec(senc(m, k), k) = m`), `aenc(m, pk(sk))` is `m` under `sk`; null if
 * no decryption's rule opens `t`. */
/** An encryption opened by a decryption of the table (`openingOf`). */
export interface Opening {
  readonly decryption: FunctionSymbol;
  readonly plaintext: Term;
  readonly key: Term;
}
export function openingOf(t: App): Opening | null {
  for (const f of DECRYPTIONS)
    for (const r of SYMBOLS[f].rules ?? []) {
      const [sealed, key] = r.lhs.args;
      if (!sealed || !key || sealed.t !== 'app' || sealed.f !== t.f || r.lhs.args.length !== 2) continue;
      const s = matchRule(sealed, t);
      if (s && varsOf(key).every((x) => x.name in s)) return { decryption: f, plaintext: instantiate(r.rhs, s), key: instantiate(key, s) };
    }
  return null;
}

/** One equation narrowing asks for: the destructor's argument `arg` must equal `pattern`. */
export interface NarrowingEquation {
  readonly arg: Term;
  readonly pattern: Term;
}

/**
 * Narrowing of a stuck destructor application `d = other` by `d`'s rules (the lazy intruder's
 * step for destructors: `sdec(X, k) = m` holds only if `X = senc(m, k)`): per rule whose right
 * side can be `other`, the equations `d`'s arguments must meet — each against the rule's left
 * argument, its variables instantiated: the right side's (a decryption's plaintext) by `other`,
 * a bare-variable argument's (the key) by `d`'s own argument there, and any other (verify's
 * signing key) by `freshVar(name, sort)`. Arguments that are their own instance ask nothing.
 */
export function narrowings(d: App, other: Term, freshVar: (name: string, sort: Sort) => Term): NarrowingEquation[][] {
  const out: NarrowingEquation[][] = [];
  for (const r of SYMBOLS[d.f].rules ?? []) {
    if (SYMBOLS[d.f].role !== 'destructor' || r.lhs.args.length !== d.args.length) continue;
    const s: Record<string, Term> = {};
    if (r.rhs.t === 'var') s[r.rhs.name] = other;
    else if (!termEquals(r.rhs, other)) continue;
    r.lhs.args.forEach((p, i) => {
      if (p.t === 'var' && !(p.name in s)) s[p.name] = d.args[i]!;
    });
    for (const x of varsOf(r.lhs)) if (!(x.name in s)) s[x.name] = freshVar(x.name, x.sort);
    const eqs: NarrowingEquation[] = [];
    r.lhs.args.forEach((p, i) => {
      const pattern = instantiate(p, s);
      if (pattern !== d.args[i]) eqs.push({ arg: d.args[i]!, pattern });
    });
    out.push(eqs);
  }
  return out;
}

/** Normal form modulo the equations of SYMBOLS (see theoryOf). */
export const normalize: (t: Term) => Term = THEORY.normalize;

/** Is this (normalised) term a stuck destructor application somewhere inside? */
export const hasStuckDestructor: (t: Term) => boolean = THEORY.hasStuckDestructor;

/** Equality modulo the theory. */
export function equalModulo(a: Term, b: Term): boolean {
  return termEquals(normalize(a), normalize(b));
}

/** What is wrong with a table's rules, if anything: a left side headed by another symbol, an
 * application with the wrong number of arguments or of an unknown symbol, a right-side
 * variable the left side does not bind, a destructor with no rule (it could never reduce). */
export function tableProblems(table: SymbolTable): string[] {
  const out: string[] = [];
  const arities = (t: Term, where: string) => {
    if (t.t !== 'app') return;
    const info = table[t.f];
    if (!info) out.push(`${where}: unknown symbol ${t.f}`);
    else if (info.arity >= 0 && info.arity !== t.args.length) out.push(`${where}: ${t.f} takes ${info.arity} arguments, has ${t.args.length}`);
    t.args.forEach((a) => arities(a, where));
  };
  for (const [f, info] of Object.entries(table)) {
    if (info.role === 'destructor' && !info.rules?.length) out.push(`${f}: a destructor without a rule`);
    for (const r of info.rules ?? []) {
      const where = `${f}: ${show(r.lhs)} = ${show(r.rhs)}`;
      if (r.lhs.f !== f) out.push(`${where}: the left side is not an application of ${f}`);
      arities(r.lhs, where);
      arities(r.rhs, where);
      const bound = new Set(varsOf(r.lhs).map((x) => x.name));
      for (const x of varsOf(r.rhs)) if (!bound.has(x.name)) out.push(`${where}: ${x.name} is not bound by the left side`);
    }
  }
  return out;
}
