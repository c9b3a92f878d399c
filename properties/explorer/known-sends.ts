/**
 * Which of an instance's transitions send only what the attacker already has: a static pass over
 * its machine. A message is "attacker-built" when it is made, with public function symbols, of
 * constants, of values in the attacker's initial knowledge, and of values the instance itself
 * received (tuple components of a receive pattern: the attacker built that message) or sent
 * before (tuple components of an earlier message: projection). Such a send adds nothing the
 * attacker could not derive at that point, whatever the run, so a final transition that sends
 * only such messages is, for the rest of the trace, as silent as one that sends nothing (the
 * search treats it as a leaf: `search.ts`).
 *
 * The pass is conservative: a value counts as known at a machine state only if it is known on
 * every path to that state; values bound by `match` (decrypted contents) or by `fresh` are never
 * counted unless sent as a tuple component.
 * @module
 */
import type { Step, TransitionSpec } from '../../models/steps.ts';
import { SYMBOLS, type Term, termEquals } from '../../models/terms.ts';

/** For one instance: does transition `t` (from its machine) send only attacker-built messages? */
export function knownSends(transitions: readonly TransitionSpec[], initial: string, env: Readonly<Record<string, Term>>, knowledge: readonly Term[]): (t: TransitionSpec) => boolean {
  // an environment value the attacker has from the start
  const knownValue = madeOf((t) => knowledge.some((k) => termEquals(k, t)));
  const start = new Set(Object.keys(env).filter((k) => knownValue(env[k]!)));

  // values known at each machine state, on every path there (a fixpoint over the transitions)
  const at = new Map<string, Set<string>>([[initial, start]]);
  const after = (t: TransitionSpec, before: ReadonlySet<string>): { known: Set<string>; sendsKnown: boolean } => {
    const known = new Set(before);
    let sendsKnown = true;
    const built = madeOf((u) => u.t === 'var' && known.has(u.name));
    const components = (u: Term): void => {
      if (u.t === 'var') known.add(u.name);
      else if (u.t === 'app' && u.f === 'tuple') u.args.forEach(components);
    };
    for (const s of t.steps as Step[]) {
      if (s.op === 'recv') components(s.pattern);
      else if (s.op === 'let' && built(s.t)) known.add(s.v.name);
      else if (s.op === 'send') {
        if (!built(s.t)) sendsKnown = false;
        components(s.t);
      }
    }
    return { known, sendsKnown };
  };
  for (let round = 0; round <= transitions.length; round++) {
    let changed = false;
    for (const t of transitions) {
      const before = at.get(t.from);
      if (!before) continue;
      const { known } = after(t, before);
      const cur = at.get(t.to);
      const next = cur ? new Set([...cur].filter((x) => known.has(x))) : known;
      if (!cur || next.size !== cur.size) {
        at.set(t.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return (t) => {
    const before = at.get(t.from);
    return before !== undefined && after(t, before).sendsKnown;
  };
}

/** Terms made with public function symbols of constants and of leaves `leaf` accepts. */
function madeOf(leaf: (t: Term) => boolean): (t: Term) => boolean {
  const made = (t: Term): boolean => t.t === 'const' || leaf(t) || (t.t === 'app' && SYMBOLS[t.f].public && t.args.every(made));
  return made;
}
