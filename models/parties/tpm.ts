/**
 * The TPM party: attestation evidence (TPM2_Certify, TPM2_Quote), the salted authorisation
 * session of the key exchange (TPM2_StartAuthSession with an ECC salt, TPM2_PolicySigned), and
 * the release of the sealed secret (TPM2_Unseal with response parameter encryption).
 *
 * Messages are named after the TPM 2.0 commands they stand for. Rolling nonces and command /
 * response HMACs follow TPM 2.0 Part 1 §19.6 (cpHash/rpHash, nonceCaller/nonceTPM).
 * @module
 */
import { type Step, check, claim, fresh, let_, recv, send } from '../steps.ts';
import { G, TRUE, c, exp, kdfa, kdfe, senc, sign, tup, v, verify } from '../terms.ts';
import { roleMachine } from '../role.ts';
import type { RealTpmBinding } from '../real-tpm.ts';
import { SESSION, certifyEvidence, certifyStatement, commandClaim, commandMac, getRandomMac, policyStatement, responseClaim, quoteEvidence, quoteRequest, quoteStatement, responseMac, teeToken, tpmChallenge, tpmToken } from './messages.ts';
import { K, TEE_SECURE_STORAGE } from './vocabulary.ts';
import { recordBindings, tpmRecordTransitions } from './channel-records.ts';
import { getRandomBinding, runsGetRandom, tpmGetRandom } from './session-commands.ts';

/** TPM role of protocol 1 (subsystem attestation). */
export function tpmAttestation() {
  const { self, nB, q, Q, skAK, pcr, cert, quote, tokTPM, idTPM, pkTTP, tokTEE, idTEE, pkT } = K;
  return roleMachine({
    role: 'TPM',
    party: 'TPM',
    initial: 'waitChallenge',
    knows: [self, K.ttp, q, skAK, pcr, idTPM, pkTTP],
    transitions: [
      {
        label: 'tpm.certify',
        from: 'waitChallenge',
        to: 'waitQuoteRequest',
        trigger: 'MSG',
        steps: [
          recv('TTP', 'ChallengeTPM', tpmChallenge({ nonce: nB })),
          let_(Q, exp(G, q)),
          // TPM2_Certify(keyQ, qualifyingData = nB)
          let_(cert, sign(certifyStatement({ key: Q, nonce: nB }), skAK)),
          claim('Running', 'tpm-evidence', K.ttp, certifyEvidence({ nonce: nB, key: Q })),
          send('TTP', 'Certify', tup(cert, Q)),
        ],
      },
      {
        label: 'tpm.quote',
        from: 'waitQuoteRequest',
        to: 'waitToken',
        trigger: 'MSG',
        steps: [
          recv('TTP', 'QuoteRequest', quoteRequest({ nonce: nB })),
          // TPM2_Quote(PCRs, qualifyingData = nB)
          let_(quote, sign(quoteStatement({ pcr, nonce: nB }), skAK)),
          claim('Running', 'tpm-evidence', K.ttp, quoteEvidence({ nonce: nB, pcr })),
          send('TTP', 'Quote', quote),
        ],
      },
      {
        label: 'tpm.receiveToken',
        from: 'waitToken',
        to: 'waitPeerToken',
        trigger: 'MSG',
        steps: [
          recv('TTP', 'TokenTPM', tokTPM),
          check('tokTPM', verify(tokTPM, tpmToken({ id: idTPM, node: self, key: Q }), pkTTP), TRUE, 'the TTP token for Q and this node'),
          send('TEE', 'PeerTokenTPM', tup(tokTPM, idTPM, Q)),
        ],
      },
      {
        label: 'tpm.checkPeerToken',
        from: 'waitPeerToken',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('TEE', 'PeerTokenTEE', tup(tokTEE, idTEE, pkT)),
          // TPM2_VerifySignature of the TEE token under pk(skTTP); the node must be this node
          check('tokTEE', verify(tokTEE, teeToken({ id: idTEE, node: self, key: pkT }), pkTTP), TRUE, 'the TTP token of the TEE for this node'),
          claim('Commit', 'tok-tee', self, tup(self, pkT)),
          claim('Finish', 'attestation', null, self),
        ],
      },
    ],
  });
}

