/**
 * The verifier's measured-boot check (TCG PC Client PFP §10: a verifier replays the event log and
 * compares it with the quote; the comparison with reference values of RFC 9334, the RATS
 * architecture, §8.3): given a device's boot event log and the verifier's own
 * reference log,
 *
 *  - the PCRs to quote are those the log extends, beside the bridge's usual selection;
 *  - the verifier's reference `pcr` (what the attestation protocol's TTP compares the quote
 *    with) is computed from its reference values — PCR_new = SHA-256(PCR_old ‖ digest) from zero
 *    (TPM 2.0 Part 1 §17.2) — never read from the device;
 *  - each event of the device's log is compared with the reference, per PCR in order: the first
 *    difference names the event and both digests;
 *  - the log's replay must give the quoted PCR digest, else the log was altered or is incomplete.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { PcrSelection } from '../tpm2/pcr-selection.ts';
import { pcrCompositeDigest } from '../tpm2/policy-digest.ts';
import { TPM_ALG } from '../tpm2/spec-constants.ts';
import { quoteStateDigest } from '../tpm2/attested-statement.ts';

/** One event-log entry (the TCG_PCR_EVENT2 fields the check needs). */
export interface MeasuredEvent {
  readonly pcr: number;
  readonly alg: string;
  /** hex */
  readonly digest: string;
  readonly event: string;
}

export interface MeasuredBoot {
  /** the device's event log, as the normal world handed it over (untrusted) */
  readonly log: readonly MeasuredEvent[];
  /** the verifier's reference values, as an event log of an honest boot */
  readonly reference: readonly MeasuredEvent[];
}

const sha = (e: MeasuredEvent) => e.alg === 'sha256';
const short = (h: string) => `${h.slice(0, 16)}…`;

/** SHA-256 bank values of `pcrs` after replaying the SHA-256 entries of `log` from zero. */
export function replay(log: readonly MeasuredEvent[], pcrs: readonly number[]): Uint8Array[] {
  return pcrs.map((i) => {
    let v = new Uint8Array(32);
    for (const e of log) if (e.pcr === i && sha(e)) v = sha256(new Uint8Array([...v, ...Buffer.from(e.digest, 'hex')]));
    return v;
  });
}

/** The selection to quote: `base` with every PCR the log extends in the SHA-256 bank. */
export function measuredSelection(base: PcrSelection, boot: MeasuredBoot): PcrSelection {
  const pcrs = new Set(base.find((b) => b.hashAlg === TPM_ALG.SHA256)?.pcrs ?? []);
  for (const e of [...boot.log, ...boot.reference]) if (sha(e)) pcrs.add(e.pcr);
  return [{ hashAlg: TPM_ALG.SHA256, pcrs: [...pcrs].sort((a, b) => a - b) }];
}

/** SHA-256(TPMS_QUOTE_INFO) of the PCR state `log` gives over `selection`. */
export function quoteStateOf(log: readonly MeasuredEvent[], selection: PcrSelection): { pcrDigest: Uint8Array; quoteState: Uint8Array } {
  const pcrDigest = pcrCompositeDigest(replay(log, selection[0]!.pcrs));
  return { pcrDigest, quoteState: quoteStateDigest(selection, pcrDigest) };
}

/** Every difference between the device's log and the reference, in PCR order, one line each. */
export function compareWithReference(boot: MeasuredBoot): string[] {
  const problems: string[] = [];
  const pcrs = [...new Set([...boot.log, ...boot.reference].filter(sha).map((e) => e.pcr))].sort((a, b) => a - b);
  for (const i of pcrs) {
    const got = boot.log.filter((e) => e.pcr === i && sha(e));
    const want = boot.reference.filter((e) => e.pcr === i && sha(e));
    for (let k = 0; k < Math.max(got.length, want.length); k++) {
      const g = got[k];
      const w = want[k];
      if (!g) problems.push(`PCR ${i} event ${k + 1}: missing from the log (the reference has '${w!.event}' ${short(w!.digest)})`);
      else if (!w) problems.push(`PCR ${i} event ${k + 1} '${g.event}' ${short(g.digest)}: not in the reference values`);
      else if (g.digest !== w.digest) problems.push(`PCR ${i} event ${k + 1} '${g.event}': digest ${short(g.digest)} is not the reference ${short(w.digest)} ('${w.event}')`);
    }
  }
  return problems;
}
