/**
 * A concrete run of a protocol: each role instance is a local actor of the role's machine
 * (local-role.ts) or a party endpoint backed by something real (endpoint.ts: a TPM through its
 * TSS), connected by a `Network` whose deliveries the caller controls. One scheduler for both:
 * `runHonest()` delivers in order (`runHonestAsync()` when an endpoint is in the run); one claim
 * log: every instance's claims in the order they are made.
 * @module
 */
import type { Protocol } from '../../models/protocol.ts';
import { recvOf } from '../../models/steps.ts';
import { roleOf } from '../../models/role.ts';
import type { ClaimRecord, Failure } from '../../models/role.ts';
import { type CryptoSuite, type RandomSource, seededRandom, systemRandom, tpm2P256 } from '../crypto/index.ts';
import type { Value } from '../wire/value.ts';
import type { EvalDeps } from './evaluate.ts';
import type { WireMessage } from './execute.ts';
import type { EndpointFailure, PartyEndpoint } from './endpoint.ts';
import { type RoleEngine, type RoleInstance, DEFAULT_ENGINE, localRole } from './role-engine.ts';
import { type Envelope, Network } from './network.ts';
import { type Enrolment, LongTermStore, agentsOf, initialEnv } from './setup.ts';

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
  /** per role: values the role's own application supplies for its `fresh` variables, by name
   * (e.g. the data records of the channel a TEE application streams); others are random */
  readonly inputs?: Readonly<Record<string, (variable: string) => Value | undefined>>;
  /** per role: the endpoint that plays its (one) instance instead of a local actor */
  readonly endpoints?: Readonly<Record<string, PartyEndpoint>>;
  /** signature verdicts for every local party before the suite's (EvalDeps.verifier) — e.g. a
   * TPM attestation verifier when a real TPM is in the run */
  readonly verifier?: EvalDeps['verifier'];
  /** an enrolment kept from an earlier run (setup.ts): its long-term values and initial
   * environments instead of new ones — a deployment enrolled once (benchmarks of repeated runs) */
  readonly enrolment?: Enrolment;
  /** what runs the local role instances (role-engine.ts): the machines compiled into step
   * functions (default) or XState actors of them (the reference) */
  readonly engine?: RoleEngine;
}

export interface InstanceSpec {
  readonly role: string;
  readonly session: number;
  /** agent variable → agent name; unspecified ones come from the deployment */
  readonly agents?: Readonly<Record<string, string>>;
}

/** A claim as the run's one claim log holds it: the role instance's claim (concrete values) and
 * where it was made. */
export interface LoggedClaim extends ClaimRecord<Value> {
  readonly seq: number;
  /** the role instance, `TEE#1` */
  readonly instance: string;
  readonly session: number;
  readonly role: string;
  readonly agent: string;
  /** every agent the instance names (itself included): it is honest iff all of them are
   * (absent: just `agent`) */
  readonly agents?: readonly string[];
}

export interface PartyState {
  readonly instance: string;
  readonly session: number;
  readonly role: string;
  readonly agent: string;
  readonly state: string;
  readonly done: boolean;
  readonly failure: Failure | EndpointFailure | null;
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
  /** exactly one of the two */
  readonly local: RoleInstance | null;
  readonly endpoint: PartyEndpoint | null;
  readonly agents: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, Value>>;
  /** every agent the instance names (LoggedClaim.agents), computed once */
  readonly named: readonly string[];
  seenOut: number;
  seenClaims: number;
}

/** Per machine (read once, machines are immutable): state → labels of the messages it waits for there. */
const WAITS_FOR = new WeakMap<object, Map<string, Set<string>>>();
function waitsForOf(machine: Protocol['roles'][number]['machine']): Map<string, Set<string>> {
  let m = WAITS_FOR.get(machine);
  if (m) return m;
  m = new Map();
  for (const t of roleOf(machine).transitions) {
    const r = recvOf(t);
    if (r) m.set(t.from, (m.get(t.from) ?? new Set()).add(r.label));
  }
  WAITS_FOR.set(machine, m);
  return m;
}

/** What the run reads of a party, local or endpoint alike. */
function view(p: Party): { state: string; active: boolean; outbox: readonly WireMessage[]; claims: readonly ClaimRecord<Value>[]; stored: Readonly<Record<string, Value>>; failure: Failure | EndpointFailure | null } {
  if (p.endpoint) return p.endpoint.snapshot();
  const l = p.local!;
  const ctx = l.context;
  return { state: l.state, active: l.active, outbox: ctx.outbox, claims: ctx.claims, stored: ctx.stored, failure: ctx.failure };
}

