/**
 * What the TSS bridge reports besides the run: the checks done by the TPM or by the TSS, the
 * real TPM commands sent, what the TPM attested (protocol 1), and the bridge's typed failure.
 * @module
 */
import { EvalFailure } from '../runtime/evaluate.ts';
import { TpmResponseAuthError } from '../tpm2/command-executor.ts';
import { TpmMarshalError } from '../tpm2/marshal-reader.ts';
import { TpmError } from '../tpm2/response-codes.ts';
import { TpmTransportError } from '../tpm2/transport.ts';
import { TssRefusal } from '../tpm2/tss-refusal.ts';

/** A check done by the bridge or by the TPM, for the report. */
export interface BridgeFact {
  readonly by: 'tpm' | 'tss';
  readonly what: string;
  readonly ok: boolean;
}

/** One real TPM command the bridge sent. */
export interface TpmCommandRecord {
  readonly command: string;
  /** for the message it served */
  readonly forMessage: string;
  /** the TPM's response HMAC verified under the caller's sKey (null: no session in the command) */
  readonly responseHmacVerified: boolean | null;
}

/** Protocol 1: what the TPM attested, for the report. */
export interface AttestationRecord {
  readonly ak: { readonly point: string; readonly name: string };
  readonly q: { readonly point: string; readonly name: string };
  readonly pcrSelection: string;
  /** the TTP's reference `pcr`: SHA-256(TPMS_QUOTE_INFO) at set-up */
  readonly pcrReference: string;
  certify: { readonly extraData: string; readonly certifiedName: string; readonly attest: string } | null;
  quote: { readonly extraData: string; readonly pcrDigest: string; readonly quoteState: string; readonly attest: string } | null;
  /** a measured boot (the TZTCM's): the device's event log checked against the verifier's
   * reference values (measured-boot-check.ts); null where the TPM brings no event log */
  measuredBoot: {
    readonly log: readonly { readonly pcr: number; readonly alg: string; readonly digest: string; readonly event: string }[];
    /** every event that is not the reference value, one line each */
    readonly problems: readonly string[];
    /** the composite digest the log replays to over the quoted selection (hex) */
    readonly logPcrDigest: string;
    /** the log replays to the quote's pcrDigest (null before the quote) */
    logMatchesQuote: boolean | null;
  } | null;
}

/** The run failed in the bridge: a TPM error code, a response HMAC that did not verify, a TSS check. */
export class BridgeFailure extends Error {
  constructor(
    readonly kind: 'tpm-rc' | 'response-auth' | 'tss-check' | 'transport' | 'interrupted' | 'boot',
    /** TPM2_Unseal, or the message label for a TSS check */
    readonly command: string,
    /** the TPM response code name (TPM_RC_POLICY_FAIL) for kind 'tpm-rc' */
    readonly rc: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeFailure';
  }
}

/** The bridge's failure for an error of the TPM, the transport or the TSS; anything else is a bug
 * and is thrown on. */
export function asBridgeFailure(e: unknown): BridgeFailure {
  if (e instanceof BridgeFailure) return e;
  if (e instanceof TpmError) return new BridgeFailure('tpm-rc', e.command, e.name, e.message);
  if (e instanceof TpmResponseAuthError) return new BridgeFailure('response-auth', e.command, null, e.message);
  if (e instanceof TpmTransportError) return new BridgeFailure('transport', 'transport', null, e.message);
  if (e instanceof TpmMarshalError) return new BridgeFailure('tss-check', 'TPM response', null, e.message);
  if (e instanceof EvalFailure) return new BridgeFailure('tss-check', 'message', null, e.message);
  // the TSS refusing a value before sending it to the TPM (a malformed point or nonce); any
  // other RangeError is a defect and is not reported as a check
  if (e instanceof TssRefusal) return new BridgeFailure('tss-check', 'message', null, e.message);
  throw e;
}
