/**
 * The classic validation corpus: textbook protocols written with the same machine vocabulary
 * as the design's protocols, each declaring the verdicts the literature gives.
 * @module
 */
import type { Protocol } from '../protocol.ts';
import { nsl, nspk } from './needham-schroeder-pk.ts';
import { nssk } from './needham-schroeder-sk.ts';
import { signedDh, signedDhIds } from './signed-dh.ts';
import { ccittX509 } from './ccitt-x509.ts';
import { andrewRpc } from './andrew-rpc.ts';
import { iso9798 } from './iso-9798-2.ts';
import { otwayRees } from './otway-rees.ts';
import { yahalom } from './yahalom.ts';

export const CLASSIC_PROTOCOLS: readonly Protocol[] = [nspk, nsl, nssk, signedDh, signedDhIds, ccittX509, andrewRpc, iso9798, otwayRees, yahalom];
