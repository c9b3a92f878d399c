/**
 * The classic validation corpus: textbook protocols written with the same machine vocabulary
 * as the design's protocols, each declaring the verdicts the literature gives.
 * @module
 */
import type { Protocol } from '../protocol.ts';

export const CLASSIC_PROTOCOLS: readonly Protocol[] = [];
