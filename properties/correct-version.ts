/**
 * Which protocol an attack found on a variant is replayed against as "the correct protocol"
 * (`attack-replay.ts`): the base machines, judged on the variant's properties.
 * @module
 */
import type { Protocol } from '../models/protocol.ts';
import type { Target } from '../models/target.ts';

/**
 * Is an attack on `propertyId` compared with the correct protocol? Only when the variant is
 * declared to break it: a variant that only adds a property (nspk's `any-peer`, whose NS6 is an
 * attack on NSPK itself) has no other version that must resist the same schedule, so the attack
 * is on the protocol as it is, as without a variant.
 */
export function comparedWithCorrect(target: Target, propertyId: string): boolean {
  return target.variant !== undefined && target.variant.breaks.includes(propertyId);
}

/** The correct machines judged on the variant's properties (a property a variant adds, with the
 * claim it reads, is then judged on a run that makes no such claim: not violated). */
export function correctVersion(target: Target): Protocol {
  return { ...target.base, properties: target.protocol.properties };
}

