/**
 * Party machines: the XState v5 form of a role, and the one way interpreters read it back.
 *
 * `roleMachine` turns a role's transitions into a machine made with `setup()`: every waiting
 * state has, for its trigger, a guarded transition `accepts(spec)` → next state with action
 * `step(spec)`, and a fallback → `failed` with action `reject(spec)`. The protocol content is
 * the `spec` parameter. The default implementations are inert; an interpreter supplies its own
 * with `machine.provide(...)` (the runtime: real crypto) or reads the specs without running
 * anything (`roleOf`: the explorer, the exporters, diagrams).
 * @module
 */
import { type AnyStateMachine, assign, setup } from 'xstate';
import type { ClaimEvent, TransitionSpec, Trigger } from './steps.ts';
import type { Var } from './terms.ts';

/** Why a party stopped in `failed`. `code` is a stable, typed reason. */
export interface Failure {
  readonly label: string;
  readonly code: FailureCode;
  readonly message: string;
}
export type FailureCode =
  | 'decode' // the bytes are not a well-formed encoding (impl/wire)
  | 'type' // a value of the wrong sort where the pattern wants another
  | 'mismatch' // a constant or already-known value differs
  | 'check' // a labelled check failed (signature, MAC, reference value)
  | 'destructor' // decryption or another destructor did not apply
  | 'crypto' // a primitive rejected its input (invalid point, scalar)
  | 'unexpected'; // a message arrived where none was expected

/** A message a role instance sent, its value of type `V`. */
export interface OutMessage<V = unknown> {
  readonly to: string;
  readonly label: string;
  readonly value: V;
}
/** A claim a role instance made, its values of type `V` (terms for the explorer, concrete values
 * for the runtime). */
export interface ClaimRecord<V = unknown> {
  readonly event: ClaimEvent;
  readonly tag: string;
  readonly peer: V | null;
  readonly data: V;
  /** the session the claim names (steps.ts), when it names one */
  readonly sid?: V | null;
}
/** A role instance's context, its values of type `V` (concrete values in the runtime; the
 * machine built here never reads them) and its sent messages of type `Out` (the runtime keeps
 * each message's encoding with it). */
export interface RoleContext<V = unknown, Out extends OutMessage<V> = OutMessage<V>> {
  readonly role: string;
  readonly env: Readonly<Record<string, V>>;
  readonly outbox: readonly Out[];
  readonly claims: readonly ClaimRecord<V>[];
  readonly stored: Readonly<Record<string, V>>;
  readonly failure: Failure | null;
}
export interface RoleInput<V = unknown> {
  readonly env: Readonly<Record<string, V>>;
}
export type RoleEvent = { type: 'START' } | { type: 'MSG'; from: string; label: string; bytes: Uint8Array };

/** What a role declares besides its transitions: who it is and what it knows initially. */
export interface RoleMeta {
  readonly role: string;
  /** the party that plays it: TTP, TEE, TPM, TDDL or TZTCM (or a classic role name) */
  readonly party: string;
  /** variables bound before the run by the protocol's long-term set-up */
  readonly knows: readonly Var[];
  readonly initial: string;
}

export interface RoleDef extends RoleMeta {
  readonly transitions: readonly TransitionSpec[];
}

// Inert default implementations: a machine run without an interpreter does nothing.
function roleSetup<V, Out extends OutMessage<V>>() {
  return setup({
    types: {
      context: {} as RoleContext<V, Out>,
      events: {} as RoleEvent,
      input: {} as RoleInput<V>,
    },
    actions: {
      step: (_args, _spec: TransitionSpec) => {},
      reject: (_args, _spec: TransitionSpec) => {},
    },
    guards: {
      accepts: (_args, _spec: TransitionSpec) => false,
    },
  });
}

/** A party machine whose context holds values of type `V` and sent messages of type `Out`. The
 * protocol's own machines are `RoleMachine` (values unknown: nothing runs them); `implement`
 * gives an interpreter a machine typed in its own values. */
export type RoleMachine<V = unknown, Out extends OutMessage<V> = OutMessage<V>> = ReturnType<typeof roleMachineOf<V, Out>>;

/** Build the XState machine of a role. */
export function roleMachine(def: RoleDef): RoleMachine {
  return roleMachineOf<unknown, OutMessage>(def);
}

/** The state nodes `roleMachineOf` writes: a final state, or a waiting state whose transitions
 * carry the spec as their guard's and actions' parameter. */
type RoleTransitionNode = {
  readonly guard?: { readonly type: 'accepts'; readonly params: TransitionSpec };
  readonly target: string;
  readonly actions: readonly [{ readonly type: 'step' | 'reject'; readonly params: TransitionSpec }];
};
type RoleStateNode = { readonly type: 'final' } | { readonly on: Partial<Record<Trigger, RoleTransitionNode[]>> };

