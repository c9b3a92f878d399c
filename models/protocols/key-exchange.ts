/**
 * Protocol 2 — TEE–TPM hardware key exchange over a salted TPM 2.0 session (seed 000, second
 * protocol; design §Protocol 2).
 * @module
 */
import { type Term, G, c, exp, h, pk, sign } from '../terms.ts';
import { type LongTermDecl, type Protocol, type PropertyDecl, type RoleDecl, type VariantDecl, lt } from '../protocol.ts';
import { dropCheck, replaceSteps } from '../edits.ts';
import { editMessage } from '../messages.ts';
import { getRandomMac, policyStatement, teeToken, tpmToken } from '../parties/messages.ts';
import { teeKeyExchange } from '../parties/tee.ts';
import { type KeyExchangeOptions, tpmKeyExchange, tpmKeyExchangeOnRealTpm } from '../parties/tpm.ts';
import { let_ } from '../steps.ts';
import { K } from '../parties/vocabulary.ts';

const pkTTP = pk(lt('skTTP', 'ttp'));
// the tokens the attestation (protocol 1) left behind, as the TTP issued them
const tokTEE = sign(teeToken({ id: lt('idTEE', 'self', 'const'), node: K.self, key: pk(lt('skT', 'self')) }), lt('skTTP', 'ttp'));
const tokTPM = (self: Term) => sign(tpmToken({ id: lt('idTPM', 'self', 'const'), node: self, key: exp(G, lt('q', 'self')) }), lt('skTTP', 'ttp'));

/** The TEE and TPM roles of protocols 2 and 3, with the set-up the attestation left behind. */
export function keyExchangeRoles(opts: KeyExchangeOptions): RoleDecl[] {
  return [
    {
      role: 'TEE',
      machine: teeKeyExchange(opts),
      agents: { self: 'TEE', ttp: 'TTP' },
      initiator: false,
      knows: { skT: lt('skT', 'self'), tokTEE, idTEE: lt('idTEE', 'self', 'const'), pkTTP },
    },
    {
      role: 'TPM',
      machine: tpmKeyExchange(opts),
      agents: { self: 'TPM', ttp: 'TTP' },
      initiator: true,
      // the salted mode only: the TSS bridge has no TPM2_EC_Ephemeral / TPM2_ZGen_2Phase yet
      ...(opts.mode === 'two-phase' ? {} : { realTpm: tpmKeyExchangeOnRealTpm(opts) }),
      knows: {
        q: lt('q', 'self'),
        tokTPM: tokTPM(K.self),
        idTPM: lt('idTPM', 'self', 'const'),
        pkTTP,
        ...(opts.unseal ? { S: lt('S', 'self', 'nonce'), pcr: lt('pcr', 'self', 'digest'), pcrPolicy: lt('pcr', 'self', 'digest') } : {}),
      },
    },
  ];
}

export const keyExchangeLongTerm: LongTermDecl[] = [
  { name: 'skTTP', owner: 'TTP', sort: 'skey', reveal: 'RevealTTP' },
  { name: 'skT', owner: 'TEE', sort: 'skey', reveal: 'RevealTEE' },
  { name: 'idTEE', owner: 'TEE', sort: 'const', public: true },
  { name: 'q', owner: 'TPM', sort: 'skey', reveal: 'RevealQ' },
  { name: 'idTPM', owner: 'TPM', sort: 'const', public: true },
];

/** M2.2: the TPM's nonces as functions of the caller's nonce they answer. */
const TPM_NONCES = new Map([
  ['nT', K.nC],
  ['sh', K.E],
  ['nT1', K.nC1],
  ['nT2', K.nC2],
  ['nTg', K.nCg],
  ['nT3', K.nC3],
]);

