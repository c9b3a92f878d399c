/**
 * The built-in protocols, in the design's order.
 * @module
 */
import { type Protocol, UnknownNameError } from '../protocol.ts';
import { attestation } from './attestation.ts';
import { keyExchange } from './key-exchange.ts';
import { provisioning } from './provisioning.ts';
import { tztcmSessionProtocol } from './tztcm-session.ts';
import { tztcmStorage } from './tztcm-storage.ts';
import { channel } from './channel.ts';

export const PROTOCOLS: readonly Protocol[] = [attestation, keyExchange, provisioning, tztcmSessionProtocol, tztcmStorage, channel];

export function protocolByName(name: string, corpus: readonly Protocol[] = PROTOCOLS): Protocol {
  const p = corpus.find((x) => x.name === name);
  if (!p) throw new UnknownNameError('protocol', name, corpus.map((x) => x.name));
  return p;
}