function roleMachineOf<V, Out extends OutMessage<V>>(def: RoleDef) {
  const states: Record<string, RoleStateNode> = {};
  const byState = new Map<string, TransitionSpec[]>();
  for (const t of def.transitions) {
    if (t.to === 'failed') throw new Error(`${def.role}: ${t.label} targets the reserved state 'failed'`);
    byState.set(t.from, [...(byState.get(t.from) ?? []), t]);
  }
  const names = new Set<string>([def.initial, ...def.transitions.flatMap((t) => [t.from, t.to])]);
  for (const s of names) {
    const out = byState.get(s) ?? [];
    if (out.length === 0) {
      states[s] = { type: 'final' };
      continue;
    }
    const on: Partial<Record<Trigger, RoleTransitionNode[]>> = {};
    for (const t of out) {
      on[t.trigger] = [
        ...(on[t.trigger] ?? []),
        { guard: { type: 'accepts', params: t }, target: t.to, actions: [{ type: 'step', params: t }] },
      ];
    }
    // the fallback of each trigger: the first transition's spec names what was expected
    for (const trig of Object.keys(on) as Trigger[]) {
      const first = out.find((t) => t.trigger === trig)!;
      on[trig]!.push({ target: 'failed', actions: [{ type: 'reject', params: first }] });
    }
    states[s] = { on };
  }
  states['failed'] = { type: 'final' };
  const meta: RoleMeta = { role: def.role, party: def.party, knows: def.knows, initial: def.initial };
  return roleSetup<V, Out>().createMachine({
    id: def.role,
    initial: def.initial,
    context: ({ input }) => ({ role: def.role, env: input.env, outbox: [], claims: [], stored: {}, failure: null }),
    meta,
    states,
  });
}

/** What an interpreter does for a role's typed guard and actions (the protocol content is the
 * `spec` each receives). */
export interface RoleImplementation<V, Out extends OutMessage<V> = OutMessage<V>> {
  /** the guard: does this transition accept the event */
  readonly accepts: (context: RoleContext<V, Out>, event: RoleEvent, spec: TransitionSpec) => boolean;
  /** the action of an accepted transition: the context's new fields */
  readonly step: (context: RoleContext<V, Out>, event: RoleEvent, spec: TransitionSpec) => Partial<RoleContext<V, Out>>;
  /** the action of the fallback: why the party stopped */
  readonly reject: (context: RoleContext<V, Out>, event: RoleEvent, spec: TransitionSpec) => Failure;
}

/**
 * A role's machine run by an interpreter: the same states and transitions (read back with
 * `roleOf`, so a variant's edit is kept), its context typed in the interpreter's values, with
 * the interpreter's guard and actions given through XState's `provide`.
 */
export function implement<V, Out extends OutMessage<V> = OutMessage<V>>(machine: AnyStateMachine, impl: RoleImplementation<V, Out>): RoleMachine<V, Out> {
  return roleMachineOf<V, Out>(roleOf(machine)).provide({
    guards: { accepts: ({ context, event }, spec) => impl.accepts(context, event, spec) },
    actions: {
      step: assign(({ context, event }, spec) => impl.step(context, event, spec)),
      reject: assign(({ context, event }, spec) => ({ failure: impl.reject(context, event, spec) })),
    },
  });
}

/** One transition as read back from a machine's state nodes. */
export interface ReadTransition {
  readonly source: string;
  readonly trigger: Trigger;
  readonly spec: TransitionSpec;
}

/**
 * Read a role back from its machine: the metadata from the root node and every transition from
 * the state nodes' guarded transitions. This is how every interpreter sees a protocol.
 */
export function roleOf(machine: AnyStateMachine): RoleDef {
  const meta = machine.root.meta as RoleMeta | undefined;
  if (!meta || typeof meta.role !== 'string') throw new Error(`machine ${machine.id} is not a party machine (no role metadata)`);
  const transitions: TransitionSpec[] = [];
  for (const node of Object.values(machine.root.states)) {
    for (const [event, defs] of node.transitions) {
      for (const d of defs) {
        const g = d.guard as { type?: string; params?: TransitionSpec } | undefined;
        if (g && typeof g === 'object' && g.type === 'accepts' && g.params) {
          if (g.params.trigger !== event) throw new Error(`${meta.role}: transition ${g.params.label} filed under ${event}`);
          transitions.push(g.params);
        }
      }
    }
  }
  return { ...meta, transitions };
}

/** A variant edit: rebuild a machine with each transition mapped (returning null drops it). */
export function editRole(machine: AnyStateMachine, f: (t: TransitionSpec) => TransitionSpec | null): RoleMachine {
  const def = roleOf(machine);
  const transitions = def.transitions.map(f).filter((t): t is TransitionSpec => t !== null);
  return roleMachine({ ...def, transitions });
}

