/**
 * The compiled role engine: a role's XState machine definition (the same machine object of
 * models/, read from its state nodes, not restated) compiled once into a table of plain step
 * functions, and a role instance that runs it without an actor. It takes the transitions XState
 * would take: in a state, an event's guarded candidates in the machine's order, the first whose
 * `accepts(spec)` holds (its transition executes without failure) is taken with `step(spec)`;
 * none: the fallback to `failed` with `reject(spec)` (the failure of the first candidate); an
 * event with no transition in the state is ignored; a final state takes nothing. The reference
 * is the XState engine (local-role.ts); test/impl/runtime/engines.test.ts requires both to give
 * identical messages, claims, states and secrets on every honest run.
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import type { RoleDecl } from '../../models/protocol.ts';
import type { ClaimRecord, RoleEvent } from '../../models/role.ts';
import type { ConcreteContext } from './local-role.ts';
import type { WireMessage } from './execute.ts';
import type { TransitionSpec } from '../../models/steps.ts';
import type { Value } from '../wire/value.ts';
import type { EvalDeps } from './evaluate.ts';
import type { Delivered, StepResult } from './execute.ts';
import { type InPlaceTransition, compileTransition, compileTransitionInPlace } from './compiled-steps.ts';
import type { EventOverlay, RoleInstance } from './role-engine.ts';

interface Candidate {
  readonly spec: TransitionSpec;
  readonly run: InPlaceTransition;
  readonly target: string;
}
interface CompiledEvent {
  readonly candidates: readonly Candidate[];
  /** the spec whose failure a fallback records (`reject`'s parameter), null: no fallback */
  readonly reject: TransitionSpec | null;
  readonly fallback: string | null;
}
interface CompiledState {
  readonly final: boolean;
  readonly on: ReadonlyMap<string, CompiledEvent>;
}
export interface CompiledMachine {
  readonly initial: string;
  readonly states: ReadonlyMap<string, CompiledState>;
  /** the machine's own context factory (models/role.ts), given the instance's input */
  readonly context: (env: Readonly<Record<string, Value>>) => ConcreteContext;
}

type Action = { readonly type?: string; readonly params?: unknown };
type TransitionDef = { readonly guard?: Action; readonly target?: readonly { key: string }[]; readonly actions: readonly Action[] };
type StateNode = { readonly type: string; readonly transitions: ReadonlyMap<string, readonly TransitionDef[]> };

const COMPILED = new WeakMap<object, CompiledMachine>();

/** Compile a party machine (built by models/role.ts `roleMachine`) once. Refuses a machine that
 * uses anything beyond the vocabulary `accepts` / `step` / `reject`. */
export function compileMachine(machine: AnyStateMachine): CompiledMachine {
  let c = COMPILED.get(machine);
  if (!c) COMPILED.set(machine, (c = build(machine)));
  return c;
}

function build(machine: AnyStateMachine): CompiledMachine {
  const bad = (why: string) => new Error(`machine ${machine.id} cannot be compiled: ${why}`);
  const states = new Map<string, CompiledState>();
  for (const [name, n] of Object.entries(machine.root.states as Record<string, StateNode>)) {
    const on = new Map<string, CompiledEvent>();
    for (const [event, defs] of n.transitions) {
      const candidates: Candidate[] = [];
      let reject: TransitionSpec | null = null;
      let fallback: string | null = null;
      for (const d of defs) {
        const target = d.target?.[0]?.key;
        if (!target || d.target!.length !== 1) throw bad(`${name} on ${event}: one target expected`);
        const types = d.actions.map((a) => a.type);
        if (d.guard) {
          if (d.guard.type !== 'accepts' || types.join() !== 'step' || d.actions[0]!.params !== d.guard.params) throw bad(`${name} on ${event}: a guarded transition is accepts(spec) with step(spec)`);
          const spec = d.guard.params as TransitionSpec;
          candidates.push({ spec, run: compileTransitionInPlace(spec), target });
        } else {
          if (types.join() !== 'reject' || fallback !== null) throw bad(`${name} on ${event}: an unguarded transition is the one reject(spec) fallback`);
          reject = d.actions[0]!.params as TransitionSpec;
          fallback = target;
        }
      }
      on.set(event, { candidates, reject, fallback });
    }
    states.set(name, { final: n.type === 'final', on });
  }
  const initial = (machine.config as { initial?: string }).initial;
  if (!initial || !states.has(initial)) throw bad('no initial state');
  const factory = (machine.config as { context?: unknown }).context;
  if (typeof factory !== 'function') throw bad('no context factory');
  const context = (env: Readonly<Record<string, Value>>) => (factory as (a: { input: { env: unknown } }) => ConcreteContext)({ input: { env } });
  return { initial, states, context };
}

