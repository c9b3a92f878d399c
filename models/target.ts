/**
 * Targets: what an interpreter is asked to run, verify or export — a protocol, one of its
 * variants (or none), and the bound. The one target list of a corpus and the one default bound
 * live here; `resolveTarget` validates a (corpus, name, variant, sessions) request once, with one
 * error class (UnknownNameError), and applies the variant once.
 *
 * Adopted so far: the target list (`allTargets` of the explorer, `targetsOf` of the exporters)
 * and the default bound (`defaultSessions` of `tcv verify`). Not yet: every interpreter taking a
 * resolved Target (issue 14, item 4).
 * @module
 */
import { type Protocol, type VariantDecl, UnknownNameError, applyVariant } from './protocol.ts';

/** Default bound of the explorer: two honest sessions per role (plus the attacker's own agent),
 * unless the protocol declares a smaller one (`Protocol.bound`). */
export const DEFAULT_SESSIONS = 2;

/** The bound a protocol is verified at unless the user says otherwise. */
export function defaultSessions(p: Protocol): number {
  return p.bound?.sessions ?? DEFAULT_SESSIONS;
}

/** One (protocol, variant) pair of a corpus. */
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
  /** sessions per role: the one given, or the protocol's default */
  readonly sessions: number;
}

/** Resolve a request against a corpus; UnknownNameError names what does exist. */
export function resolveTarget(corpus: readonly Protocol[], name: string, variantId?: string, sessions?: number): Target {
  const base = corpus.find((p) => p.name === name);
  if (!base) throw new UnknownNameError('protocol', name, corpus.map((p) => p.name));
  const { protocol, variant } = applyVariant(base, variantId);
  if (sessions !== undefined && (!Number.isInteger(sessions) || sessions < 1)) throw new RangeError(`sessions must be a positive integer, got ${sessions}`);
  return { base, protocol, variant, sessions: sessions ?? defaultSessions(base) };
}