/** Variant edits shared by protocols 2 and 3 (provisioning runs inside the same session). */
export const keyExchangeVariants = (opts: KeyExchangeOptions): VariantDecl[] => [
  {
    id: 'M2.1',
    title: 'TEE takes Q from the host without checking tokTPM: man in the middle',
    breaks: ['P2.1', 'P2.2', 'P2.3'],
    edit: dropCheck(['TEE'], 'tokTPM'),
  },
  {
    id: 'M2.2',
    title: 'no fresh TPM nonces (nonceTPM and handle derived from the caller): whole-session replay',
    // the recorded session is replayed to a second TPM session. Found by the explorer at two
    // sessions: with the TPM's nonces a function of the caller's, the TEE's PolicySigned
    // authorisation also replays into a session the attacker opened with encryptedSalt = 'g'^y
    // for an exponent y it has (Z = Q^y, which it computes), so the TPM believes an
    // attacker-known sKey secret (P2.1), as in M2.3. (Salted with the constant 'g' itself, as the
    // explorer once did, a TPM receiving a point rejects it: models/sorts.ts.)
    sessions: 2,
    breaks: ['P2.2', 'P2.3', 'P2.1'],
    // every nonceTPM of the session (and the session handle) is a function of the caller's
    // nonces, so sKey and all rolling nonces repeat when the caller's messages are replayed
    edit: replaceSteps(
      ['TPM'],
      (s) => s.op === 'fresh' && TPM_NONCES.has(s.v.name),
      (s) => (s.op === 'fresh' ? [let_(s.v, h(TPM_NONCES.get(s.v.name)!), `derive ${s.v.name}`)] : [s]),
    ),
  },
  {
    id: 'M2.3',
    title: 'PolicySigned over a constant instead of nT: replayed TEE authorisation',
    // the replayed authorisation makes the attacker's own session "the TEE's": the TPM then
    // also believes the attacker's key secret (P2.1) and its commands the TEE's (P2.3)
    // the TEE signature from one session is replayed into the attacker's own second session
    sessions: 2,
    breaks: ['P2.1', 'P2.2', 'P2.3'],
    // TPM2_PolicySigned with an Empty Buffer nonceTPM: the authorisation is not tied to a session
    edit: editMessage(['TEE', 'TPM'], policyStatement, { set: { nonce: c('empty'), handle: c('empty') } }),
  },
  {
    id: 'M2.4',
    title: "GetRandom's command HMAC without the rolling nonceTPM: the session's first command is accepted again as a later one",
    // a TSS that rolls nonceTPM into the session key but not into later command HMACs: the
    // HMAC of ConfirmSession (a GetRandom) is then also the HMAC of the GetRandom after
    // PolicySigned, so the attacker replays it there and the TPM accepts one recorded command
    // twice — caught by P2.3 at the second GetRandom, in one session (Part 1 §19.6.5: nonceTPM
    // in every command HMAC is what makes a recorded command useless)
    breaks: ['P2.3'],
    edit: editMessage(['TEE', 'TPM'], getRandomMac, { omit: ['nonceTPM'] }),
  },
  {
    id: 'two-phase',
    title: 'two-phase mode (TPM2_EC_Ephemeral + TPM2_ZGen_2Phase): forward secrecy',
    breaks: [],
    expect: { 'P2.4': 'holds' },
    edit: () => ({ TEE: teeKeyExchange({ ...opts, mode: 'two-phase' }), TPM: tpmKeyExchange({ ...opts, mode: 'two-phase' }) }),
  },
];

export const keyExchangeProperties: PropertyDecl[] = [
  { id: 'P2.1', kind: 'secrecy', statement: 'The session key sKey stays secret.', tag: 'skey' },
  {
    id: 'P2.2',
    kind: 'injective-agreement',
    statement: "TEE and TPM agree injectively on <'g'^e, nC, nT> with each other (mutual).",
    tag: 'session',
    commit: 'TEE',
    running: 'TPM',
    mutual: true,
  },
  {
    id: 'P2.3',
    kind: 'injective-agreement',
    statement: 'A recorded command or response of the session is never accepted twice.',
    tag: 'cmd',
    commit: 'TPM',
    running: 'TEE',
    mutual: true,
  },
  {
    id: 'P2.4',
    kind: 'forward-secrecy',
    statement: 'sKey stays secret after a later compromise of the TPM key q (only the two-phase mode gives this).',
    tag: 'skey',
    compromiseAfter: ['RevealQ'],
    expected: 'attack',
  },
];

export const keyExchange: Protocol = {
  name: 'key-exchange',
  title: 'TEE–TPM hardware key exchange (salted session, PolicySigned)',
  source: 'design §Protocol 2; seed 000 (second protocol)',
  roles: keyExchangeRoles({}),
  longTerm: keyExchangeLongTerm,
  deployment: { TTP: 'ttp', TEE: 'n1', TPM: 'n1' },
  properties: keyExchangeProperties,
  variants: keyExchangeVariants({}),
};
