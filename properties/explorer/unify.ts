/**
 * Substitutions and unification modulo the theory of `models/equations.ts`, for the lazy
 * intruder. Terms are always compared in normal form after applying the substitution.
 *
 * What unification covers (and, honestly, what it does not):
 * - syntactic unification with sorts: a variable binds only to a term whose value its sort
 *   admits — the runtime's check on receive, one table for both (models/sorts.ts: a nonce,
 *   digest or ciphertext is a byte string, never a constant or a tuple; an agent or label a
 *   constant; the generator `'g'` a constant, not a point); `msg` variables take anything.
 *   Type-flaw attacks the runtime would reject are therefore out of scope, as they are in it.
 * - DH: `exp(b, x1*…*xn)` unifies modulo commutativity of the exponent product; a variable
 *   exponent factor stands for exactly one factor, and a variable base may absorb the extra
 *   factors of the other side (`X^q =? g^(y*q)` gives `X := g^y`).
 * - narrowing of stuck destructors: `sdec(X, k) =? m` gives `X := senc(m, k)`, `adec(X, sk) =? m`
 *   gives `X := aenc(m, pk(sk))`, and `verify(s, m, p) =? true` gives `s := sign(m, K)`, `p := pk(K)`.
 * @module
 */
import { isDecryptionApp, isDestructorApp, narrowings, normalize } from '../../models/equations.ts';
import { admits, sortsMeet, termKind } from '../../models/sorts.ts';
import { type App, type Sort, type Term, type Var, app, termEquals } from '../../models/terms.ts';

/** A substitution in triangular form: a bound variable may map to a term with bound variables. */
export type Subst = ReadonlyMap<string, Term>;
export const EMPTY: Subst = new Map();

/** Makes fresh variable names that no machine uses (machine variables never contain '$'). */
export class FreshVars {
  private n = 0;
  next(base: string, sort: Sort): Var {
    return { t: 'var', name: `${base.replace(/\$.*$/, '')}$${++this.n}`, sort };
  }
}

/** Apply a substitution fully and normalise. */
export function resolve(t: Term, s: Subst): Term {
  if (t.t === 'var') {
    // a bound variable resolves as its binding does (through the caches below)
    const b = s.get(t.name);
    return b === undefined ? t : resolve(b, s);
  }
  if (t.t !== 'app' || s.size === 0) return normalize(t);
  let memo = RESOLVED.get(s);
  if (!memo) {
    memo = new Map();
    RESOLVED.set(s, memo);
  }
  let r = memo.get(t);
  if (r === undefined) {
    r = resolveAcross(t, s);
    memo.set(t, r);
  }
  return r;
}

/** Resolved terms per substitution object: substitutions are immutable, and one is read by many
 * calls (the solver, the judge, the state key). */
const RESOLVED = new WeakMap<Subst, Map<Term, Term>>();

/** The last resolution of a term object, with its support: every variable the resolution looked
 * up and what it found (a binding object, or undefined). A substitution that gives the same
 * answers to these lookups resolves the term to the same result, so a state's knowledge, whose
 * substitution extends its parent's, keeps its resolved objects (and every cache keyed on
 * them: pieces, variables, printed forms) unless a step binds one of its variables. */
const ACROSS = new WeakMap<Term, { readonly support: readonly (string | Term | undefined)[]; readonly r: Term }>();

function resolveAcross(t: Term, s: Subst): Term {
  const hit = ACROSS.get(t);
  if (hit) {
    const sup = hit.support;
    let ok = true;
    for (let k = 0; k < sup.length; k += 2) if (s.get(sup[k] as string) !== sup[k + 1]) {
      ok = false;
      break;
    }
    if (ok) return hit.r;
  }
  const support: (string | Term | undefined)[] = [];
  const r = normalize(applySubst(t, s, support));
  ACROSS.set(t, { support, r });
  return r;
}

