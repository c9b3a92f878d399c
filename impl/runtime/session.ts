/**
 * A concrete run of a protocol: each role instance is an XState actor of the role's machine,
 * given real-crypto implementations with `machine.provide(...)`, connected by a `Network` whose
 * deliveries the caller controls. `runHonest()` is the scheduler that simply delivers in order.
 *
 * The guard `accepts(spec)` executes the whole transition (decode, match, checks, crypto) and
 * caches the result for that event; the `step` action commits it with `assign`, and `reject`
 * records the typed failure. Nothing of the protocol is written here: it is all in `spec`.
 * @module
 */
import { type AnyActorRef, assign, createActor } from 'xstate';
import type { Protocol } from '../../models/protocol.ts';
import { recvOf } from '../../models/steps.ts';
import { roleOf } from '../../models/role.ts';
import type { ClaimRecord, Failure, RoleContext, RoleEvent } from '../../models/role.ts';
import type { TransitionSpec } from '../../models/steps.ts';
import { type CryptoSuite, type RandomSource, seededRandom, systemRandom, tpm2P256 } from '../crypto/index.ts';
import type { Value } from '../wire/value.ts';
import type { EvalDeps } from './evaluate.ts';
import { type Delivered, type StepResult, type WireMessage, executeTransition } from './execute.ts';
import { type Envelope, Network } from './network.ts';
import { LongTermStore, agentsOf, initialEnv } from './setup.ts';

export interface RunOptions {
  /** deterministic randomness (HMAC_DRBG seeded with this); default: system randomness */
  readonly seed?: number;
  readonly suite?: CryptoSuite;
  /** agents playing each role (default: the protocol's deployment) */
  readonly deployment?: Readonly<Record<string, string>>;
  /** concurrent sessions: one instance of every role per session (default 1) */
  readonly sessions?: number;
  /** explicit role instances instead of `sessions` × roles: each with its session number and the
   * agent of each agent variable (e.g. a TTP session attesting the attacker's own node `E`) */
  readonly instances?: readonly InstanceSpec[];
  /** TEST ONLY: labels of checks this implementation skips (a deliberately weakened build,
   * used to show that the property tests catch a missing check) */
  readonly skipChecks?: readonly string[];
  /** per role: values of long-term references supplied from outside the store (see
   * `initialEnv`) — e.g. a real TPM's keys and reference PCR state (impl/tpm2-bridge) */
  readonly given?: Readonly<Record<string, Readonly<Record<string, Value>>>>;
}

export interface InstanceSpec {
  readonly role: string;
  readonly session: number;
  /** agent variable → agent name; unspecified ones come from the deployment */
  readonly agents?: Readonly<Record<string, string>>;
}

export interface ClaimEvent extends ClaimRecord {
  readonly seq: number;
  /** the role instance, `TEE#1` */
  readonly instance: string;
  readonly session: number;
  readonly role: string;
  readonly agent: string;
  readonly data: Value;
  readonly peer: Value | null;
}

export interface PartyState {
  readonly instance: string;
  readonly session: number;
  readonly role: string;
  readonly agent: string;
  readonly state: string;
  readonly done: boolean;
  readonly failure: Failure | null;
  readonly stored: Readonly<Record<string, Value>>;
}

/** A message that reached a party that had already stopped (done or failed). */
export interface Undeliverable {
  readonly id: number;
  readonly to: string;
  readonly reason: string;
}

interface Party {
  readonly instance: string;
  readonly session: number;
  readonly role: string;
  readonly agent: string;
  readonly actor: AnyActorRef;
  seenOut: number;
  seenClaims: number;
}

export class ProtocolRun {
  readonly network = new Network();
  readonly claims: ClaimEvent[] = [];
  readonly undeliverable: Undeliverable[] = [];
  readonly sinks: Envelope[] = [];
  private readonly parties = new Map<string, Party>();
  /** the evaluation context (suite, randomness) — an attacker replaying a trace computes with it */
  deps: EvalDeps;
  readonly longTerm: LongTermStore;
  private seq = 0;
  private readonly results = new WeakMap<object, Map<TransitionSpec, StepResult>>();
  /** per role: state → labels of the messages it waits for there (read from the machine) */
  private readonly waitsFor = new Map<string, Map<string, Set<string>>>();

