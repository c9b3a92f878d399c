/**
 * Message constructors: one definition of a message body (a token, a signed statement, a command
 * HMAC) with named inputs, used by every party that builds or checks it — the generalisation of
 * tddl.ts's `Cmd(i)` ("one definition for both sides"). A constructor is a term template with
 * named holes; `build` fills them, `parse` recognises a term the template made.
 *
 * Variants edit a constructor's input by name (`editMessage`: omit an input, or set it to a
 * constant), wherever the roles build or check that message; an edit that matches nothing, or
 * names an input the constructor does not have, is an error — never a variant identical to the
 * protocol. Omitting an input removes it from its tuple; a tuple left with one element becomes
 * that element (`h(<nA, pk(skT)>)` without the key is `h(nA)`).
 * @module
 */
import { editRole } from './role.ts';
import type { MachineEdit } from './protocol.ts';
import type { Step } from './steps.ts';
import { type Term, app, mapTerm, termEquals, v } from './terms.ts';

const HOLE = '?';

/** A message body with named inputs `F`. */
export interface MessageConstructor<F extends string> {
  /** the message's name in errors (a function's own `name` cannot be set) */
  readonly id: string;
  readonly inputs: readonly F[];
  /** the body with every input given */
  (inputs: Readonly<Record<F, Term>>): Term;
  /** the body with inputs omitted or replaced (what a variant builds) */
  readonly build: (inputs: Readonly<Partial<Record<F, Term>>>, omit?: readonly F[]) => Term;
  /** the inputs of a term this constructor built (with every input), or null */
  readonly parse: (t: Term) => Record<F, Term> | null;
}

/** A hole of a template: the input named `name`. */
export const input = (name: string): Term => v(`${HOLE}${name}`);

const holeName = (t: Term): string | null => (t.t === 'var' && t.name.startsWith(HOLE) ? t.name.slice(HOLE.length) : null);

/** Define a constructor from a template whose holes (`input(name)`) are its inputs. */
export function messageConstructor<F extends string>(name: string, template: (hole: (f: F) => Term) => Term): MessageConstructor<F> {
  const tpl = template((f) => input(f));
  const inputs: F[] = [];
  mapTerm(tpl, (u) => {
    const h = holeName(u);
    if (h !== null && !inputs.includes(h as F)) inputs.push(h as F);
    return u;
  });
  const fill = (t: Term, given: Readonly<Partial<Record<F, Term>>>, omit: readonly F[]): Term | null => {
    const h = holeName(t);
    if (h !== null) return omit.includes(h as F) ? null : (given[h as F] ?? t);
    if (t.t !== 'app') return t;
    const args = t.args.map((a) => fill(a, given, omit)).filter((a): a is Term => a !== null);
    if (t.f === 'tuple' && args.length === 1 && t.args.length > 1) return args[0]!;
    return app(t.f, ...args);
  };
  const build = (given: Readonly<Partial<Record<F, Term>>>, omit: readonly F[] = []): Term => {
    for (const f of inputs) if (!omit.includes(f) && given[f] === undefined) throw new Error(`message ${name}: no value for input '${f}'`);
    return fill(tpl, given, omit)!;
  };
  const parse = (t: Term): Record<F, Term> | null => {
    const got: Partial<Record<F, Term>> = {};
    const walk = (p: Term, u: Term): boolean => {
      const h = holeName(p);
      if (h !== null) {
        const prev = got[h as F];
        if (prev && !termEquals(prev, u)) return false;
        got[h as F] = u;
        return true;
      }
      if (p.t !== 'app') return termEquals(p, u);
      return u.t === 'app' && u.f === p.f && u.args.length === p.args.length && p.args.every((a, i) => walk(a, u.args[i]!));
    };
    return walk(tpl, t) ? (got as Record<F, Term>) : null;
  };
  const ctor = ((given: Readonly<Record<F, Term>>) => build(given)) as MessageConstructor<F>;
  return Object.assign(ctor, { id: name, inputs, build, parse }) as MessageConstructor<F>;
}

/** What a variant changes of a message: inputs left out, inputs replaced. */
export interface MessageEdit<F extends string> {
  readonly omit?: readonly F[];
  readonly set?: Readonly<Partial<Record<F, Term>>>;
}

/** The terms of a step a message edit rewrites (claims state what a party believes: untouched). */
function mapStep(s: Step, f: (t: Term) => Term): Step {
  const m = (t: Term) => mapTerm(t, f);
  switch (s.op) {
    case 'recv':
      return { ...s, pattern: m(s.pattern) };
    case 'let':
    case 'send':
    case 'store':
      return { ...s, t: m(s.t) };
    case 'match':
      return { ...s, pattern: m(s.pattern), t: m(s.t) };
    case 'check':
      return { ...s, left: m(s.left), right: m(s.right) };
    case 'claim':
    case 'fresh':
      return s;
  }
}

/**
 * Edit message `ctor` wherever the roles build or check it. Throws if an input named is not the
 * constructor's, or if no role has the message at all.
 */
export function editMessage<F extends string>(roles: readonly string[], ctor: MessageConstructor<F>, edit: MessageEdit<F>): MachineEdit {
  const named = [...(edit.omit ?? []), ...Object.keys(edit.set ?? {})];
  for (const f of named) if (!ctor.inputs.includes(f as F)) throw new Error(`editMessage: message ${ctor.id} has no input '${f}' (inputs: ${ctor.inputs.join(', ')})`);
  return (machines) => {
    let hits = 0;
    const rewrite = (t: Term): Term => {
      const got = ctor.parse(t);
      if (!got) return t;
      hits++;
      return ctor.build({ ...got, ...edit.set }, edit.omit ?? []);
    };
    const out: Record<string, (typeof machines)[string]> = {};
    for (const r of roles) {
      const m = machines[r];
      if (!m) throw new Error(`editMessage names role '${r}', which the protocol does not have`);
      out[r] = editRole(m, (t) => ({ ...t, steps: t.steps.map((s) => mapStep(s, rewrite)) }));
    }
    if (hits === 0) throw new Error(`editMessage: no ${ctor.id} message in ${roles.join(', ')}`);
    return out;
  };
}
