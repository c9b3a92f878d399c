/**
 * The trusted third party of protocol 1: verifies the TEE's report and the TPM's certify/quote
 * against reference values and enrolled keys, and issues each subsystem a token the other can
 * check offline. One TTP role instance attests one node (agent variable `node`).
 * @module
 */
import { check, claim, fresh, let_, recv, send } from '../steps.ts';
import { TRUE, c, sign, tup, verify } from '../terms.ts';
import { roleMachine } from '../role.ts';
import { certifyEvidence, certifyStatement, quoteEvidence, quoteRequest, quoteStatement, teeChallenge, teeReport, teeToken, tpmChallenge, tpmToken } from './messages.ts';
import { K } from './vocabulary.ts';

/** TTP role of protocol 1 (subsystem mutual attestation). */
export function ttpAttestation() {
  const { self, node, skTTP, pkHW, mTEE, pkAK, pcr, idTEE, idTPM, nA, nB, report, pkT, cert, quote, Q, tokTEE, tokTPM } = K;
  return roleMachine({
    role: 'TTP',
    party: 'TTP',
    initial: 'start',
    // reference values and enrolled keys of the node it attests
    knows: [self, node, skTTP, pkHW, mTEE, pkAK, pcr, idTEE, idTPM],
    transitions: [
      {
        label: 'ttp.challengeTEE',
        from: 'start',
        to: 'waitReport',
        trigger: 'START',
        steps: [fresh(nA), send('TEE', 'ChallengeTEE', teeChallenge({ nonce: nA }))],
      },
      {
        label: 'ttp.issueTEE',
        from: 'waitReport',
        to: 'waitEvidence',
        trigger: 'MSG',
        steps: [
          recv('TEE', 'Report', tup(report, pkT)),
          // the report is signed by the vendor-rooted key, carries a reference measurement and
          // binds this challenge to the reported key
          check('report', verify(report, teeReport({ measurement: mTEE, nonce: nA, key: pkT }), pkHW), TRUE, 'the TEE report under pk(skHW) with the reference measurement'),
          claim('Commit', 'tee-key', node, tup(node, pkT)),
          let_(tokTEE, sign(teeToken({ id: idTEE, node, key: pkT }), skTTP)),
          send('TEE', 'TokenTEE', tokTEE),
          claim('Running', 'tok-tee', node, tup(node, pkT)),
          fresh(nB),
          send('TPM', 'ChallengeTPM', tpmChallenge({ nonce: nB })),
        ],
      },
      {
        label: 'ttp.requestQuote',
        from: 'waitEvidence',
        to: 'waitQuote',
        trigger: 'MSG',
        steps: [
          recv('TPM', 'Certify', tup(cert, Q)),
          check('certify', verify(cert, certifyStatement({ key: Q, nonce: nB }), pkAK), TRUE, 'TPM2_Certify of Q under the enrolled pk(skAK) with nB'),
          claim('Commit', 'tpm-evidence', node, certifyEvidence({ nonce: nB, key: Q })),
          send('TPM', 'QuoteRequest', quoteRequest({ nonce: nB })),
        ],
      },
      {
        label: 'ttp.issueTPM',
        from: 'waitQuote',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('TPM', 'Quote', quote),
          check('quote', verify(quote, quoteStatement({ pcr, nonce: nB }), pkAK), TRUE, 'TPM2_Quote of the reference PCR under pk(skAK) with nB'),
          claim('Commit', 'tpm-evidence', node, quoteEvidence({ nonce: nB, pcr })),
          let_(tokTPM, sign(tpmToken({ id: idTPM, node, key: Q }), skTTP)),
          claim('Running', 'tok-tpm', node, tup(node, Q)),
          send('TPM', 'TokenTPM', tokTPM),
          claim('Finish', 'attestation', null, self),
        ],
      },
    ],
  });
}
