/**
 * Model terms to Tamarin terms (`spthyTerm`), and the term operations rule building needs:
 * substitution, syntactic equality, and which symbols Tamarin treats as reducible.
 *
 * The model's symbols are named and ordered as Tamarin's (models/terms.ts), so the mapping is
 * one to one with three exceptions, each deliberate:
 * - `tuple` is n-ary in the model and right-nested pairs in Tamarin; `<a, b, c>` prints the
 *   same and means `<a, <b, c>>` there. A one-element tuple has no Tamarin syntax and becomes
 *   its element (the attacker can only gain from the merge, never lose an attack).
 * - `exp` prints as `^` and `mult` as `*` (diffie-hellman).
 * - `true` is the nullary constant of the signing builtin and prints bare.
 * @module
 */
import type { Term, Var } from '../../models/terms.ts';
import { type TSort, type TTerm, tconst } from './ast.ts';
import { printTerm } from './print.ts';
import { BUILTIN_FUNCTIONS } from './names.ts';

/** A term Tamarin cannot express, named. */
export class ExportError extends Error {}

/** Translate a model term; `lookup` gives the Tamarin term bound to a model variable. */
export function spthyTerm(t: Term, lookup: (name: string, x: Var) => TTerm, where: string): TTerm {
  switch (t.t) {
    case 'var':
      return lookup(t.name, t);
    case 'const':
      return tconst(t.name);
    case 'name':
      throw new ExportError(`${where}: a name (~${t.name}) inside a machine; only interpreters create names`);
    case 'app': {
      const args = t.args.map((a) => spthyTerm(a, lookup, where));
      switch (t.f) {
        case 'tuple':
          if (args.length === 0) throw new ExportError(`${where}: the empty tuple <> has no Tamarin form`);
          return args.length === 1 ? args[0]! : { k: 'tuple', items: args };
        case 'exp':
          return { k: 'exp', base: args[0]!, exponent: args[1]! };
        case 'mult':
          return { k: 'mult', items: args };
        default:
          return { k: 'app', f: t.f, args };
      }
    }
  }
}

/** Function symbols that are the root of a left side of an equation (Tamarin: reducible). */
export const REDUCIBLE: ReadonlySet<string> = new Set(Object.entries(BUILTIN_FUNCTIONS).filter(([, b]) => b.reducible).map(([f]) => f));

/** Does the term contain a reducible symbol, `^` or `*`? Such terms may not stand in a rule's
 * left side (Tamarin abstracts them away and then finds the right side's variables unbound). */
export function hasReducible(t: TTerm): boolean {
  switch (t.k) {
    case 'var':
    case 'const':
      return false;
    case 'app':
      return REDUCIBLE.has(t.f) || t.args.some(hasReducible);
    case 'tuple':
      return t.items.some(hasReducible);
    case 'exp':
    case 'mult':
      return true;
  }
}

/** Replace message variables by terms, repeatedly (the map is acyclic by construction). */
export function substituteT(t: TTerm, s: ReadonlyMap<string, TTerm>): TTerm {
  if (s.size === 0) return t;
  switch (t.k) {
    case 'var': {
      const r = t.sort === 'msg' ? s.get(t.name) : undefined;
      return r ? substituteT(r, s) : t;
    }
    case 'const':
      return t;
    case 'app':
      return { k: 'app', f: t.f, args: t.args.map((a) => substituteT(a, s)) };
    case 'tuple':
      return { k: 'tuple', items: t.items.map((a) => substituteT(a, s)) };
    case 'mult':
      return { k: 'mult', items: t.items.map((a) => substituteT(a, s)) };
    case 'exp':
      return { k: 'exp', base: substituteT(t.base, s), exponent: substituteT(t.exponent, s) };
  }
}

export function sameTerm(a: TTerm, b: TTerm): boolean {
  return printTerm(a) === printTerm(b);
}

export function occursVar(name: string, sort: TSort, t: TTerm): boolean {
  switch (t.k) {
    case 'var':
      return t.name === name && t.sort === sort;
    case 'const':
      return false;
    case 'app':
      return t.args.some((a) => occursVar(name, sort, a));
    case 'tuple':
    case 'mult':
      return t.items.some((a) => occursVar(name, sort, a));
    case 'exp':
      return occursVar(name, sort, t.base) || occursVar(name, sort, t.exponent);
  }
}

/** A KDFa 'CFB' key: TPM 2.0 parameter encryption is AES-CFB (Part 1 §21), which has no
 * integrity — impl/runtime/primitives.ts `kdfa` marks such a key and `sdec` under it never
 * fails. A decryption under it authenticates nothing. */
export function isCfbKey(k: TTerm): boolean {
  return k.k === 'app' && k.f === 'kdfa' && k.args[1]?.k === 'const' && k.args[1].name === 'CFB';
}
