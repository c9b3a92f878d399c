/**
 * What `tcv export --all` exports: every protocol of the catalog (the design's, then the classic
 * validation corpus), each with each of its variants.
 * @module
 */
import type { Protocol } from '../models/protocol.ts';
import { ALL_PROTOCOLS } from '../models/catalog.ts';
import { allTargets } from '../models/target.ts';

export interface ExportTarget {
  readonly protocol: Protocol;
  readonly variant?: string;
}

/** The protocols to export. */
export function exportCorpus(): readonly Protocol[] {
  return ALL_PROTOCOLS;
}

/** Each protocol, then each of its variants (the models' one target list, models/target.ts). */
export function targetsOf(protocols: readonly Protocol[]): ExportTarget[] {
  return allTargets(protocols).map(({ protocol, variant }) => (variant === undefined ? { protocol } : { protocol, variant }));
}
