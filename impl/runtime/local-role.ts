/**
 * The reference engine (role-engine.ts `xstate`): a role instance run locally as an XState
 * actor of the role's machine, given real-crypto implementations with `machine.provide(...)`.
 * The guard `accepts(spec)` executes the whole transition (decode, match, checks, crypto) and
 * caches the result for that event; the `step` action commits it with `assign`, and `reject`
 * records the typed failure. Nothing of the protocol is written here: it is all in `spec`.
 *
 * An event may carry what something real decided for its transition (`EventOverlay`: values for
 * the transition's `fresh`/`let` variables, signature verdicts, environment values replaced
 * before it runs) — the way a party endpoint backed by a real TPM hands the TPM's decisions to
 * the role's own transitions (impl/tpm2-bridge).
 * @module
 */
import { type Actor, createActor } from 'xstate';
import type { RoleDecl } from '../../models/protocol.ts';
import { type RoleContext, type RoleEvent, type RoleMachine, implement } from '../../models/role.ts';
import type { TransitionSpec } from '../../models/steps.ts';
import type { Value } from '../wire/value.ts';
import type { EvalDeps } from './evaluate.ts';
import { type Delivered, type StepResult, type WireMessage, executeTransition } from './execute.ts';
import type { EventOverlay, RoleInstance } from './role-engine.ts';

export type { EventOverlay };

/** The role instance whose actor is processing an event now. XState runs a guard or action
 * synchronously inside `actor.start()` / `actor.send()`, and nothing in them sends to another
 * actor, so one slot suffices; it lets one concrete machine serve every instance of a role. */
let current: LocalRole | null = null;

/** The runtime's view of a role instance's context: concrete values, messages with their bytes. */
export type ConcreteContext = RoleContext<Value, WireMessage>;
type ConcreteMachine = RoleMachine<Value, WireMessage>;

/** One concrete machine per abstract role machine (building a machine — `provide` — is about as
 * costly as a whole transition; before, every run built one per role instance). */
const CONCRETE = new WeakMap<RoleMachine, ConcreteMachine>();

function concreteMachine(abstract: RoleMachine): ConcreteMachine {
  let m = CONCRETE.get(abstract);
  if (m) return m;
  const role = (): LocalRole => {
    if (!current) throw new Error('a role machine ran outside LocalRole.send');
    return current;
  };
  m = implement<Value, WireMessage>(abstract, {
    accepts: (context, event, spec) => role().result(spec, context, event).ok,
    step: (context, event, spec) => {
      const r = role().result(spec, context, event);
      if (!r.ok) return {};
      return { env: r.env, outbox: [...context.outbox, ...r.outbox], claims: [...context.claims, ...r.claims], stored: r.stored };
    },
    reject: (context, event, spec) => {
      const r = role().result(spec, context, event);
      return r.ok ? { label: spec.label, code: 'unexpected', message: 'no transition accepted the event' } : r.failure;
    },
  });
  CONCRETE.set(abstract, m);
  return m;
}

export class LocalRole implements RoleInstance {
  readonly actor: Actor<ConcreteMachine>;
  private readonly results = new WeakMap<object, Map<TransitionSpec, StepResult>>();
  private readonly overlays = new WeakMap<object, EventOverlay>();

  constructor(
    decl: RoleDecl,
    env: Readonly<Record<string, Value>>,
    private readonly deps: () => EvalDeps,
  ) {
    this.actor = createActor(concreteMachine(decl.machine), { input: { env } });
    this.within(() => this.actor.start());
  }

  /** Run `f` (an actor's start or send) with this instance as the machine's implementation. */
  private within(f: () => void): void {
    const outer = current;
    current = this;
    try {
      f();
    } finally {
      current = outer;
    }
  }

  /** Send an event, with what a real party decided for it. */
  send(event: RoleEvent, overlay?: EventOverlay): void {
    if (overlay) this.overlays.set(event, overlay);
    this.within(() => this.actor.send(event));
  }

  get context(): ConcreteContext {
    return this.actor.getSnapshot().context;
  }

  get state(): string {
    return String(this.actor.getSnapshot().value);
  }

  get active(): boolean {
    return this.actor.getSnapshot().status === 'active';
  }

  stop(): void {
    this.actor.stop();
  }

  /** The transition's result for this event (executed once, read by the guard and the action). */
  result(spec: TransitionSpec, ctx: ConcreteContext, event: RoleEvent): StepResult {
    let m = this.results.get(event);
    if (!m) this.results.set(event, (m = new Map()));
    let r = m.get(spec);
    if (!r) {
      const msg: Delivered | null = event.type === 'MSG' ? { from: event.from, label: event.label, bytes: event.bytes } : null;
      const o = this.overlays.get(event);
      const deps = this.deps();
      if (!o) r = executeTransition(spec, ctx, msg, deps);
      else {
        const verifier: EvalDeps['verifier'] = (sig, m, pk) => o.verifier?.(sig, m, pk) ?? deps.verifier?.(sig, m, pk);
        const withO: EvalDeps = { ...deps, ...(o.override ? { override: o.override } : {}), verifier };
        r = executeTransition(spec, { ...ctx, env: { ...ctx.env, ...o.patches } }, msg, withO);
      }
      m.set(spec, r);
    }
    return r;
  }
}
