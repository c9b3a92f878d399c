/**
 * The key-exchange session's command after PolicySigned: one TPM2_GetRandom (Part 3 §16.1) in the
 * authorised session, HMAC'd under the session key with the rolling nonces (Part 1 §19.6.5,
 * §19.6.6). It stands for the commands a TEE then runs in its session; written once for the TEE
 * (the caller: its TSS sends it) and the TPM.
 *
 * Why a command that does nothing: the freshness property P2.3 (no recorded command or response
 * accepted twice) is about what happens after the session is set up, so protocol 2 runs more than
 * one HMAC'd command in it, and each command and response carries the claim P2.3 reads
 * (`commandClaim`, `responseClaim`). The first command, ConfirmSession, is also a GetRandom (the
 * TSS sends TPM2_GetRandom for it on a real TPM); so a TSS that stops rolling nonceTPM into
 * GetRandom's HMAC has the TPM accept the recorded ConfirmSession again as this later command
 * (M2.4, found by the explorer at the second GetRandom). With the nonce, the HMAC of each command
 * covers a nonceTPM the TPM chose after the one before.
 *
 * Only where the session has no payload of its own: protocol 3's Unseal and the channel's first
 * record come straight after PolicySigned. A command in a policy session that rolls its nonce
 * resets the policy (the reference TPM's UpdateInternalSession calls SessionResetPolicyData;
 * swtpm then refuses the Unseal with TPM_RC_POLICY_FAIL), so Unseal, which PolicySigned
 * authorises, must be the next command; and those payloads are commands of the session already.
 * Nor in the two-phase mode (the forward-secrecy question, P2.4): with the GetRandom its search at
 * the default bound grew from 2343 states to more than 7900 and was cut at 120 s (inconclusive),
 * so that mode keeps its session of two commands, both judged by P2.3.
 * @module
 */
import { type Step, check, claim, fresh, recv, send } from '../steps.ts';
import type { KeyExchangeOptions } from './tpm.ts';
import { type Var, tup, v } from '../terms.ts';
import type { Tpm2Operation } from '../real-tpm.ts';
import { SESSION, commandClaim, getRandomMac, responseClaim, responseMac } from './messages.ts';
import { K } from './vocabulary.ts';

/** Does the session run the GetRandom after PolicySigned (protocol 2, salted, no payload)? */
export const runsGetRandom = (opts: KeyExchangeOptions): boolean => !opts.unseal && !opts.records && opts.mode !== 'two-phase';

/** The nonceTPM GetRandom rolls from: PolicySigned's response. */
const priorNonceTPM: Var = K.nT2;

/** TEE: send TPM2_GetRandom in the session (the end of `tee.policyDone`). */
export function teeGetRandom(): Step[] {
  const { self, sKey, nCg } = K;
  return [
    fresh(nCg),
    claim('Running', 'cmd', self, commandClaim({ cp: SESSION.getRandom.command, nonceCaller: nCg, nonceTPM: priorNonceTPM })),
    send('TPM', 'GetRandom', tup(SESSION.getRandom.command, nCg, getRandomMac({ key: sKey, nonceCaller: nCg, nonceTPM: priorNonceTPM }))),
  ];
}

/** TEE: accept GetRandom's response, then run `next`. */
export function teeGetRandomResponse(to: string, next: readonly Step[]) {
  const { sKey, nCg, nTg } = K;
  const mac = v('macg', 'digest');
  return {
    label: 'tee.getRandomDone',
    from: 'waitGetRandom',
    to,
    trigger: 'MSG' as const,
    steps: [
      recv('TPM', 'GetRandomResponse', tup(nTg, mac)),
      check('GetRandom response HMAC', mac, responseMac({ key: sKey, rp: SESSION.getRandom.response, nonceTPM: nTg, nonceCaller: nCg }), 'the response HMAC under the session key'),
      claim('Commit', 'cmd', null, responseClaim({ rp: SESSION.getRandom.response, nonceTPM: nTg, nonceCaller: nCg })),
      ...next,
    ],
  };
}

/** TPM: accept GetRandom in the authorised session and answer it, then run `after`. */
export function tpmGetRandom(to: string, after: readonly Step[]) {
  const { self, sKey, nCg, nTg } = K;
  const mac = v('macg', 'digest');
  return {
    label: 'tpm.getRandom',
    from: 'waitGetRandom',
    to,
    trigger: 'MSG' as const,
    steps: [
      recv('TEE', 'GetRandom', tup(SESSION.getRandom.command, nCg, mac)),
      check('GetRandom command HMAC', mac, getRandomMac({ key: sKey, nonceCaller: nCg, nonceTPM: priorNonceTPM }), 'the command HMAC under the session key'),
      // after PolicySigned the TPM knows the session is this node's TEE's: it commits at once
      claim('Commit', 'cmd', self, commandClaim({ cp: SESSION.getRandom.command, nonceCaller: nCg, nonceTPM: priorNonceTPM })),
      fresh(nTg),
      claim('Running', 'cmd', null, responseClaim({ rp: SESSION.getRandom.response, nonceTPM: nTg, nonceCaller: nCg })),
      send('TEE', 'GetRandomResponse', tup(nTg, responseMac({ key: sKey, rp: SESSION.getRandom.response, nonceTPM: nTg, nonceCaller: nCg }))),
      ...after,
    ],
  };
}

/** The command on a real TPM: TPM2_GetRandom in the session the TSS already holds. */
export const getRandomBinding: Record<string, Tpm2Operation> = {
  'tpm.getRandom': { op: 'TPM2_GetRandom', reads: { nonceCaller: K.nCg }, decides: { nonceTPM: K.nTg } },
};