  constructor(
    readonly protocol: Protocol,
    opts: RunOptions = {},
  ) {
    const rng: RandomSource = opts.seed === undefined ? systemRandom() : seededRandom(opts.seed);
    this.deps = { suite: opts.suite ?? tpm2P256, rng };
    this.longTerm = new LongTermStore(protocol, this.deps);
    const deployment = opts.deployment ?? protocol.deployment;
    const sessions = opts.sessions ?? 1;
    if (opts.skipChecks?.length) this.deps = { ...this.deps, skipChecks: new Set(opts.skipChecks) };
    const machines = new Map(protocol.roles.map((decl) => [decl.role, this.concreteMachine(decl.machine)]));
    for (const decl of protocol.roles) {
      const m = new Map<string, Set<string>>();
      for (const t of roleOf(decl.machine).transitions) {
        const r = recvOf(t);
        if (r) m.set(t.from, (m.get(t.from) ?? new Set()).add(r.label));
      }
      this.waitsFor.set(decl.role, m);
    }
    const specs: InstanceSpec[] =
      opts.instances?.slice() ?? Array.from({ length: sessions }, (_, i) => protocol.roles.map((r) => ({ role: r.role, session: i + 1 }))).flat();
    for (const spec of specs) {
      const decl = protocol.roles.find((r) => r.role === spec.role);
      if (!decl) throw new Error(`no role '${spec.role}' in ${protocol.name}`);
      const agents = { ...agentsOf(decl, deployment), ...spec.agents };
      const env = initialEnv(decl, agents, this.longTerm, this.deps, opts.given?.[decl.role]);
      const actor = createActor(machines.get(decl.role)!, { input: { env } });
      actor.start();
      const instance = `${decl.role}#${spec.session}`;
      if (this.parties.has(instance)) throw new Error(`two instances named ${instance}`);
      this.parties.set(instance, { instance, session: spec.session, role: decl.role, agent: agents['self']!, actor, seenOut: 0, seenClaims: 0 });
    }
  }

  /** The role's machine with the real-crypto implementations of its guard and actions. */
  private concreteMachine(abstract: Protocol['roles'][number]['machine']) {
    return abstract.provide({
        guards: { accepts: ({ context, event }: { context: RoleContext; event: RoleEvent }, spec: TransitionSpec) => this.result(spec, context, event).ok },
        actions: {
          step: assign(({ context, event }: { context: RoleContext; event: RoleEvent }, spec: TransitionSpec) => {
            const r = this.result(spec, context, event);
            if (!r.ok) return {};
            return { env: r.env, outbox: [...context.outbox, ...r.outbox], claims: [...context.claims, ...r.claims], stored: r.stored };
          }),
          reject: assign(({ context, event }: { context: RoleContext; event: RoleEvent }, spec: TransitionSpec) => {
            const r = this.result(spec, context, event);
            return { failure: r.ok ? { label: spec.label, code: 'unexpected' as const, message: 'no transition accepted the event' } : r.failure };
          }),
        },
      } as never);
  }

  private result(spec: TransitionSpec, ctx: RoleContext, event: RoleEvent): StepResult {
    let m = this.results.get(event);
    if (!m) this.results.set(event, (m = new Map()));
    let r = m.get(spec);
    if (!r) {
      const msg: Delivered | null = event.type === 'MSG' ? { from: event.from, label: event.label, bytes: event.bytes } : null;
      r = executeTransition(spec, ctx, msg, this.deps);
      m.set(spec, r);
    }
    return r;
  }

  /** Collect what a party produced in its last step: messages onto the network, claims into the log. */
  private collect(p: Party): void {
    const ctx = p.actor.getSnapshot().context as RoleContext;
    for (const out of ctx.outbox.slice(p.seenOut) as WireMessage[]) {
      const env = this.network.post(p.role, out.to, out.label, out.bytes, 'party', p.session);
      if (!this.protocol.roles.some((r) => r.role === out.to)) {
        // addressed outside the protocol's roles (host storage, a TA): observed, never delivered
        this.network.take(env.id);
        this.sinks.push(env);
      }
    }
    p.seenOut = ctx.outbox.length;
    for (const c of ctx.claims.slice(p.seenClaims)) {
      this.claims.push({ ...c, seq: this.seq++, instance: p.instance, session: p.session, role: p.role, agent: p.agent, data: c.data as Value, peer: c.peer as Value | null });
    }
    p.seenClaims = ctx.claims.length;
  }

