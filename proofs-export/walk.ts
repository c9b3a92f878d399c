/**
 * The walk both exporters share: read every role of a protocol back from its machine with
 * `roleOf`, order its transitions (breadth first from the initial state, in the machine's own
 * order), and compute for every waiting state which variables are bound there and which of
 * them are still needed later (`live`). The exporters carry exactly the live variables in a
 * state (Tamarin: the state fact's arguments; ProVerif: the variables in scope).
 *
 * Nothing here re-describes a protocol: everything comes from the machines and the
 * protocol's declarations, after the model checker (`protocolProblems`) has accepted it.
 * @module
 */
import type { Protocol, RoleDecl } from '../models/protocol.ts';
import type { Target } from '../models/target.ts';
import { type RoleDef, roleOf } from '../models/role.ts';
import { type Step, type TransitionSpec, stepTerms } from '../models/steps.ts';
import { type Var, varsOf } from '../models/terms.ts';
import { ModelError, patternBinds, protocolProblems } from '../models/validate.ts';

export interface RoleWalk {
  readonly decl: RoleDecl;
  readonly def: RoleDef;
  /** the transitions reachable from the initial state, breadth first */
  readonly transitions: readonly TransitionSpec[];
  /** every state reached, in the order the walk first reaches it */
  readonly states: readonly string[];
  /** variables bound when the role waits in a state, in binding order */
  readonly boundAt: ReadonlyMap<string, readonly Var[]>;
  /** the bound variables a later step still reads (agents always), in binding order */
  readonly liveAt: ReadonlyMap<string, readonly Var[]>;
  /** the agent variables of the role (`self` first), including those only its set-up uses */
  readonly agents: readonly Var[];
}

export interface ProtocolWalk {
  readonly protocol: Protocol;
  readonly variant?: string;
  readonly roles: readonly RoleWalk[];
}


/** Variables a step binds, given those bound before it. */
export function stepBinds(s: Step, bound: ReadonlySet<string>, all: Map<string, Var>): Var[] {
  const out: Var[] = [];
  const add = (name: string) => {
    const x = all.get(name);
    if (x && !bound.has(name) && !out.some((o) => o.name === name)) out.push(x);
  };
  // a pattern binds its variables in tuple and top positions (models/validate.ts)
  if (s.op === 'recv' || s.op === 'match') patternBinds(s.pattern).binds.forEach(add);
  if (s.op === 'fresh' || s.op === 'let') add(s.v.name);
  return out;
}

function walkRole(decl: RoleDecl): RoleWalk {
  const def = roleOf(decl.machine);
  // the agents the role deals with: the machine's own agent variables, then those only its
  // set-up refers to (the TEE's `ttp`, whose key signed its token) — claims hold for honest ones
  const known = new Set(def.knows.map((k) => k.name));
  const setupAgents = Object.keys(decl.agents).filter((a) => !known.has(a)).map((a): Var => ({ t: 'var', name: a, sort: 'agent' }));
  const agents = [...def.knows.filter((k) => k.sort === 'agent'), ...setupAgents];
  const boundAt = new Map<string, Var[]>([[def.initial, [...def.knows, ...setupAgents]]]);
  const states: string[] = [];
  const transitions: TransitionSpec[] = [];
  const queue = [def.initial];
  while (queue.length) {
    const s = queue.shift()!;
    if (states.includes(s)) continue;
    states.push(s);
    for (const t of def.transitions.filter((x) => x.from === s)) {
      transitions.push(t);
      const bound = [...boundAt.get(s)!];
      const names = new Set(bound.map((b) => b.name));
      const all = new Map<string, Var>();
      for (const st of t.steps) for (const term of stepTerms(st)) for (const x of varsOf(term)) if (!all.has(x.name)) all.set(x.name, x);
      for (const st of t.steps)
        for (const b of stepBinds(st, names, all)) {
          names.add(b.name);
          bound.push(b);
        }
      if (!boundAt.has(t.to)) boundAt.set(t.to, bound);
      queue.push(t.to);
    }
  }
  // liveness, to a fixpoint (machines may loop): live(s) = bound(s) ∩ (reads of outgoing ∪ live(next))
  const used = (t: TransitionSpec) => new Set(t.steps.flatMap((st) => stepTerms(st).flatMap((x) => varsOf(x).map((y) => y.name))));
  const live = new Map<string, Set<string>>(states.map((s) => [s, new Set(agents.map((a) => a.name))]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of transitions) {
      const here = live.get(t.from)!;
      const bound = new Set(boundAt.get(t.from)!.map((b) => b.name));
      for (const n of [...used(t), ...(live.get(t.to) ?? [])])
        if (bound.has(n) && !here.has(n)) {
          here.add(n);
          changed = true;
        }
    }
  }
  const liveAt = new Map(states.map((s) => [s, boundAt.get(s)!.filter((b) => live.get(s)!.has(b.name))]));
  return { decl, def, transitions, states, boundAt, liveAt, agents };
}

/** Walk a resolved target (its variant applied). Throws a `ModelError` if the model is not well formed. */
export function walkTarget(target: Target): ProtocolWalk {
  const { protocol, variant } = target;
  const problems = protocolProblems(protocol);
  if (problems.length) throw new ModelError(problems);
  return { protocol, ...(variant === undefined ? {} : { variant: variant.id }), roles: protocol.roles.map(walkRole) };
}
