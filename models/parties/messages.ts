/**
 * The message bodies of protocols 1–3 (seed 000), each defined once and used by every party that
 * builds or checks it (models/messages.ts): the TTP tokens, the TEE report, the TPM's attested
 * statements, the challenges, the PolicySigned statement, and the command / response HMACs of the
 * TPM session. Variants edit them by input name (models/protocols/*.ts).
 * @module
 */
import { messageConstructor } from '../messages.ts';
import { c, h, hmac, tup } from '../terms.ts';

/** tokTEE's body: the TTP vouches that `key` (pk(~skT)) is the TEE `id` of node `node`. */
export const teeToken = messageConstructor<'id' | 'node' | 'key'>('tok_tee', (x) => tup(c('tok_tee'), x('id'), x('node'), x('key')));
/** tokTPM's body: the TTP vouches that `key` (Q) is the TPM `id` of node `node`. */
export const tpmToken = messageConstructor<'id' | 'node' | 'key'>('tok_tpm', (x) => tup(c('tok_tpm'), x('id'), x('node'), x('key')));

/** The TEE's hardware-signed report: its measurement, bound to the challenge and its new key. */
export const teeReport = messageConstructor<'measurement' | 'nonce' | 'key'>('report', (x) => tup(c('report'), x('measurement'), h(tup(x('nonce'), x('key')))));

/** What TPM2_Certify states (Part 3 §18.2): the TPM holds `key`, for qualifyingData `nonce`. */
export const certifyStatement = messageConstructor<'key' | 'nonce'>('certify', (x) => tup(c('certify'), x('key'), x('nonce')));
/** What TPM2_Quote states (Part 3 §18.4): the PCR state `pcr`, for qualifyingData `nonce`. */
export const quoteStatement = messageConstructor<'pcr' | 'nonce'>('quote', (x) => tup(c('quote'), x('pcr'), x('nonce')));

/** What the TTP and the TPM agree on for the evidence property (P1.3/P1.4): which statement
 * (certify or quote), for which challenge, about which key or PCR state — one definition for the
 * TPM's Running and the TTP's Commit claims. */
export const certifyEvidence = messageConstructor<'nonce' | 'key'>('certify evidence', (x) => tup(c('certify'), x('nonce'), x('key')));
export const quoteEvidence = messageConstructor<'nonce' | 'pcr'>('quote evidence', (x) => tup(c('quote'), x('nonce'), x('pcr')));

export const teeChallenge = messageConstructor<'nonce'>('chal_tee', (x) => tup(c('chal_tee'), x('nonce')));
export const tpmChallenge = messageConstructor<'nonce'>('chal_tpm', (x) => tup(c('chal_tpm'), x('nonce')));
export const quoteRequest = messageConstructor<'nonce'>('quote_req', (x) => tup(c('quote_req'), x('nonce')));

/** What the TEE signs for TPM2_PolicySigned (Part 3 §23.3): the session's nonceTPM and handle. */
export const policyStatement = messageConstructor<'nonce' | 'handle'>('policy', (x) => tup(c('policy'), x('nonce'), x('handle')));

/** A command HMAC of the session: hmac(sessionKey, cpHash || nonceCaller || nonceTPM) —
 * TPM 2.0 Part 1 §19.6.5 (cpHash here the hash of the command's parameters `cp`). */
export const commandMac = messageConstructor<'key' | 'cp' | 'nonceCaller' | 'nonceTPM'>('command HMAC', (x) => hmac(x('key'), tup(h(x('cp')), x('nonceCaller'), x('nonceTPM'))));
/** A response HMAC: hmac(sessionKey, rpHash || nonceTPM || nonceCaller) — Part 1 §19.6.6. */
export const responseMac = messageConstructor<'key' | 'rp' | 'nonceTPM' | 'nonceCaller'>('response HMAC', (x) => hmac(x('key'), tup(h(x('rp')), x('nonceTPM'), x('nonceCaller'))));

/** The commands of the session and their response parameters, as the HMACs name them. */
export const SESSION = {
  /** TPM2_GetRandom (Part 3 §16.1; bytesRequested fixed, so cp is the command alone): the
   * session's first command (key confirmation, `ConfirmSession`) and a later one after
   * PolicySigned (session-commands.ts) — what the TSS sends on a real TPM for both */
  getRandom: { command: c('GetRandom'), response: c('GetRandom-rsp') },
  policySigned: { command: c('PolicySigned'), response: c('PolicySigned-rsp') },
  unseal: { command: c('Unseal') },
} as const;

/** TPM2_GetRandom's command HMAC, one definition for every GetRandom of the session, so that a
 * variant that stops rolling nonceTPM into it (M2.4) edits them all. */
export const getRandomMac = messageConstructor<'key' | 'nonceCaller' | 'nonceTPM'>('GetRandom command HMAC', (x) =>
  commandMac({ key: x('key'), cp: SESSION.getRandom.command, nonceCaller: x('nonceCaller'), nonceTPM: x('nonceTPM') }),
);

/** What the freshness property P2.3 reads of a command the TPM accepts (Commit) and the TEE sent
 * (Running): its parameters and the two nonces its HMAC should bind — the caller's new one and
 * the TPM's newest (Part 1 §19.6.5). One claim per command of the session, so P2.3 is judged at
 * every command, not at one. */
export const commandClaim = messageConstructor<'cp' | 'nonceCaller' | 'nonceTPM'>('command claim', (x) => tup(x('cp'), x('nonceCaller'), x('nonceTPM')));
/** What P2.3 reads of a response the TEE accepts and the TPM sent: its parameters and the TPM's
 * new nonce with the caller's it answers (Part 1 §19.6.6). */
export const responseClaim = messageConstructor<'rp' | 'nonceTPM' | 'nonceCaller'>('response claim', (x) => tup(x('rp'), x('nonceTPM'), x('nonceCaller')));