/** The support of resolving `ts` under `s` (as `ACROSS` keeps it: every variable looked up and
 * what it found): while a substitution gives the same answers (`sameSupport`), `resolve` gives
 * the same terms (an instance's environment in a state key, `canon-tokens.ts`). */
export function supportOf(ts: readonly Term[], s: Subst): readonly (string | Term | undefined)[] {
  const support: (string | Term | undefined)[] = [];
  // every variable, also under the empty substitution (where `applySubst` looks nothing up)
  const walk = (t: Term): void => {
    if (t.t === 'var') {
      const b = s.get(t.name);
      support.push(t.name, b);
      if (b !== undefined) walk(b);
    } else if (t.t === 'app') for (const a of t.args) walk(a);
  };
  for (const t of ts) walk(t);
  return support;
}

/** Does `s` answer every lookup of `support` as it was answered? */
export function sameSupport(support: readonly (string | Term | undefined)[], s: Subst): boolean {
  for (let k = 0; k < support.length; k += 2) if (s.get(support[k] as string) !== support[k + 1]) return false;
  return true;
}

function applySubst(t: Term, s: Subst, support: (string | Term | undefined)[] | null): Term {
  if (t.t === 'var') {
    const b = s.get(t.name);
    if (support) support.push(t.name, b);
    return b === undefined ? t : applySubst(b, s, support);
  }
  if (t.t !== 'app' || s.size === 0) return t;
  // a new arguments array only from the first argument that changes (most subterms do not)
  let args: Term[] | null = null;
  for (let i = 0; i < t.args.length; i++) {
    const a = t.args[i]!;
    const r = applySubst(a, s, support);
    if (args) args.push(r);
    else if (r !== a) {
      args = t.args.slice(0, i);
      args.push(r);
    }
  }
  return args ? { t: 'app', f: t.f, args } : t;
}

// ---------------------------------------------------------------- sorts

/** May `x` be bound to `t`? Exactly when a receiver would accept `t`'s value for `x`: the one
 * sort discipline (models/sorts.ts) that the runtime's pattern matching reads too. A term whose
 * kind only evaluation tells (a stuck decryption, a `msg` variable) is decided where it is
 * resolved (`unify` narrows a decryption bound to a typed variable; a `msg` variable is bound
 * to the typed one). */
function accepts(x: Var, t: Term): boolean {
  const k = termKind(t);
  return k === null || admits(x.sort, k);
}

function occursVar(name: string, t: Term): boolean {
  if (t.t === 'var') return t.name === name;
  return t.t === 'app' && t.args.some((a) => occursVar(name, a));
}

function bind(x: Var, t: Term, s: Subst): Subst | null {
  if (t.t === 'var') {
    if (t.name === x.name) return s;
    // bind the less specific variable to the more specific one
    if (x.sort !== 'msg' && t.sort === 'msg') return extend(s, t.name, x);
    if (!sortsMeet(x.sort, t.sort)) return null;
    return extend(s, x.name, t);
  }
  if (occursVar(x.name, t) || !accepts(x, t)) return null;
  return extend(s, x.name, t);
}
function extend(s: Subst, k: string, t: Term): Subst {
  const m = new Map(s);
  m.set(k, t);
  return m;
}

// ---------------------------------------------------------------- unification


/** All most general unifiers (up to the limits in the module comment) of `a` and `b` extending `s`. */
export function unify(a: Term, b: Term, s: Subst, fresh: FreshVars): Subst[] {
  const x = resolve(a, s);
  const y = resolve(b, s);
  if (termEquals(x, y)) return [s];
  const isD = isDestructorApp;
  // a typed variable takes a decryption's value only if it decrypts, to a value of its sort (the
  // receiver's decryption fails, or its type check does): the ciphertext is an encryption of it
  if (x.t === 'var' && x.sort !== 'msg' && isDecryptionApp(y)) return narrow(y, x, s, fresh);
  if (y.t === 'var' && y.sort !== 'msg' && isDecryptionApp(x)) return narrow(x, y, s, fresh);
  if (x.t === 'var') return opt(bind(x, y, s));
  if (y.t === 'var') return opt(bind(y, x, s));
  if (isD(x) && !(isD(y) && y.f === x.f)) return narrow(x, y, s, fresh);
  if (isD(y) && !(isD(x) && x.f === y.f)) return narrow(y, x, s, fresh);
  if (x.t !== 'app' || y.t !== 'app') return [];
  if (x.f !== y.f) return [];
  if (x.f === 'exp') return unifyExp(x, y, s, fresh);
  if (x.f === 'mult') return unifyFactors(x.args, y.args, s, fresh);
  return unifyLists(x.args, y.args, s, fresh);
}

