/**
 * A typed tree of the part of the Tamarin 1.7 input language the exporter writes: theory,
 * rule, fact, term, restriction, lemma, formula. The exporter builds this tree; `print.ts`
 * prints it (one printer per node) and the `check-*.ts` files check it. Nothing is built by
 * concatenating strings, so a check can look at exactly what will be printed.
 * @module
 */

import { constIdent } from './names.ts';

/** Tamarin variable sorts: `~x` fresh, `$x` public, `x` message. */
export type TSort = 'fresh' | 'pub' | 'msg';

export type TTerm =
  | { readonly k: 'var'; readonly name: string; readonly sort: TSort }
  /** a public constant `'name'` */
  | { readonly k: 'const'; readonly name: string }
  /** `f(a, b)`; a nullary symbol (`true`) prints bare */
  | { readonly k: 'app'; readonly f: string; readonly args: readonly TTerm[] }
  /** `<a, b, c>` — Tamarin reads it right-nested: `<a, <b, c>>` */
  | { readonly k: 'tuple'; readonly items: readonly TTerm[] }
  /** `base ^ exponent` (diffie-hellman) */
  | { readonly k: 'exp'; readonly base: TTerm; readonly exponent: TTerm }
  /** `a * b` (diffie-hellman exponents); never allowed in rules */
  | { readonly k: 'mult'; readonly items: readonly TTerm[] };

export interface TFact {
  readonly name: string;
  /** `!Name(...)`: never consumed */
  readonly persistent: boolean;
  readonly args: readonly TTerm[];
}

export interface TRule {
  readonly name: string;
  /** printed as `//` lines above the rule: where in the machines it comes from */
  readonly comments: readonly string[];
  readonly lhs: readonly TFact[];
  readonly actions: readonly TFact[];
  readonly rhs: readonly TFact[];
}

/** A quantified variable of a formula: a message variable `x` or a timepoint `#i`. */
export interface QVar {
  readonly name: string;
  readonly temporal: boolean;
}

export type Formula =
  /** `Fact(args) @ #at` */
  | { readonly k: 'action'; readonly fact: TFact; readonly at: string }
  /** message equality `l = r` */
  | { readonly k: 'eq'; readonly l: TTerm; readonly r: TTerm }
  /** timepoint order `#a < #b` and equality `#a = #b` */
  | { readonly k: 'before'; readonly a: string; readonly b: string }
  | { readonly k: 'same'; readonly a: string; readonly b: string }
  | { readonly k: 'not'; readonly f: Formula }
  | { readonly k: 'and'; readonly fs: readonly Formula[] }
  | { readonly k: 'or'; readonly fs: readonly Formula[] }
  | { readonly k: 'imp'; readonly l: Formula; readonly r: Formula }
  | { readonly k: 'all' | 'ex'; readonly vars: readonly QVar[]; readonly body: Formula };

export interface TLemma {
  readonly name: string;
  readonly comments: readonly string[];
  readonly trace: 'all-traces' | 'exists-trace';
  readonly formula: Formula;
  /** `[sources]`: a typing lemma Tamarin proves first and uses in precomputation (manual §"Sources lemmas") */
  readonly sources?: boolean;
  /** `[reuse]`: a helper lemma, proved on its own, that Tamarin uses in the proofs of the lemmas after it */
  readonly reuse?: boolean;
}

export interface TRestriction {
  readonly name: string;
  readonly comments: readonly string[];
  readonly formula: Formula;
}

/** A `/* ... *\/` block between items, to give the file sections. */
export interface TSection {
  readonly title: string;
  readonly lines: readonly string[];
}

export type TItem =
  | { readonly k: 'rule'; readonly rule: TRule }
  | { readonly k: 'restriction'; readonly restriction: TRestriction }
  | { readonly k: 'lemma'; readonly lemma: TLemma }
  | { readonly k: 'section'; readonly section: TSection };

export interface TFunction {
  readonly name: string;
  readonly arity: number;
}

export interface Theory {
  readonly name: string;
  /** header comment lines */
  readonly comments: readonly string[];
  readonly builtins: readonly string[];
  readonly functions: readonly TFunction[];
  readonly items: readonly TItem[];
}

// ---------------------------------------------------------------- small constructors

export const tvar = (name: string, sort: TSort = 'msg'): TTerm => ({ k: 'var', name, sort });
/** A public constant; its spelling made one Tamarin's lexer accepts (names.ts `constIdent`). */
export const tconst = (name: string): TTerm => ({ k: 'const', name: constIdent(name) });
export const tapp = (f: string, ...args: TTerm[]): TTerm => ({ k: 'app', f, args });
export const fact = (name: string, ...args: TTerm[]): TFact => ({ name, persistent: false, args });
export const pfact = (name: string, ...args: TTerm[]): TFact => ({ name, persistent: true, args });
export const at = (f: TFact, time: string): Formula => ({ k: 'action', fact: f, at: time });
export const and = (...fs: Formula[]): Formula => (fs.length === 1 ? fs[0]! : { k: 'and', fs });
export const or = (...fs: Formula[]): Formula => (fs.length === 1 ? fs[0]! : { k: 'or', fs });
export const not = (f: Formula): Formula => ({ k: 'not', f });
export const imp = (l: Formula, r: Formula): Formula => ({ k: 'imp', l, r });
export const all = (vars: QVar[], body: Formula): Formula => ({ k: 'all', vars, body });
export const ex = (vars: QVar[], body: Formula): Formula => ({ k: 'ex', vars, body });
export const mv = (name: string): QVar => ({ name, temporal: false });
export const tv = (name: string): QVar => ({ name, temporal: true });

/** Variables of a term (name and sort), in first-occurrence order. */
export function termVars(t: TTerm, acc: { name: string; sort: TSort }[] = []): { name: string; sort: TSort }[] {
  switch (t.k) {
    case 'var':
      if (!acc.some((x) => x.name === t.name && x.sort === t.sort)) acc.push({ name: t.name, sort: t.sort });
      break;
    case 'const':
      break;
    case 'app':
      t.args.forEach((a) => termVars(a, acc));
      break;
    case 'tuple':
    case 'mult':
      t.items.forEach((a) => termVars(a, acc));
      break;
    case 'exp':
      termVars(t.base, acc);
      termVars(t.exponent, acc);
      break;
  }
  return acc;
}

/** Every subterm of a term, the term first. */
export function subterms(t: TTerm): TTerm[] {
  const out: TTerm[] = [t];
  if (t.k === 'app') for (const a of t.args) out.push(...subterms(a));
  else if (t.k === 'tuple' || t.k === 'mult') for (const a of t.items) out.push(...subterms(a));
  else if (t.k === 'exp') out.push(...subterms(t.base), ...subterms(t.exponent));
  return out;
}
