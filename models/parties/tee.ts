/**
 * The TEE party: attestation report and token exchange (protocol 1), the initiator of the
 * salted TPM session with PolicySigned (protocol 2), and the receiver of the sealed secret
 * (protocol 3), which it stores in TEE secure storage.
 *
 * Change from the design, recorded here and in the README: before the TEE signs PolicySigned
 * it checks one response HMAC of the new session (`ConfirmSession`). Without that key
 * confirmation the attacker can relay the TEE's signature over the nonceTPM of a session the
 * attacker opened itself (a salted session it knows the key of), which authorises the attacker's
 * session for Unseal. TPM2_PolicySigned cannot bind the signature to the salt, so the TEE must
 * first learn that nonceTPM belongs to its own session.
 * @module
 */
import { type Step, check, claim, fresh, let_, recv, send, store } from '../steps.ts';
import { G, TRUE, c, exp, kdfa, kdfe, pk, sdec, sign, tup, v, verify } from '../terms.ts';
import { roleMachine } from '../role.ts';
import type { KeyExchangeOptions } from './tpm.ts';
import { SESSION, commandClaim, commandMac, getRandomMac, policyStatement, responseClaim, responseMac, teeChallenge, teeReport, teeToken, tpmToken } from './messages.ts';
import { runsGetRandom, teeGetRandom, teeGetRandomResponse } from './session-commands.ts';
import { K, TEE_SECURE_STORAGE } from './vocabulary.ts';
import { teeRecordTransitions, teeWriteRecord } from './channel-records.ts';

/** TEE role of protocol 1 (subsystem attestation). */
export function teeAttestation() {
  const { self, ttp, nA, skHW, mTEE, skT, pkT, report, tokTEE, idTEE, pkTTP, tokTPM, idTPM, Q } = K;
  return roleMachine({
    role: 'TEE',
    party: 'TEE',
    initial: 'waitChallenge',
    knows: [self, ttp, skHW, mTEE, idTEE, pkTTP],
    transitions: [
      {
        label: 'tee.report',
        from: 'waitChallenge',
        to: 'waitToken',
        trigger: 'MSG',
        steps: [
          recv('TTP', 'ChallengeTEE', teeChallenge({ nonce: nA })),
          fresh(skT), // the per-boot identity key ~skT
          let_(pkT, pk(skT)),
          let_(report, sign(teeReport({ measurement: mTEE, nonce: nA, key: pkT }), skHW)),
          claim('Running', 'tee-key', ttp, tup(self, pkT)),
          send('TTP', 'Report', tup(report, pkT)),
        ],
      },
      {
        label: 'tee.receiveToken',
        from: 'waitToken',
        to: 'waitPeerToken',
        trigger: 'MSG',
        steps: [
          recv('TTP', 'TokenTEE', tokTEE),
          check('tokTEE', verify(tokTEE, teeToken({ id: idTEE, node: self, key: pkT }), pkTTP), TRUE, 'the TTP token for pk(skT) and this node'),
        ],
      },
      {
        label: 'tee.checkPeerToken',
        from: 'waitPeerToken',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('TPM', 'PeerTokenTPM', tup(tokTPM, idTPM, Q)),
          check('tokTPM', verify(tokTPM, tpmToken({ id: idTPM, node: self, key: Q }), pkTTP), TRUE, 'the TTP token of the TPM for this node'),
          claim('Commit', 'tok-tpm', self, tup(self, Q)),
          send('TPM', 'PeerTokenTEE', tup(tokTEE, idTEE, pkT)),
          claim('Finish', 'attestation', null, self),
        ],
      },
    ],
  });
}