/** Protocol 1 on a real TPM: TPM2_Certify and TPM2_Quote with qualifyingData = nB (Part 3 §18.2,
 * §18.4); the token checks are the TPM's TPM2_VerifySignature. */
export function tpmAttestationOnRealTpm(): RealTpmBinding {
  return {
    caller: 'TEE',
    longTerm: { storageKey: 'q', attestationKey: 'skAK', pcrReference: 'pcr' },
    transitions: {
      'tpm.certify': { op: 'TPM2_Certify', reads: { qualifyingData: K.nB }, decides: { certifiedKey: K.Q, signature: K.cert } },
      'tpm.quote': { op: 'TPM2_Quote', reads: { qualifyingData: K.nB }, decides: { signature: K.quote } },
      'tpm.receiveToken': { op: 'none' },
      'tpm.checkPeerToken': { op: 'none' },
    },
  };
}

/** Protocols 2 and 3 on a real TPM: the salted session (Part 3 §11.1), confirmed by a command in
 * it, PolicySigned (§23.3) and, with `unseal`, TPM2_Unseal of the secret sealed under the policy. */
export function tpmKeyExchangeOnRealTpm(opts: KeyExchangeOptions = {}): RealTpmBinding {
  return {
    caller: 'TEE',
    longTerm: { storageKey: 'q' },
    ...(opts.unseal ? { sealed: { authKey: K.skT, callerSlot: TEE_SECURE_STORAGE } } : {}),
    transitions: {
      'tpm.publishKey': { op: 'PublicKey', decides: { key: K.Q } },
      'tpm.startAuthSession': {
        op: 'TPM2_StartAuthSession',
        reads: { encryptedSalt: K.E, nonceCaller: K.nC },
        decides: { nonceTPM: K.nT, sessionHandle: K.sh },
        inside: [K.Z, K.seed, K.sKey],
      },
      'tpm.confirmSession': { op: 'TPM2_GetRandom', reads: { nonceCaller: K.nC1 }, caller: { sessionKey: K.sKey }, adopts: { sessionKey: K.sKey }, decides: { nonceTPM: K.nT1 } },
      'tpm.policySigned': { op: 'TPM2_PolicySigned', reads: { authKey: K.pkT }, caller: { signingKey: K.skT }, decides: { nonceTPM: K.nT2 } },
      ...(runsGetRandom(opts) ? getRandomBinding : {}),
      ...(opts.unseal
        ? { 'tpm.unseal': { op: 'TPM2_Unseal' as const, reads: { nonceCaller: K.nC3 }, decides: { nonceTPM: K.nT3 }, adopts: { secret: K.S }, checks: { responseKey: K.kE } } }
        : {}),
      ...(opts.records ? recordBindings(opts.records) : {}),
    },
  };
}

export interface KeyExchangeOptions {
  /** 'salted': TPM2_StartAuthSession salted with ECDH against Q (design default).
   *  'two-phase': TPM2_EC_Ephemeral + TPM2_ZGen_2Phase — the TPM adds an ephemeral key. */
  readonly mode?: 'salted' | 'two-phase';
  /** protocol 3: after the session, release the sealed secret with TPM2_Unseal */
  readonly unseal?: boolean;
  /** the channel (issue 20): after the session, this many data records, each an NV_Write with
   * the data encrypted and an NV_Read of it with the response encrypted (channel-records.ts) */
  readonly records?: number;
}

