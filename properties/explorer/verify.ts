/**
 * The explorer's entry point: verify one protocol (or one variant of it) and report each
 * property's verdict next to the expectation the model declares (`expectedVerdict`), with the
 * attack trace as data. This is the JSON `tcv verify --json` prints.
 * @module
 */
import { type Protocol, expectedVerdict } from '../../models/protocol.ts';
import { type ExploreOptions, type Verdict, explore } from './search.ts';
import { type TraceData, traceData } from './trace.ts';

export interface PropertyReport {
  readonly id: string;
  readonly kind: string;
  readonly expected: 'holds' | 'attack';
  readonly verdict: Verdict;
  readonly trace: TraceData | null;
}

export interface VerifyReport {
  readonly protocol: string;
  /** null for the base protocol */
  readonly variant: string | null;
  /** what was searched; `holds` means: no attack within this bound */
  readonly bound: string;
  readonly properties: readonly PropertyReport[];
  readonly stats: { readonly states: number; readonly ms: number; readonly cut?: string };
}

/** Default bound: see `scenario.ts` and the README section. */
export const DEFAULT_SESSIONS = 1;

export function verifyProtocol(p: Protocol, variantId: string | undefined, opts: ExploreOptions = {}): VerifyReport {
  const variant = variantId === undefined ? undefined : p.variants.find((x) => x.id === variantId);
  const r = explore(p, variantId, { sessions: DEFAULT_SESSIONS, ...opts });
  const properties = p.properties.map((prop) => {
    const v = r.verdicts.get(prop.id)!;
    return {
      id: prop.id,
      kind: prop.kind,
      expected: expectedVerdict(p, prop.id, variant),
      verdict: v.verdict,
      trace: v.finding ? traceData(r.scenario, v.finding) : null,
    };
  });
  return {
    protocol: p.name,
    variant: variantId ?? null,
    bound: r.bound,
    properties,
    stats: { states: r.stats.states, ms: r.stats.ms, ...(r.stats.cut ? { cut: r.stats.cut } : {}) },
  };
}

/** Does every verdict equal its expectation? */
export function asExpected(r: VerifyReport): boolean {
  return r.properties.every((x) => x.verdict === x.expected);
}

/** Every (protocol, variant) pair of a corpus: the base protocol, then each variant. */
export function allTargets(corpus: readonly Protocol[]): { protocol: Protocol; variant: string | undefined }[] {
  return corpus.flatMap((p) => [{ protocol: p, variant: undefined }, ...p.variants.map((v) => ({ protocol: p, variant: v.id as string | undefined }))]);
}
