/**
 * Concrete evaluation of terms: variables from the environment, constants as labels, and each
 * application by its symbol's implementation (primitives.ts, one per row of the symbol table
 * models/terms.ts `SYMBOLS`).
 * @module
 */
import { type Term, show } from '../../models/terms.ts';
import { CryptoError } from '../crypto/index.ts';
import { type Value, bytesV, constV } from '../wire/value.ts';
import { type EvalDeps, EvalFailure, TRUE_V } from './eval-deps.ts';
import { PRIMITIVES } from './primitives.ts';

export { type EvalDeps, EvalFailure, TRUE_V };

/**
 * The values of the subterms one step has evaluated, by printed term. A step (one machine
 * transition: receive, compute, send) evaluates each distinct subterm once, as the symbolic
 * model has one term for it: `aenc(x, pk)` sent inside a tuple and inside a signature over it
 * is one ciphertext, so the signature covers what was sent (ECIES draws a fresh r each time it
 * runs). Valid while the variables it read keep their values: a step binds a variable once,
 * except a `let`/`fresh` of a variable it already has (`forgetIfRebound`).
 */
export type StepMemo = Map<string, Value>;

/** Printed forms of term objects (machine terms are shared and immutable). */
const PRINTED = new WeakMap<Term, string>();
function printed(t: Term): string {
  let p = PRINTED.get(t);
  if (p === undefined) PRINTED.set(t, (p = show(t)));
  return p;
}

/** A `let` or `fresh` rebinding `name`: the memo may hold values computed from its old value. */
export function forgetIfRebound(memo: StepMemo, env: Readonly<Record<string, Value>>, name: string): void {
  if (env[name] !== undefined) memo.clear();
}

/** Evaluate `t` under `env` (variable name → value). Throws EvalFailure. With `memo`, each
 * distinct application is evaluated once (see StepMemo). */
export function evaluate(t: Term, env: Readonly<Record<string, Value>>, deps: EvalDeps, memo?: StepMemo): Value {
  if (memo === undefined || t.t !== 'app') return evaluateNode(t, env, deps, memo);
  const key = printed(t);
  let x = memo.get(key);
  if (x === undefined) memo.set(key, (x = evaluateNode(t, env, deps, memo)));
  return x;
}

function evaluateNode(t: Term, env: Readonly<Record<string, Value>>, deps: EvalDeps, memo: StepMemo | undefined): Value {
  const ev = (u: Term) => evaluate(u, env, deps, memo);
  switch (t.t) {
    case 'var': {
      const x = env[t.name];
      if (x === undefined) throw new EvalFailure('type', `variable '${t.name}' is not bound`);
      return x;
    }
    case 'const':
      return constV(t.name);
    case 'name':
      throw new EvalFailure('type', `symbolic name ~${t.name} has no concrete value`);
    case 'app':
      break;
  }
  const a = t.args;
  try {
    return PRIMITIVES[t.f]((i) => ev(a[i]!), a.length, deps);
  } catch (e) {
    if (e instanceof EvalFailure) throw e;
    if (e instanceof CryptoError) throw new EvalFailure('crypto', `${t.f}: ${e.message}`);
    throw e;
  }
}

/** A value for a fresh variable of the given sort. */
export function freshValue(sort: string, deps: EvalDeps): Value {
  if (sort === 'skey') return { k: 'scalar', b: deps.suite.scalarFromSeed(deps.rng.bytes(48)) };
  return bytesV(deps.rng.bytes(32));
}