/** TPM role of protocol 2 (key exchange) and, with `unseal`, protocol 3 (provisioning). */
export function tpmKeyExchange(opts: KeyExchangeOptions = {}) {
  const { self, q, Q, tokTPM, idTPM, pkTTP, E, nC, Z, seed, nT, sh, sKey, nC1, nT1, nC2, nT2, tokTEE, idTEE, pkT, pol } = K;
  const twoPhase = opts.mode === 'two-phase';
  const r = v('r', 'skey');
  const R = v('R', 'point');
  const Z2 = v('Z2', 'point');
  const mac1 = v('mac1', 'digest');
  const mac2 = v('mac2', 'digest');
  const session: Step[] = twoPhase
    ? [
        // TPM2_EC_Ephemeral: an ephemeral TPM key; TPM2_ZGen_2Phase: Z = (Q^e, R^e) (SP 800-56A C(2e, 2s))
        fresh(r),
        let_(R, exp(G, r)),
        let_(Z, exp(E, q)),
        let_(Z2, exp(E, r)),
        let_(seed, kdfe(tup(Z, Z2), 'SECRET', E, Q)),
      ]
    : [let_(Z, exp(E, q)), let_(seed, kdfe(Z, 'SECRET', E, Q))];
  const transitions = [
    {
      label: 'tpm.publishKey',
      from: 'start',
      to: 'waitStartAuthSession',
      trigger: 'START' as const,
      // the host reads the TPM's token from its store and hands it to the TEE
      steps: [let_(Q, exp(G, q)), send('TEE', 'PublicKeyQ', tup(tokTPM, idTPM, Q))],
    },
    {
      label: 'tpm.startAuthSession',
      from: 'waitStartAuthSession',
      to: 'waitConfirm',
      trigger: 'MSG' as const,
      steps: [
        recv('TEE', 'StartAuthSession', tup(c('StartAuthSession'), E, nC)),
        ...session,
        fresh(nT),
        fresh(sh),
        // sessionKey = KDFa(sessionAlg, bind.auth || salt, 'ATH', nonceTPM, nonceCaller) — Part 1 §19.6.8
        let_(sKey, kdfa(seed, 'ATH', nT, nC)),
        send('TEE', 'AuthSession', twoPhase ? tup(sh, nT, R) : tup(sh, nT)),
      ],
    },
    {
      label: 'tpm.confirmSession',
      from: 'waitConfirm',
      to: 'waitPolicySigned',
      trigger: 'MSG' as const,
      steps: [
        recv('TEE', 'ConfirmSession', tup(SESSION.getRandom.command, nC1, mac1)),
        // command HMAC: hmac(sessionKey, cpHash || nonceCaller || nonceTPM) — Part 1 §19.6.5
        check('command HMAC', mac1, getRandomMac({ key: sKey, nonceCaller: nC1, nonceTPM: nT }), 'the command HMAC under the session key'),
        fresh(nT1),
        claim('Running', 'session', null, tup(E, nC, nT)),
        claim('Running', 'cmd', null, responseClaim({ rp: SESSION.getRandom.response, nonceTPM: nT1, nonceCaller: nC1 })),
        send('TEE', 'ConfirmResponse', tup(nT1, responseMac({ key: sKey, rp: SESSION.getRandom.response, nonceTPM: nT1, nonceCaller: nC1 }))),
      ],
    },
    {
      label: 'tpm.policySigned',
      from: 'waitPolicySigned',
      to: opts.unseal ? 'waitUnseal' : opts.records ? 'waitWrite1' : runsGetRandom(opts) ? 'waitGetRandom' : 'done',
      trigger: 'MSG' as const,
      steps: [
        recv('TEE', 'PolicySigned', tup(tokTEE, idTEE, pkT, pol, nC2, mac2)),
        check('command HMAC', mac2, commandMac({ key: sKey, cp: tup(SESSION.policySigned.command, pol), nonceCaller: nC2, nonceTPM: nT1 }), 'the command HMAC under the session key'),
        // TPM2_VerifySignature: the TEE token, issued by the TTP for this node
        check('tokTEE', verify(tokTEE, teeToken({ id: idTEE, node: self, key: pkT }), pkTTP), TRUE, 'the TTP token of the TEE for this node'),
        // TPM2_PolicySigned: the TEE's signature over this session's newest nonceTPM
        check('policy signature', verify(pol, policyStatement({ nonce: nT1, handle: sh }), pkT), TRUE, 'PolicySigned over this session nonce'),
        claim('Commit', 'session', self, tup(E, nC, nT)),
        // only now does the TPM know whose session this is: the first command came from this TEE
        claim('Commit', 'cmd', self, commandClaim({ cp: SESSION.getRandom.command, nonceCaller: nC1, nonceTPM: nT })),
        claim('Commit', 'cmd', self, commandClaim({ cp: tup(SESSION.policySigned.command, pol), nonceCaller: nC2, nonceTPM: nT1 })),
        claim('Secret', 'skey', self, sKey),
        fresh(nT2),
        claim('Running', 'cmd', null, responseClaim({ rp: SESSION.policySigned.response, nonceTPM: nT2, nonceCaller: nC2 })),
        send('TEE', 'PolicySignedResponse', tup(nT2, responseMac({ key: sKey, rp: SESSION.policySigned.response, nonceTPM: nT2, nonceCaller: nC2 }))),
        ...(opts.unseal || opts.records || runsGetRandom(opts) ? [] : [claim('Finish', 'key-exchange', null, self)]),
      ],
    },
  ];
  // protocol 2: a GetRandom after PolicySigned (Unseal and the records are commands of their own)
  if (runsGetRandom(opts)) transitions.push(tpmGetRandom('done', [claim('Finish', 'key-exchange', null, self)]));
  if (opts.unseal) transitions.push(unsealTransition());
  if (opts.records) transitions.push(...tpmRecordTransitions(opts.records));
  return roleMachine({
    role: 'TPM',
    party: 'TPM',
    initial: 'start',
    knows: opts.unseal ? [self, q, tokTPM, idTPM, pkTTP, K.S, K.pcr, K.pcrPolicy] : [self, q, tokTPM, idTPM, pkTTP],
    transitions,
  });
}

