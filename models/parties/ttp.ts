/**
 * The trusted third party of protocol 1: verifies the TEE's report and the TPM's certify/quote
 * against reference values and enrolled keys, and issues each subsystem a token the other can
 * check offline. One TTP role instance attests one node (agent variable `node`).
 * @module
 */
import { check, claim, fresh, let_, recv, send } from '../steps.ts';
import { TRUE, c, h, sign, tup, verify } from '../terms.ts';
import { roleMachine } from '../role.ts';
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
        steps: [fresh(nA), send('TEE', 'ChallengeTEE', tup(c('chal_tee'), nA))],
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
          check('report', verify(report, tup(c('report'), mTEE, h(tup(nA, pkT))), pkHW), TRUE, 'the TEE report under pk(skHW) with the reference measurement'),
          claim('Commit', 'tee-key', node, tup(node, pkT)),
          let_(tokTEE, sign(tup(c('tok_tee'), idTEE, node, pkT), skTTP)),
          send('TEE', 'TokenTEE', tokTEE),
          claim('Running', 'tok-tee', node, tup(node, pkT)),
          fresh(nB),
          send('TPM', 'ChallengeTPM', tup(c('chal_tpm'), nB)),
        ],
      },
      {
        label: 'ttp.requestQuote',
        from: 'waitEvidence',
        to: 'waitQuote',
        trigger: 'MSG',
        steps: [
          recv('TPM', 'Certify', tup(cert, Q)),
          check('certify', verify(cert, tup(c('certify'), Q, nB), pkAK), TRUE, 'TPM2_Certify of Q under the enrolled pk(skAK) with nB'),
          claim('Commit', 'tpm-evidence', node, tup(c('certify'), nB, Q)),
          send('TPM', 'QuoteRequest', tup(c('quote_req'), nB)),
        ],
      },
      {
        label: 'ttp.issueTPM',
        from: 'waitQuote',
        to: 'done',
        trigger: 'MSG',
        steps: [
          recv('TPM', 'Quote', quote),
          check('quote', verify(quote, tup(c('quote'), pcr, nB), pkAK), TRUE, 'TPM2_Quote of the reference PCR under pk(skAK) with nB'),
          claim('Commit', 'tpm-evidence', node, tup(c('quote'), nB, pcr)),
          let_(tokTPM, sign(tup(c('tok_tpm'), idTPM, node, Q), skTTP)),
          claim('Running', 'tok-tpm', node, tup(node, Q)),
          send('TPM', 'TokenTPM', tokTPM),
          claim('Finish', 'attestation', null, self),
        ],
      },
    ],
  });
}