export class ProtocolRun {
  readonly network = new Network();
  readonly claims: LoggedClaim[] = [];
  readonly undeliverable: Undeliverable[] = [];
  readonly sinks: Envelope[] = [];
  private readonly parties = new Map<string, Party>();
  /** the evaluation context (suite, randomness) — an attacker replaying a trace computes with it */
  deps: EvalDeps;
  readonly longTerm: LongTermStore;
  private seq = 0;
  /** per role: state → labels of the messages it waits for there (read from the machine) */
  private readonly waitsFor = new Map<string, Map<string, Set<string>>>();
  /** the protocol's role names (a message to anything else goes to the sinks) */
  private readonly roleNames: ReadonlySet<string>;
  /** the engine of the local role instances (and of an endpoint's own copy of its machine) */
  readonly engine: RoleEngine;

  constructor(
    readonly protocol: Protocol,
    opts: RunOptions = {},
  ) {
    this.engine = opts.engine ?? DEFAULT_ENGINE;
    this.roleNames = new Set(protocol.roles.map((r) => r.role));
    const rng: RandomSource = opts.seed === undefined ? systemRandom() : seededRandom(opts.seed);
    this.deps = { suite: opts.suite ?? tpm2P256, rng };
    this.longTerm = opts.enrolment?.store(protocol, this.deps) ?? new LongTermStore(protocol, this.deps);
    const deployment = opts.deployment ?? protocol.deployment;
    const sessions = opts.sessions ?? 1;
    if (opts.skipChecks?.length) this.deps = { ...this.deps, skipChecks: new Set(opts.skipChecks) };
    if (opts.verifier) this.deps = { ...this.deps, verifier: opts.verifier };
    for (const decl of protocol.roles) this.waitsFor.set(decl.role, waitsForOf(decl.machine));
    const specs: InstanceSpec[] =
      opts.instances?.slice() ?? Array.from({ length: sessions }, (_, i) => protocol.roles.map((r) => ({ role: r.role, session: i + 1 }))).flat();
    for (const spec of specs) {
      const decl = protocol.roles.find((r) => r.role === spec.role);
      if (!decl) throw new Error(`no role '${spec.role}' in ${protocol.name}`);
      const agents = { ...agentsOf(decl, deployment), ...spec.agents };
      const env = opts.enrolment
        ? opts.enrolment.initialEnv(protocol, decl, agents, this.longTerm, this.deps, opts.given?.[decl.role])
        : initialEnv(decl, agents, this.longTerm, this.deps, opts.given?.[decl.role]);
      const endpoint = opts.endpoints?.[decl.role] ?? null;
      if (endpoint && [...this.parties.values()].some((p) => p.endpoint === endpoint)) throw new Error(`the endpoint of ${decl.role} plays one instance only`);
      const input = opts.inputs?.[decl.role];
      const local = endpoint ? null : localRole(decl, env, input ? () => ({ ...this.deps, override: input }) : () => this.deps, this.engine);
      const instance = `${decl.role}#${spec.session}`;
      if (this.parties.has(instance)) throw new Error(`two instances named ${instance}`);
      this.parties.set(instance, { instance, session: spec.session, role: decl.role, agent: agents['self']!, local, endpoint, agents, env, named: [...new Set(Object.values(agents))], seenOut: 0, seenClaims: 0 });
    }
  }

  /** Collect what a party produced in its last step: messages onto the network, claims into the
   * log. Called after every step of every party, so it reads only what is new. */
  private collect(p: Party): void {
    const ctx = view(p);
    const outbox = ctx.outbox;
    for (let i = p.seenOut; i < outbox.length; i++) {
      const out = outbox[i]!;
      const env = this.network.post(p.role, out.to, out.label, out.bytes, 'party', p.session);
      if (!this.roleNames.has(out.to)) {
        // addressed outside the protocol's roles (host storage, a TA): observed, never delivered
        this.network.take(env.id);
        this.sinks.push(env);
      }
    }
    p.seenOut = outbox.length;
    const claims = ctx.claims;
    for (let i = p.seenClaims; i < claims.length; i++) {
      const c = claims[i]!;
      this.claims.push({ ...c, seq: this.seq++, instance: p.instance, session: p.session, role: p.role, agent: p.agent, agents: p.named });
    }
    p.seenClaims = claims.length;
  }

  /** Send START to every initiator instance (of every session, or of one). */
  start(session?: number): void {
    for (const p of this.parties.values()) {
      if (session !== undefined && p.session !== session) continue;
      if (!this.protocol.roles.find((r) => r.role === p.role)!.initiator) continue;
      this.local(p).send({ type: 'START' });
      this.collect(p);
    }
  }

  /** Begin every endpoint (in creation order), then START every initiator, endpoints included. */
  async startAsync(): Promise<void> {
    for (const p of this.parties.values()) {
      if (!p.endpoint) continue;
      const decl = this.protocol.roles.find((r) => r.role === p.role)!;
      await p.endpoint.begin({
        protocol: this.protocol,
        decl,
        deps: this.deps,
        longTerm: this.longTerm,
        agents: p.agents,
        env: p.env,
        engine: this.engine,
        environmentOf: (role) => this.environmentOf(`${role}#${p.session}`),
      });
      this.collect(p);
    }
    for (const p of this.parties.values()) {
      if (!this.protocol.roles.find((r) => r.role === p.role)!.initiator) continue;
      if (p.endpoint) await p.endpoint.start();
      else p.local!.send({ type: 'START' });
      this.collect(p);
    }
  }

