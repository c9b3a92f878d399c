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
  /** the bound this verdict was decided at */
  readonly bound: string;
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
  // A replay or splice variant declares the bound its attack needs: the properties it breaks are
  // decided again at that bound (stopping once they are refuted); the others keep the default
  // bound. Each property reports the bound it was decided at. An explicit --sessions wins.
  const own = opts.sessions === undefined && variant?.sessions && variant.sessions > DEFAULT_SESSIONS ? variant.sessions : undefined;
  const r2 = own ? explore(p, variantId, { ...opts, sessions: own, properties: variant!.breaks }) : undefined;
  const properties = p.properties.map((prop) => {
    const from = r2?.verdicts.has(prop.id) ? r2 : r;
    const v = from.verdicts.get(prop.id)!;
    return {
      id: prop.id,
      kind: prop.kind,
      expected: expectedVerdict(p, prop.id, variant),
      verdict: v.verdict,
      bound: from.bound,
      trace: v.finding ? traceData(from.scenario, v.finding) : null,
    };
  });
  const cut = [r.stats.cut, r2?.stats.cut].filter(Boolean).join('; ');
  return {
    protocol: p.name,
    variant: variantId ?? null,
    bound: r2 ? `${r.bound}; ${variant!.breaks.join(', ')} at ${r2.bound}` : r.bound,
    properties,
    stats: { states: r.stats.states + (r2?.stats.states ?? 0), ms: r.stats.ms + (r2?.stats.ms ?? 0), ...(cut ? { cut } : {}) },
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