/** A role instance of the compiled engine. */
export class CompiledRole implements RoleInstance {
  private readonly m: CompiledMachine;
  private ctx: ConcreteContext;
  private at: string;
  private stopped = false;

  constructor(
    decl: RoleDecl,
    env: Readonly<Record<string, Value>>,
    private readonly deps: () => EvalDeps,
  ) {
    this.m = compileMachine(decl.machine);
    // the instance's own environment, extended in place by its transitions (compiled-steps.ts)
    this.ctx = this.m.context({ ...env });
    this.at = this.m.initial;
  }

  send(event: RoleEvent, overlay?: EventOverlay): void {
    const s = this.m.states.get(this.at)!;
    if (s.final || this.stopped) return;
    const on = s.on.get(event.type);
    if (!on) return;
    const msg: Delivered | null = event.type === 'MSG' ? { from: event.from, label: event.label, bytes: event.bytes } : null;
    let deps = this.deps();
    const env = this.ctx.env as Record<string, Value>;
    // what a real party decided: values replaced for this event's transition (kept if it is
    // taken, as XState's step commits them; put back otherwise)
    const replaced: [string, Value | undefined][] = [];
    if (overlay) {
      const o = overlay;
      const base = deps;
      const verifier: EvalDeps['verifier'] = (sig, m, pk) => o.verifier?.(sig, m, pk) ?? base.verifier?.(sig, m, pk);
      deps = { ...base, ...(o.override ? { override: o.override } : {}), verifier };
      for (const [k, v] of Object.entries(o.patches ?? {})) (replaced.push([k, env[k]]), (env[k] = v));
    }
    let first: StepResult | null = null;
    for (const c of on.candidates) {
      const r = c.run(env, this.ctx.stored, msg, deps);
      first ??= r;
      if (!r.ok) continue;
      // the outbox and claims grow in place too (the run reads what is new by index)
      (this.ctx.outbox as WireMessage[]).push(...r.outbox);
      (this.ctx.claims as ClaimRecord<Value>[]).push(...r.claims);
      this.ctx = { ...this.ctx, env: r.env, stored: r.stored };
      this.at = c.target;
      return;
    }
    try {
      if (on.fallback === null) return;
      // reject(spec) records the failure of the spec it names (the first candidate's, as XState's
      // cached guard result), or 'unexpected' if that one would have been accepted
      const r = on.reject === on.candidates[0]?.spec && first ? first : on.reject ? compileTransition(on.reject)(this.ctx, msg, deps) : null;
      const failure = r && !r.ok ? r.failure : { label: on.reject?.label ?? this.at, code: 'unexpected' as const, message: 'no transition accepted the event' };
      this.ctx = { ...this.ctx, failure };
      this.at = on.fallback;
    } finally {
      for (let j = replaced.length - 1; j >= 0; j--) {
        const [k, v] = replaced[j]!;
        if (v === undefined) delete env[k];
        else env[k] = v;
      }
    }
  }

  get context(): ConcreteContext {
    return this.ctx;
  }

  get state(): string {
    return this.at;
  }

  get active(): boolean {
    return !this.stopped && !this.m.states.get(this.at)!.final;
  }

  stop(): void {
    this.stopped = true;
  }
}
