/**
 * What `tcv export --all` exports: every protocol of the catalog (the design's, then the classic
 * validation corpus), each with each of its variants.
 * @module
 */
import type { Protocol } from '../models/protocol.ts';
import { ALL_PROTOCOLS } from '../models/catalog.ts';
import { type Target, allTargets, targetOf } from '../models/target.ts';

/** The protocols to export. */
export function exportCorpus(): readonly Protocol[] {
  return ALL_PROTOCOLS;
}

/** Each protocol, then each of its variants (the models' one target list, models/target.ts),
 * resolved. */
export function targetsOf(protocols: readonly Protocol[]): Target[] {
  return allTargets(protocols).map(({ protocol, variant }) => targetOf(protocol, variant));
}