  /** Send START to every initiator instance (of every session, or of one). */
  start(session?: number): void {
    for (const p of this.parties.values()) {
      if (session !== undefined && p.session !== session) continue;
      if (!this.protocol.roles.find((r) => r.role === p.role)!.initiator) continue;
      p.actor.send({ type: 'START' });
      this.collect(p);
    }
  }

  /** Send START to one instance (a replayed trace starts instances when the trace does). */
  startInstance(instance: string): void {
    const p = this.parties.get(instance);
    if (!p) throw new Error(`no instance ${instance}`);
    p.actor.send({ type: 'START' });
    this.collect(p);
  }

  /** The current environment (variable → value) of an instance. For a component inside that
   * party's trust boundary only — e.g. the TEE's own TPM software stack (impl/tpm2-bridge). */
  environmentOf(instance: string): Readonly<Record<string, Value>> {
    const p = this.parties.get(instance);
    if (!p) throw new Error(`no instance ${instance}`);
    return (p.actor.getSnapshot().context as RoleContext).env as Record<string, Value>;
  }

  /** Role instances, in creation order (`TEE#1`, `TPM#1`, `TEE#2`, …). */
  instances(): string[] {
    return [...this.parties.keys()];
  }

  /** Deliver pending message `id` to an instance of its receiver role: by default the one of the
   * sender's session; an attacker may route it to any instance of that role. */
  deliver(id: number, toInstance?: string): void {
    const env = this.network.take(id);
    const target = toInstance ?? `${env.to}#${env.session}`;
    const p = this.parties.get(target);
    if (!p || p.role !== env.to) {
      if (toInstance && p) throw new Error(`message #${id} is for ${env.to}, not ${toInstance}`);
      this.sinks.push(env);
      return;
    }
    const snap = p.actor.getSnapshot();
    if (snap.status !== 'active') {
      this.undeliverable.push({ id, to: env.to, reason: `${env.to} has already stopped (${String(snap.value)})` });
      return;
    }
    p.actor.send({ type: 'MSG', from: env.from, label: env.label, bytes: env.bytes });
    this.collect(p);
  }

  /** Is the receiving instance (by default: of the sender's session) waiting for this message's
   * label now? Parties take the message they wait for and leave others queued (selective
   * receive, as a party reading its own mailbox does); the label is routing metadata only. */
  acceptsNow(env: Envelope, toInstance?: string): boolean {
    const p = this.parties.get(toInstance ?? `${env.to}#${env.session}`);
    if (!p) return true; // a sink
    const snap = p.actor.getSnapshot();
    return snap.status === 'active' && (this.waitsFor.get(p.role)?.get(String(snap.value))?.has(env.label) ?? false);
  }

  /** Pending messages their receivers can take now. */
  deliverable(): Envelope[] {
    return this.network.pending().filter((e) => this.acceptsNow(e));
  }

  /** Deliver, oldest first, messages their receivers wait for; when none is awaited, the oldest
   * (so a protocol that deadlocks shows the failure). Stops when nothing is pending. */
  runHonest(maxSteps = 1000): void {
    for (let i = 0; i < maxSteps; i++) {
      const next = this.deliverable()[0] ?? this.network.pending()[0];
      if (!next) return;
      this.deliver(next.id);
    }
  }

  partyStates(): PartyState[] {
    return [...this.parties.values()].map((p) => {
      const snap = p.actor.getSnapshot();
      const ctx = snap.context as RoleContext;
      const state = String(snap.value);
      return { instance: p.instance, session: p.session, role: p.role, agent: p.agent, state, done: state === 'done', failure: ctx.failure, stored: ctx.stored as Record<string, Value> };
    });
  }

  stop(): void {
    for (const p of this.parties.values()) p.actor.stop();
  }
}
