/**
 * The equational theory of the term algebra, and normalisation modulo it.
 *
 * Equations (the same ones Tamarin's builtins declare, so an export means what we mean):
 *   verify(sign(m, sk), m, pk(sk)) = true          (signing)
 *   sdec(senc(m, k), k) = m                         (symmetric-encryption)
 *   adec(aenc(m, pk(sk)), sk) = m                   (asymmetric-encryption)
 *   (b^x)^y = b^(x*y),  x*y = y*x,  (x*y)*z = x*(y*z)   (diffie-hellman, without inverses)
 * The DH equations are handled by normal forms: `exp(b, mult(x1..xn))` with a non-exp base and
 * the exponents sorted, so two terms are equal modulo the theory iff their normal forms are
 * syntactically equal.
 * @module
 */
import { type App, type Term, TRUE, app, show, termEquals } from './terms.ts';

export interface Equation {
  readonly lhs: string;
  readonly rhs: string;
  readonly builtin: string;
}

/** The equations as data, for documentation and for exporters that must not redeclare them. */
export const EQUATIONS: readonly Equation[] = [
  { lhs: 'verify(sign(m, sk), m, pk(sk))', rhs: 'true', builtin: 'signing' },
  { lhs: 'sdec(senc(m, k), k)', rhs: 'm', builtin: 'symmetric-encryption' },
  { lhs: 'adec(aenc(m, pk(sk)), sk)', rhs: 'm', builtin: 'asymmetric-encryption' },
  { lhs: '(b^x)^y', rhs: 'b^(x*y)', builtin: 'diffie-hellman' },
];

/** Exponents of a (normalised) exponent term, flattened out of `mult`. */
function factors(x: Term): Term[] {
  return x.t === 'app' && x.f === 'mult' ? [...x.args] : [x];
}

function sortTerms(ts: Term[]): Term[] {
  return ts.map((t) => [show(t), t] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((p) => p[1]);
}

function mkExp(base: Term, exps: Term[]): Term {
  const sorted = sortTerms(exps);
  return app('exp', base, sorted.length === 1 ? sorted[0]! : { t: 'app', f: 'mult', args: sorted });
}

/** Marks a term object known to be in normal form: normalising is the explorer's hottest path,
 * and term objects are immutable and shared. A non-enumerable symbol-keyed mark is invisible to
 * JSON, `show` and deep equality (weak collections measured much slower here). */
const NF = Symbol('normal-form');
type Marked = { [NF]?: true };

function mark(t: Term): Term {
  if (t.t === 'app' && !(t as Marked)[NF] && Object.isExtensible(t)) Object.defineProperty(t, NF, { value: true, enumerable: false });
  return t;
}

/** Are these terms in the order `sortTerms` gives? */
function isSorted(ts: readonly Term[]): boolean {
  for (let k = 1; k < ts.length; k++) if (show(ts[k - 1]!) > show(ts[k]!)) return false;
  return true;
}

/**
 * Normal form modulo the equations. Destructors that do not reduce are left in place (they are
 * "stuck": a receiver applying them fails; the runtime reports the step that failed). Subterms
 * already in normal form are kept as they are (the same objects), so normalising a term that was
 * just built from normal forms only walks its new spine.
 */
export function normalize(t: Term): Term {
  if (t.t !== 'app' || (t as Marked)[NF]) return t;
  return mark(normalStep(t));
}

function normalStep(t: App): Term {
  let changed = false;
  const args = t.args.map((a) => {
    const r = normalize(a);
    if (r !== a) changed = true;
    return r;
  });
  const n: App = changed ? { t: 'app', f: t.f, args } : t;
  switch (n.f) {
    case 'exp': {
      const [b, x] = args as [Term, Term];
      if (b.t === 'app' && b.f === 'exp') return mkExp(b.args[0]!, [...factors(b.args[1]!), ...factors(x)]);
      // an exponent in normal form is already flat and sorted
      return n;
    }
    case 'mult':
      if (!args.some((a) => a.t === 'app' && a.f === 'mult') && isSorted(args)) return n;
      return { t: 'app', f: 'mult', args: sortTerms(args.flatMap(factors)) };
    case 'verify': {
      const [s, m, p] = args as [Term, Term, Term];
      if (s.t === 'app' && s.f === 'sign' && termEquals(s.args[0]!, m) && p.t === 'app' && p.f === 'pk' && termEquals(p.args[0]!, s.args[1]!))
        return TRUE;
      return n;
    }
    case 'sdec': {
      const [ct, k] = args as [Term, Term];
      if (ct.t === 'app' && ct.f === 'senc' && termEquals(ct.args[1]!, k)) return ct.args[0]!;
      return n;
    }
    case 'adec': {
      const [ct, sk] = args as [Term, Term];
      if (ct.t === 'app' && ct.f === 'aenc') {
        const p = ct.args[1]!;
        if (p.t === 'app' && p.f === 'pk' && termEquals(p.args[0]!, sk)) return ct.args[0]!;
      }
      return n;
    }
    default:
      return n;
  }
}

/** Equality modulo the theory. */
export function equalModulo(a: Term, b: Term): boolean {
  return termEquals(normalize(a), normalize(b));
}

/** Is this (normalised) term a stuck destructor application somewhere inside? */
export function hasStuckDestructor(t: Term): boolean {
  if (t.t !== 'app') return false;
  if (t.f === 'verify' || t.f === 'sdec' || t.f === 'adec') return true;
  return t.args.some(hasStuckDestructor);
}
