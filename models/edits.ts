/**
 * Edits for variants: small named changes applied to role machines by functions (never a
 * copied machine). Each returns a `MachineEdit` for `VariantDecl.edit`.
 * @module
 */
import { type RoleMachine, editRole } from './role.ts';
import type { Step } from './steps.ts';
import { type Term, mapTerm } from './terms.ts';
import type { MachineEdit } from './protocol.ts';

function mapStepTerms(s: Step, f: (t: Term) => Term): Step {
  const m = (t: Term) => mapTerm(t, f);
  switch (s.op) {
    case 'recv':
      return { ...s, pattern: m(s.pattern) };
    case 'let':
      return { ...s, t: m(s.t) };
    case 'match':
      return { ...s, pattern: m(s.pattern), t: m(s.t) };
    case 'check':
      return { ...s, left: m(s.left), right: m(s.right) };
    case 'send':
      return { ...s, t: m(s.t) };
    case 'claim':
      return s; // claims state what a party believes; edits change what it does
    case 'store':
      return { ...s, t: m(s.t) };
    case 'fresh':
      return s;
  }
}

function onRoles(roles: readonly string[], f: (m: RoleMachine) => RoleMachine): MachineEdit {
  return (machines) => {
    const out: Record<string, RoleMachine> = {};
    for (const r of roles) {
      const m = machines[r];
      if (!m) throw new Error(`edit names role '${r}', which the protocol does not have`);
      out[r] = f(m);
    }
    return out;
  };
}

/** Remove every check labelled `label` from the roles (the party skips that check). */
export function dropCheck(roles: readonly string[], label: string): MachineEdit {
  return onRoles(roles, (m) => {
    let found = false;
    const e = editRole(m, (t) => ({
      ...t,
      steps: t.steps.filter((s) => {
        const hit = s.op === 'check' && s.label === label;
        found ||= hit;
        return !hit;
      }),
    }));
    if (!found) throw new Error(`dropCheck: no check '${label}' in ${m.id}`);
    return e;
  });
}

/** Rewrite every term in the roles' steps bottom-up with `f` (e.g. drop a field of a MAC). */
export function rewriteTerms(roles: readonly string[], f: (t: Term) => Term): MachineEdit {
  return onRoles(roles, (m) => editRole(m, (t) => ({ ...t, steps: t.steps.map((s) => mapStepTerms(s, f)) })));
}

/** Replace the steps matching `pred` in the roles by `replace(step)` (an empty list deletes). */
export function replaceSteps(roles: readonly string[], pred: (s: Step) => boolean, replace: (s: Step) => Step[]): MachineEdit {
  return onRoles(roles, (m) => editRole(m, (t) => ({ ...t, steps: t.steps.flatMap((s) => (pred(s) ? replace(s) : [s])) })));
}

/** Apply several edits in order. */
export function both(...edits: MachineEdit[]): MachineEdit {
  return (machines) => {
    let cur: Record<string, RoleMachine> = { ...machines };
    for (const e of edits) cur = { ...cur, ...e(cur) };
    return cur;
  };
}
