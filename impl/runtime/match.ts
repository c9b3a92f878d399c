/**
 * Concrete pattern matching, with the semantics of models/validate.ts: variables in tuple (or
 * top) positions bind — checking the value's kind against the variable's sort (models/sorts.ts) —
 * or are compared if already bound; constants compare; tuples destructure; any other subterm is evaluated once
 * the rest of the pattern has bound its variables, and compared.
 * @module
 */
import type { Term } from '../../models/terms.ts';
import { admits } from '../../models/sorts.ts';
import { type Value, valueEquals, showValue } from '../wire/value.ts';
import { type EvalDeps, EvalFailure, type StepMemo, evaluate } from './evaluate.ts';

/** Match `value` against `pattern`, extending `env` (returned as a new object; with `inPlace`,
 * `env` itself — a caller's private copy that it drops on failure). Throws EvalFailure. */
export function matchPattern(pattern: Term, value: Value, env: Readonly<Record<string, Value>>, deps: EvalDeps, what: string, memo?: StepMemo, inPlace = false): Record<string, Value> {
  const out: Record<string, Value> = inPlace ? (env as Record<string, Value>) : { ...env };
  const deferred: [Term, Value, string][] = [];
  const go = (p: Term, x: Value, path: string) => {
    switch (p.t) {
      case 'var': {
        const bound = out[p.name];
        if (bound !== undefined) {
          if (!valueEquals(bound, x)) throw new EvalFailure('mismatch', `${what}: ${path} is not the expected ${p.name}`);
          return;
        }
        // the one sort discipline (models/sorts.ts), which the explorer's unification reads too
        if (!admits(p.sort, x.k)) throw new EvalFailure('type', `${what}: ${path} should be a ${p.sort}, got ${x.k}`);
        out[p.name] = x;
        return;
      }
      case 'const':
        if (x.k !== 'const' || x.s !== p.name) throw new EvalFailure('mismatch', `${what}: ${path} should be '${p.name}', got ${showValue(x)}`);
        return;
      case 'name':
        throw new EvalFailure('type', `${what}: a pattern cannot contain a symbolic name`);
      case 'app':
        if (p.f === 'tuple') {
          if (x.k !== 'tuple' || x.items.length !== p.args.length)
            throw new EvalFailure('type', `${what}: ${path} should be a ${p.args.length}-tuple, got ${x.k === 'tuple' ? `${x.items.length}-tuple` : x.k}`);
          p.args.forEach((a, i) => go(a, x.items[i]!, `${path}.${i + 1}`));
          return;
        }
        deferred.push([p, x, path]);
    }
  };
  go(pattern, value, 'message');
  for (const [p, x, path] of deferred) {
    const expect = evaluate(p, out, deps, memo);
    if (!valueEquals(expect, x)) throw new EvalFailure('mismatch', `${what}: ${path} does not equal the computed ${p.t === 'app' ? p.f : 'value'}`);
  }
  return out;
}
