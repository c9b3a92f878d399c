/**
 * The names a derivability question depends on, for level relevance (`SolveContext.levelRead` in
 * `deduction.ts`, `visited.ts`): the names of a term, and of the keys behind which a piece holding
 * one of them lies.
 * @module
 */
import type { Term } from '../../models/terms.ts';

/** The names (fresh values, long-term values) in a term. */
export function namesIn(t: Term, out: Set<string> = new Set()): Set<string> {
  if (t.t === 'name') out.add(t.name);
  else if (t.t === 'app') for (const a of t.args) namesIn(a, out);
  return out;
}

const NAMES = new WeakMap<Term, Set<string>>();
function namesOf(t: Term): Set<string> {
  let r = NAMES.get(t);
  if (!r) {
    r = namesIn(t);
    NAMES.set(t, r);
  }
  return r;
}

/** What decides whether ground `t` is derivable from a part of the knowledge: its names, and the
 * names of the keys behind which a piece with one of those names lies (to a fixpoint). A
 * knowledge entry with none of them is of no use for `t`: every piece a derivation of `t` takes
 * from a message is a subterm of `t` (or a DH power of one of its subterms, with its names) or a
 * key that opens such a piece. */
export function decidingNames(t: Term, srcs: readonly { readonly term: Term; readonly keys: readonly Term[] }[]): Set<string> {
  const out = new Set(namesOf(t));
  for (let grew = true; grew; ) {
    grew = false;
    for (const src of srcs) {
      if (!src.keys.length) continue;
      let hit = false;
      for (const n of namesOf(src.term)) if (out.has(n)) hit = true;
      if (!hit) continue;
      for (const k of src.keys)
        for (const n of namesOf(k))
          if (!out.has(n)) {
            out.add(n);
            grew = true;
          }
    }
  }
  return out;
}
