/**
 * The built-in protocols, in the design's order.
 * @module
 */
import type { Protocol } from '../protocol.ts';
import { protocolNamed } from '../target.ts';
import { attestation } from './attestation.ts';
import { keyExchange } from './key-exchange.ts';
import { provisioning } from './provisioning.ts';
import { tztcmSessionProtocol } from './tztcm-session.ts';
import { tztcmStorage } from './tztcm-storage.ts';
import { channel } from './channel.ts';

export const PROTOCOLS: readonly Protocol[] = [attestation, keyExchange, provisioning, tztcmSessionProtocol, tztcmStorage, channel];

/** The built-in protocol of that name (`protocolNamed` of models/target.ts over PROTOCOLS). */
export function protocolByName(name: string, corpus: readonly Protocol[] = PROTOCOLS): Protocol {
  return protocolNamed(corpus, name);
}