  /** The local actor of an instance (the synchronous paths; an endpoint needs the async ones). */
  private local(p: Party): RoleInstance {
    if (!p.local) throw new Error(`${p.instance} is played by an endpoint (${p.endpoint!.party}): use the async scheduler`);
    return p.local;
  }

  /** Send START to one instance (a replayed trace starts instances when the trace does). */
  startInstance(instance: string): void {
    const p = this.parties.get(instance);
    if (!p) throw new Error(`no instance ${instance}`);
    this.local(p).send({ type: 'START' });
    this.collect(p);
  }

  /** The current environment (variable → value) of an instance. For a component inside that
   * party's trust boundary only — e.g. the TEE's own TPM software stack (impl/tpm2-bridge). */
  environmentOf(instance: string): Readonly<Record<string, Value>> {
    const p = this.parties.get(instance);
    if (!p) throw new Error(`no instance ${instance}`);
    if (!p.local) throw new Error(`${instance} is an endpoint: its environment is its own`);
    return p.local.context.env;
  }

  /** The endpoint playing `role`'s instance, if one does. */
  endpointOf(role: string): PartyEndpoint | undefined {
    return [...this.parties.values()].find((p) => p.role === role && p.endpoint)?.endpoint ?? undefined;
  }

  /** Role instances, in creation order (`TEE#1`, `TPM#1`, `TEE#2`, …). */
  instances(): string[] {
    return [...this.parties.keys()];
  }

  /** Deliver pending message `id` to an instance of its receiver role: by default the one of the
   * sender's session; an attacker may route it to any instance of that role. */
  deliver(id: number, toInstance?: string): void {
    const p = this.receiver(id, toInstance);
    if (!p) return;
    const env = this.network.take(id);
    if (!this.stillActive(p, env)) return;
    this.local(p).send({ type: 'MSG', from: env.from, label: env.label, bytes: env.bytes });
    this.collect(p);
  }

  /** `deliver` to a local actor or an endpoint (whose answer may take a while). */
  async deliverAsync(id: number, toInstance?: string): Promise<void> {
    const p = this.receiver(id, toInstance);
    if (!p) return;
    const env = this.network.take(id);
    if (!this.stillActive(p, env)) return;
    if (p.endpoint) await p.endpoint.handle({ from: env.from, label: env.label, bytes: env.bytes });
    else p.local!.send({ type: 'MSG', from: env.from, label: env.label, bytes: env.bytes });
    this.collect(p);
  }

  /** The instance message `id` goes to; null (and the message taken to the sinks) if none. */
  private receiver(id: number, toInstance?: string): Party | null {
    const env = this.network.pending().find((e) => e.id === id);
    if (!env) return (this.network.take(id), null); // take() names the missing message
    const p = this.parties.get(toInstance ?? `${env.to}#${env.session}`);
    if (!p || p.role !== env.to) {
      if (toInstance && p) throw new Error(`message #${id} is for ${env.to}, not ${toInstance}`);
      this.sinks.push(this.network.take(id));
      return null;
    }
    return p;
  }

  private stillActive(p: Party, env: Envelope): boolean {
    const v = view(p);
    if (v.active) return true;
    this.undeliverable.push({ id: env.id, to: env.to, reason: `${env.to} has already stopped (${v.state})` });
    return false;
  }

  /** Is the receiving instance (by default: of the sender's session) waiting for this message's
   * label now? Parties take the message they wait for and leave others queued (selective
   * receive, as a party reading its own mailbox does); the label is routing metadata only. */
  acceptsNow(env: Envelope, toInstance?: string): boolean {
    const p = this.parties.get(toInstance ?? `${env.to}#${env.session}`);
    if (!p) return true; // a sink
    if (p.endpoint) return p.endpoint.snapshot().active && p.endpoint.waitsFor(env.label);
    return p.local!.active && (this.waitsFor.get(p.role)?.get(p.local!.state)?.has(env.label) ?? false);
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

  /** `runHonest` for a run with endpoints. */
  async runHonestAsync(maxSteps = 1000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      const next = this.deliverable()[0] ?? this.network.pending()[0];
      if (!next) return;
      await this.deliverAsync(next.id);
    }
  }

  partyStates(): PartyState[] {
    return [...this.parties.values()].map((p) => {
      const v = view(p);
      return { instance: p.instance, session: p.session, role: p.role, agent: p.agent, state: v.state, done: v.state === 'done', failure: v.failure, stored: v.stored };
    });
  }

  stop(): void {
    for (const p of this.parties.values()) p.local?.stop();
  }
}
