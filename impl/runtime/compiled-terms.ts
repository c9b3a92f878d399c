/**
 * Terms and patterns compiled once into closures — the compiled engine's evaluate.ts and
 * match.ts. Same semantics, same failures, same messages; what is done once here instead of at
 * every evaluation: the dispatch on the term's kind and symbol, the printed memo key of every
 * application (StepMemo, evaluate.ts), the constant values, and every path string of a
 * pattern's failure messages. Cached per term object (machine terms are shared and immutable),
 * so a machine is compiled once however many runs use it.
 * @module
 */
import { type Term, show } from '../../models/terms.ts';
import { admits } from '../../models/sorts.ts';
import { CryptoError } from '../crypto/index.ts';
import { type Value, constV, showValue, valueEquals } from '../wire/value.ts';
import { type EvalDeps, EvalFailure, type StepMemo } from './evaluate.ts';
import { PRIMITIVES } from './primitives.ts';

/** A compiled term: its value under `env` (throws EvalFailure, as `evaluate`). */
export type Evaluator = (env: Readonly<Record<string, Value>>, deps: EvalDeps, memo: StepMemo) => Value;

const EVALUATORS = new WeakMap<Term, Evaluator>();

/** `evaluate(t, env, deps, memo)` compiled. */
export function compileTerm(t: Term): Evaluator {
  let e = EVALUATORS.get(t);
  if (!e) EVALUATORS.set(t, (e = build(t)));
  return e;
}

function build(t: Term): Evaluator {
  switch (t.t) {
    case 'var': {
      const name = t.name;
      const unbound = `variable '${name}' is not bound`;
      return (env) => {
        const x = env[name];
        if (x === undefined) throw new EvalFailure('type', unbound);
        return x;
      };
    }
    case 'const': {
      const v = constV(t.name);
      return () => v;
    }
    case 'name': {
      const msg = `symbolic name ~${t.name} has no concrete value`;
      return () => {
        throw new EvalFailure('type', msg);
      };
    }
    case 'app':
      break;
  }
  const impl = PRIMITIVES[t.f];
  const f = t.f;
  const kids = t.args.map(compileTerm);
  const n = kids.length;
  const key = show(t);
  return (env, deps, memo) => {
    let x = memo.get(key);
    if (x !== undefined) return x;
    try {
      x = impl((i) => kids[i]!(env, deps, memo), n, deps);
    } catch (e) {
      if (e instanceof EvalFailure) throw e;
      if (e instanceof CryptoError) throw new EvalFailure('crypto', `${f}: ${e.message}`);
      throw e;
    }
    memo.set(key, x);
    return x;
  };
}

/** A compiled pattern: binds into `out` (the transition's environment), as
 * `matchPattern(pattern, value, out, deps, what, memo, true)`; every variable it binds is
 * appended to `bound` (so a failed transition can unbind them). */
export type Matcher = (value: Value, out: Record<string, Value>, deps: EvalDeps, memo: StepMemo, bound: string[]) => void;

/** A deferred subterm of a pattern: computed once the rest has bound its variables. */
type Deferred = { readonly ev: Evaluator; readonly x: Value; readonly fail: string };
type Node = (x: Value, out: Record<string, Value>, deferred: Deferred[], bound: string[]) => void;

const MATCHERS = new WeakMap<Term, Map<string, Matcher>>();

/** `matchPattern` compiled for one pattern and step label (`what`, in its failure messages). */
export function compilePattern(pattern: Term, what: string): Matcher {
  let byWhat = MATCHERS.get(pattern);
  if (!byWhat) MATCHERS.set(pattern, (byWhat = new Map()));
  let m = byWhat.get(what);
  if (m) return m;
  const root = node(pattern, 'message', what);
  m = (value, out, deps, memo, bound) => {
    const deferred: Deferred[] = [];
    root(value, out, deferred, bound);
    for (const d of deferred) if (!valueEquals(d.ev(out, deps, memo), d.x)) throw new EvalFailure('mismatch', d.fail);
  };
  byWhat.set(what, m);
  return m;
}

function node(p: Term, path: string, what: string): Node {
  switch (p.t) {
    case 'var': {
      const name = p.name;
      const sort = p.sort;
      const differs = `${what}: ${path} is not the expected ${name}`;
      return (x, out, _deferred, bound) => {
        const had = out[name];
        if (had !== undefined) {
          if (!valueEquals(had, x)) throw new EvalFailure('mismatch', differs);
          return;
        }
        // the one sort discipline (models/sorts.ts), which the explorer's unification reads too
        if (!admits(sort, x.k)) throw new EvalFailure('type', `${what}: ${path} should be a ${sort}, got ${x.k}`);
        out[name] = x;
        bound.push(name);
      };
    }
    case 'const': {
      const s = p.name;
      return (x) => {
        if (x.k !== 'const' || x.s !== s) throw new EvalFailure('mismatch', `${what}: ${path} should be '${s}', got ${showValue(x)}`);
      };
    }
    case 'name': {
      const msg = `${what}: a pattern cannot contain a symbolic name`;
      return () => {
        throw new EvalFailure('type', msg);
      };
    }
    case 'app':
      break;
  }
  if (p.f === 'tuple') {
    const n = p.args.length;
    const kids = p.args.map((a, i) => node(a, `${path}.${i + 1}`, what));
    return (x, out, deferred, bound) => {
      if (x.k !== 'tuple' || x.items.length !== n) throw new EvalFailure('type', `${what}: ${path} should be a ${n}-tuple, got ${x.k === 'tuple' ? `${x.items.length}-tuple` : x.k}`);
      for (let i = 0; i < n; i++) kids[i]!(x.items[i]!, out, deferred, bound);
    };
  }
  const ev = compileTerm(p);
  const fail = `${what}: ${path} does not equal the computed ${p.f}`;
  return (x, _out, deferred) => {
    deferred.push({ ev, x, fail });
  };
}