/** Protocol 3 at the TPM: TPM2_Unseal in the authorised session, response encrypted (CFB). */
function unsealTransition() {
  const { self, S, sKey, nC3, nT2: nT, nT3, kE, ct, pcr, pcrPolicy } = K;
  const mac3 = v('mac3', 'digest');
  return {
    label: 'tpm.unseal',
    from: 'waitUnseal',
    to: 'done',
    trigger: 'MSG' as const,
    steps: [
      recv('TEE', 'Unseal', tup(SESSION.unseal.command, nC3, mac3)),
      check('command HMAC', mac3, commandMac({ key: sKey, cp: SESSION.unseal.command, nonceCaller: nC3, nonceTPM: nT }), 'the command HMAC under the session key'),
      // the sealed object's policy: PolicySigned by a TTP-tokened TEE (the state we are in) and PolicyPCR
      check('PolicyPCR', pcr, pcrPolicy, 'the PCR value the sealed object is bound to'),
      claim('Commit', 'cmd', self, commandClaim({ cp: SESSION.unseal.command, nonceCaller: nC3, nonceTPM: nT })),
      fresh(nT3),
      // response parameter encryption: KDFa(sessionKey, 'CFB', nonceNewer, nonceOlder) — Part 1 §21.3
      let_(kE, kdfa(sKey, 'CFB', nT3, nC3)),
      let_(ct, senc(S, kE)),
      claim('Running', 'secret', self, tup(S, nC3, nT3)),
      claim('Running', 'cmd', null, responseClaim({ rp: ct, nonceTPM: nT3, nonceCaller: nC3 })),
      send('TEE', 'UnsealResponse', tup(ct, nT3, responseMac({ key: sKey, rp: ct, nonceTPM: nT3, nonceCaller: nC3 }))),
      claim('Finish', 'provisioning', null, self),
    ],
  };
}