function opt(s: Subst | null): Subst[] {
  return s ? [s] : [];
}

export function unifyLists(xs: readonly Term[], ys: readonly Term[], s: Subst, fresh: FreshVars): Subst[] {
  if (xs.length !== ys.length) return [];
  let sols: Subst[] = [s];
  for (let i = 0; i < xs.length && sols.length; i++) sols = sols.flatMap((u) => unify(xs[i]!, ys[i]!, u, fresh));
  return sols;
}

/** A stuck destructor application equals `other` only if its argument is the matching
 * constructor: the equations of its rules (models/equations.ts `narrowings`), unified in order. */
function narrow(d: App, other: Term, s: Subst, fresh: FreshVars): Subst[] {
  return narrowings(d, other, (n, sort) => fresh.next(n, sort)).flatMap((eqs) => eqs.reduce<Subst[]>((sols, e) => sols.flatMap((u) => unify(e.arg, e.pattern, u, fresh)), [s]));
}

function factorsOf(x: Term): Term[] {
  return x.t === 'app' && x.f === 'mult' ? [...x.args] : [x];
}

/** Injective matchings of `small` into `big` (unifying matched factors); returns the unmatched rest. */
export function matchFactors(small: readonly Term[], big: readonly Term[], s: Subst, fresh: FreshVars): { s: Subst; rest: Term[] }[] {
  const out: { s: Subst; rest: Term[] }[] = [];
  const go = (i: number, used: boolean[], cur: Subst) => {
    if (i === small.length) {
      out.push({ s: cur, rest: big.filter((_, j) => !used[j]) });
      return;
    }
    for (let j = 0; j < big.length; j++) {
      if (used[j]) continue;
      for (const u of unify(small[i]!, big[j]!, cur, fresh)) {
        const nu = used.slice();
        nu[j] = true;
        go(i + 1, nu, u);
      }
    }
  };
  go(0, big.map(() => false), s);
  return out;
}

function unifyFactors(xs: readonly Term[], ys: readonly Term[], s: Subst, fresh: FreshVars): Subst[] {
  if (xs.length !== ys.length) return [];
  return matchFactors(xs, ys, s, fresh).map((m) => m.s);
}

function unifyExp(x: App, y: App, s: Subst, fresh: FreshVars): Subst[] {
  const [bx, ex] = x.args as [Term, Term];
  const [by, ey] = y.args as [Term, Term];
  const fx = factorsOf(ex);
  const fy = factorsOf(ey);
  const out: Subst[] = [];
  // same base, same factors
  for (const u of unify(bx, by, s, fresh)) out.push(...unifyFactors(fx, fy, u, fresh));
  // a variable base absorbs the other side's extra factors
  const absorb = (bv: Term, fv: Term[], bo: Term, fo: Term[]) => {
    if (bv.t !== 'var' || bo.t === 'var' || fv.length >= fo.length) return;
    for (const m of matchFactors(fv, fo, s, fresh)) {
      const base = m.rest.length === 1 ? m.rest[0]! : app('mult', ...m.rest);
      const b2 = bind(bv, normalize(app('exp', bo, base)), m.s);
      if (b2) out.push(b2);
    }
  };
  absorb(bx, fx, by, fy);
  absorb(by, fy, bx, fx);
  return out;
}