/** TEE role of protocol 2 (key exchange) and, with `unseal`, protocol 3 (provisioning). */
export function teeKeyExchange(opts: KeyExchangeOptions = {}) {
  const { self, skT, tokTEE, idTEE, pkTTP, tokTPM, idTPM, Q, e, E, nC, Z, seed, sh, nT, sKey, nC1, nT1, nC2, nT2, pol } = K;
  const twoPhase = opts.mode === 'two-phase';
  const R = v('R', 'point');
  const Z2 = v('Z2', 'point');
  const mac1 = v('mac1', 'digest');
  const mac2 = v('mac2', 'digest');
  const seedSteps: Step[] = twoPhase
    ? [let_(Z2, exp(R, e)), let_(seed, kdfe(tup(Z, Z2), 'SECRET', E, Q))]
    : [let_(seed, kdfe(Z, 'SECRET', E, Q))];
  const transitions = [
    {
      label: 'tee.startAuthSession',
      from: 'waitKey',
      to: 'waitAuthSession',
      trigger: 'MSG' as const,
      steps: [
        recv('TPM', 'PublicKeyQ', tup(tokTPM, idTPM, Q)),
        check('tokTPM', verify(tokTPM, tpmToken({ id: idTPM, node: self, key: Q }), pkTTP), TRUE, 'the TTP token of the TPM for this node'),
        fresh(e),
        fresh(nC),
        let_(E, exp(G, e)),
        // encryptedSalt for an ECC tpmKey: the ephemeral point; Z = Q^e — Part 1 §C.6.4 (KDFe 'SECRET')
        let_(Z, exp(Q, e)),
        ...(twoPhase ? [] : seedSteps),
        send('TPM', 'StartAuthSession', tup(c('StartAuthSession'), E, nC)),
      ],
    },
    {
      label: 'tee.confirmSession',
      from: 'waitAuthSession',
      to: 'waitConfirm',
      trigger: 'MSG' as const,
      steps: [
        recv('TPM', 'AuthSession', twoPhase ? tup(sh, nT, R) : tup(sh, nT)),
        ...(twoPhase ? seedSteps : []),
        let_(sKey, kdfa(seed, 'ATH', nT, nC)),
        fresh(nC1),
        claim('Running', 'session', self, tup(E, nC, nT)),
        claim('Running', 'cmd', self, commandClaim({ cp: SESSION.getRandom.command, nonceCaller: nC1, nonceTPM: nT })),
        send('TPM', 'ConfirmSession', tup(SESSION.getRandom.command, nC1, getRandomMac({ key: sKey, nonceCaller: nC1, nonceTPM: nT }))),
      ],
    },
    {
      label: 'tee.policySigned',
      from: 'waitConfirm',
      to: 'waitPolicyResponse',
      trigger: 'MSG' as const,
      steps: [
        recv('TPM', 'ConfirmResponse', tup(nT1, mac1)),
        check('response HMAC', mac1, responseMac({ key: sKey, rp: SESSION.getRandom.response, nonceTPM: nT1, nonceCaller: nC1 }), 'the response HMAC under the session key'),
        claim('Commit', 'cmd', null, responseClaim({ rp: SESSION.getRandom.response, nonceTPM: nT1, nonceCaller: nC1 })),
        claim('Commit', 'session', self, tup(E, nC, nT)),
        claim('Secret', 'skey', self, sKey),
        fresh(nC2),
        let_(pol, sign(policyStatement({ nonce: nT1, handle: sh }), skT)),
        claim('Running', 'cmd', self, commandClaim({ cp: tup(SESSION.policySigned.command, pol), nonceCaller: nC2, nonceTPM: nT1 })),
        send('TPM', 'PolicySigned', tup(tokTEE, idTEE, pk(skT), pol, nC2, commandMac({ key: sKey, cp: tup(SESSION.policySigned.command, pol), nonceCaller: nC2, nonceTPM: nT1 }))),
      ],
    },
    {
      label: 'tee.policyDone',
      from: 'waitPolicyResponse',
      to: opts.unseal ? 'waitUnsealResponse' : opts.records ? 'written1' : runsGetRandom(opts) ? 'waitGetRandom' : 'done',
      trigger: 'MSG' as const,
      steps: [
        recv('TPM', 'PolicySignedResponse', tup(nT2, mac2)),
        check('response HMAC', mac2, responseMac({ key: sKey, rp: SESSION.policySigned.response, nonceTPM: nT2, nonceCaller: nC2 }), 'the response HMAC under the session key'),
        claim('Commit', 'cmd', null, responseClaim({ rp: SESSION.policySigned.response, nonceTPM: nT2, nonceCaller: nC2 })),
        // the session's payload: Unseal, the channel's records, or (protocol 2) a GetRandom
        ...(opts.unseal ? unsealRequest() : opts.records ? teeWriteRecord(1) : runsGetRandom(opts) ? teeGetRandom() : [claim('Finish', 'key-exchange', null, self)]),
      ],
    },
  ];
  if (runsGetRandom(opts)) transitions.push(teeGetRandomResponse('done', [claim('Finish', 'key-exchange', null, self)]));
  if (opts.unseal) transitions.push(unsealReceive());
  if (opts.records) transitions.push(...teeRecordTransitions(opts.records));
  return roleMachine({
    role: 'TEE',
    party: 'TEE',
    initial: 'waitKey',
    knows: [self, skT, tokTEE, idTEE, pkTTP],
    transitions,
  });
}

/** Protocol 3, TEE side: the Unseal command in the session. */
function unsealRequest(): Step[] {
  const { self, sKey, nC3, nT2: nT } = K;
  return [
    fresh(nC3),
    claim('Running', 'cmd', self, commandClaim({ cp: SESSION.unseal.command, nonceCaller: nC3, nonceTPM: nT })),
    send('TPM', 'Unseal', tup(SESSION.unseal.command, nC3, commandMac({ key: sKey, cp: SESSION.unseal.command, nonceCaller: nC3, nonceTPM: nT }))),
  ];
}

/** Protocol 3, TEE side: check the response HMAC, decrypt, store in secure storage. */
function unsealReceive() {
  const { self, sKey, nC3, nT3, ct, S } = K;
  const mac3 = v('mac3', 'digest');
  return {
    label: 'tee.receiveSecret',
    from: 'waitUnsealResponse',
    to: 'done',
    trigger: 'MSG' as const,
    steps: [
      recv('TPM', 'UnsealResponse', tup(ct, nT3, mac3)),
      check('Unseal response HMAC', mac3, responseMac({ key: sKey, rp: ct, nonceTPM: nT3, nonceCaller: nC3 }), 'the response HMAC under the session key'),
      claim('Commit', 'cmd', null, responseClaim({ rp: ct, nonceTPM: nT3, nonceCaller: nC3 })),
      let_(S, sdec(ct, kdfa(sKey, 'CFB', nT3, nC3)), 'decrypt'),
      store(TEE_SECURE_STORAGE, S),
      claim('Commit', 'secret', self, tup(S, nC3, nT3)),
      claim('Secret', 'S', self, S),
      claim('Finish', 'provisioning', null, self),
    ],
  };
}
