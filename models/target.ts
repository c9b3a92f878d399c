/**
 * Targets: what an interpreter is asked to run, verify or export — a protocol, one of its
 * variants (or none), and the bound. Every interpreter (the explorer, the attack replay, the
 * walk the Tamarin and ProVerif exporters read, the runtime, the pool workers) takes a resolved
 * `Target`: the request is validated here once, with one error class per kind of mistake
 * (`UnknownNameError` for a name, `BoundError` for a bound), the variant is applied once, and
 * the bound is fixed once. The one target list of a corpus and the one default bound live here.
 * @module
 */
import { type Protocol, type VariantDecl, UnknownNameError, applyVariant } from './protocol.ts';

/** Default bound of the explorer: two honest sessions per role (plus the attacker's own agent),
 * unless the protocol declares a smaller one (`Protocol.bound`). */
export const DEFAULT_SESSIONS = 2;

/**
 * The largest bound the explorer accepts. The search is exponential in the instances: two
 * sessions per role is the default, three already take a minute on the key exchange, and at
 * nine the state space of the smallest classic protocol does not fit in memory. Above this the
 * bound is an error, not a search that runs out of time or memory before it starts.
 */
export const MAX_SESSIONS = 8;

/** The largest `--runs` (Scyther's bound, properties/explorer/runs.ts): the instance kinds times
 * the runs are all in the scenario. */
export const MAX_RUNS = 8;

/** The bound a protocol is verified at unless the user says otherwise. */
export function defaultSessions(p: Protocol): number {
  return p.bound?.sessions ?? DEFAULT_SESSIONS;
}

/** A bound outside what the explorer accepts (see MAX_SESSIONS, MAX_RUNS). */
export class BoundError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'BoundError';
  }
}

/** The bound a user asks for: sessions per role, or Scyther's runs (one of them). */
export interface BoundRequest {
  readonly sessions?: number;
  readonly runs?: number;
}

/** A target's bound, fixed once. */
export interface Bound {
  /** honest sessions per role: the one asked for, or the protocol's default */
  readonly sessions: number;
  /** Scyther's bound instead of sessions per role: at most this many role instances in all,
   * any role, any agent (properties/explorer/runs.ts) */
  readonly runs?: number;
  /** the user chose it; otherwise it is the protocol's default, and the explorer adds a rung at
   * a replay variant's own bound (`VariantDecl.sessions`) and states a declared bound's reason */
  readonly chosen: boolean;
}

/** One (protocol, variant) pair of a corpus, not yet resolved. */
export interface TargetRef {
  readonly protocol: Protocol;
  /** undefined: the base protocol */
  readonly variant: string | undefined;
}

/** Every (protocol, variant) pair of a corpus, in the one order: each protocol, then its variants. */
export function allTargets(corpus: readonly Protocol[]): TargetRef[] {
  return corpus.flatMap((p) => [{ protocol: p, variant: undefined }, ...p.variants.map((v) => ({ protocol: p, variant: v.id as string | undefined }))]);
}

/** A validated target: the protocol with its variant applied, and the bound. */
export interface Target {
  /** the protocol as declared (what "the correct protocol" of a variant is) */
  readonly base: Protocol;
  /** the protocol with the variant's edit applied (the base protocol if none) */
  readonly protocol: Protocol;
  readonly variant: VariantDecl | undefined;
  readonly bound: Bound;
}

/** The protocol of that name in a corpus; UnknownNameError names what does exist. */
export function protocolNamed(corpus: readonly Protocol[], name: string): Protocol {
  const p = corpus.find((x) => x.name === name);
  if (!p) throw new UnknownNameError('protocol', name, corpus.map((x) => x.name));
  return p;
}

function checkWhole(what: string, n: number, max: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new BoundError(`${what} must be a whole number from 1 to ${max}, got ${n}`);
}

/** The target of a protocol: `variantId` applied (UnknownNameError if it has none of that id,
 * or the variant's edit error), the bound checked (BoundError) or the protocol's default. */
export function targetOf(base: Protocol, variantId?: string, bound?: BoundRequest): Target {
  const { protocol, variant } = applyVariant(base, variantId);
  if (bound?.sessions !== undefined) checkWhole('sessions per role', bound.sessions, MAX_SESSIONS);
  if (bound?.runs !== undefined) checkWhole('runs', bound.runs, MAX_RUNS);
  if (bound?.runs !== undefined && bound.sessions !== undefined) throw new BoundError('runs and sessions are two kinds of bound: give one');
  const chosen = bound?.sessions !== undefined || bound?.runs !== undefined;
  return {
    base,
    protocol,
    variant,
    bound: { sessions: bound?.sessions ?? defaultSessions(base), ...(bound?.runs !== undefined ? { runs: bound.runs } : {}), chosen },
  };
}

/** Resolve a request against a corpus: the protocol by name, then `targetOf`. */
export function resolveTarget(corpus: readonly Protocol[], name: string, variantId?: string, bound?: BoundRequest): Target {
  return targetOf(protocolNamed(corpus, name), variantId, bound);
}

/** The same target at another number of sessions per role (a rung of the explorer's ladder, a
 * replay variant's own bound); the variant is not applied again. */
export function atSessions(t: Target, sessions: number): Target {
  checkWhole('sessions per role', sessions, MAX_SESSIONS);
  return { ...t, bound: { ...t.bound, sessions } };
}

/** What a target was resolved from, as plain data (a worker thread resolves it again: machines
 * are code and do not cross threads). */
export interface TargetRequest {
  readonly protocol: string;
  readonly variant: string | undefined;
  readonly bound: BoundRequest | undefined;
}
export function targetRequest(t: Target): TargetRequest {
  const { sessions, runs, chosen } = t.bound;
  return { protocol: t.base.name, variant: t.variant?.id, bound: chosen ? (runs !== undefined ? { runs } : { sessions }) : undefined };
}

/** `name` or `name variant`, as reports and progress lines name a target. */
export function targetName(t: Target | TargetRef): string {
  const variant = typeof t.variant === 'string' ? t.variant : t.variant?.id;
  const name = 'base' in t ? t.base.name : t.protocol.name;
  return variant ? `${name} ${variant}` : name;
}
