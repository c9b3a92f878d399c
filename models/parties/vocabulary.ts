/**
 * The variables the party machines of protocols 1–3 share by name, with their sorts.
 *
 * A variable is role-local; using one declaration for the TEE's and the TPM's `sKey` only keeps
 * names and sorts consistent (the judge compares claim data, never variable names).
 * @module
 */
import { v } from '../terms.ts';
import { agent } from '../protocol.ts';

export const K = {
  // agents (nodes; the TTP)
  self: agent('self'),
  ttp: agent('ttp'),
  node: agent('node'),
  // long-term values
  skTTP: v('skTTP', 'skey'),
  pkTTP: v('pkTTP', 'point'),
  skHW: v('skHW', 'skey'),
  pkHW: v('pkHW', 'point'),
  mTEE: v('mTEE', 'digest'),
  skAK: v('skAK', 'skey'),
  pkAK: v('pkAK', 'point'),
  q: v('q', 'skey'),
  pcr: v('pcr', 'digest'),
  pcrPolicy: v('pcrPolicy', 'digest'),
  idTEE: v('idTEE', 'const'),
  idTPM: v('idTPM', 'const'),
  skT: v('skT', 'skey'),
  S: v('S', 'nonce'),
  // protocol 1
  nA: v('nA', 'nonce'),
  nB: v('nB', 'nonce'),
  pkT: v('pkT', 'point'),
  report: v('report', 'sig'),
  cert: v('cert', 'sig'),
  quote: v('quote', 'sig'),
  tokTEE: v('tokTEE', 'sig'),
  tokTPM: v('tokTPM', 'sig'),
  Q: v('Q', 'point'),
  // protocol 2
  e: v('e', 'skey'),
  E: v('E', 'point'),
  nC: v('nC', 'nonce'),
  nT: v('nT', 'nonce'),
  sh: v('sh', 'nonce'),
  Z: v('Z', 'point'),
  seed: v('seed', 'digest'),
  sKey: v('sKey', 'digest'),
  nC1: v('nC1', 'nonce'),
  nT1: v('nT1', 'nonce'),
  nC2: v('nC2', 'nonce'),
  nT2: v('nT2', 'nonce'),
  pol: v('pol', 'sig'),
  // the session's TPM2_GetRandom after PolicySigned (session-commands.ts)
  nCg: v('nCg', 'nonce'),
  nTg: v('nTg', 'nonce'),
  // protocol 3
  nC3: v('nC3', 'nonce'),
  nT3: v('nT3', 'nonce'),
  kE: v('kE', 'digest'),
  ct: v('ct', 'ct'),
} as const;

/** The TEE's secure-storage slot the provisioned secret S is stored in (protocol 3). */
export const TEE_SECURE_STORAGE = 'tee-secure-storage';
