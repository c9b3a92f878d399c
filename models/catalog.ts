/**
 * Every protocol the tools know: the design's protocols, then the classic validation corpus.
 * @module
 */
import type { Protocol } from './protocol.ts';
import { PROTOCOLS } from './protocols/index.ts';
import { CLASSIC_PROTOCOLS } from './classic/index.ts';

export const ALL_PROTOCOLS: readonly Protocol[] = [...PROTOCOLS, ...CLASSIC_PROTOCOLS];
