/**
 * The role machine's signature checks — `check(verify(sig, m, pk), true)` — done by the TPM:
 * TPM2_LoadExternal of pk, TPM2_VerifySignature (TPM 2.0 Part 3 §20.1) over the digest the suite's
 * sign signs (ECDSA-P256: SHA-256(encode(m)); SM2: SM3(Z_A ‖ encode(m))), FlushContext. The verdicts
 * reach the machine's own check through the evaluator's `verifier` hook. A check whose terms are
 * not all bound before the transition runs, or whose key is not a valid point, stays with our
 * crypto (and is reported as the TSS's). A refusal (TPM_RC_SIGNATURE) ends the run as the TPM's
 * verdict, before any further TPM command for this message.
 * @module
 */
import type { TransitionSpec } from '../../models/steps.ts';
import { type EvalDeps, EvalFailure, evaluate } from '../runtime/evaluate.ts';
import { TpmError } from '../tpm2/response-codes.ts';
import type { TpmSessionClient } from '../tpm2/session-client.ts';
import { attestOf } from '../tpm2/value-forms.ts';
import { encode } from '../wire/codec.ts';
import { type Value, hex } from '../wire/value.ts';
import { type BridgeFact, BridgeFailure, type TpmCommandRecord } from './bridge-records.ts';

const bytesOf = (x: Value): Uint8Array => (x.k === 'tuple' || x.k === 'const' ? encode(x) : x.b);

/** The TPM's signature verdicts for one transition, looked up by (signature, message, key). */
export class TpmVerdicts {
  private readonly byKey = new Map<string, { ok: boolean; step: number }>();
  private readonly used = new Set<number>();
  private static key(sig: Value, message: Uint8Array, pk: Value): string {
    return `${hex(bytesOf(sig))}|${hex(message)}|${hex(bytesOf(pk))}`;
  }
  add(step: number, sig: Value, message: Uint8Array, pk: Value, ok: boolean): void {
    this.byKey.set(TpmVerdicts.key(sig, message, pk), { ok, step });
  }
  /** the evaluator's `verifier` hook */
  readonly decide: NonNullable<EvalDeps['verifier']> = (sig, m, pk) => {
    if (attestOf(sig)) return undefined;
    const v = this.byKey.get(TpmVerdicts.key(sig, encode(m), pk));
    if (v) this.used.add(v.step);
    return v?.ok;
  };
  /** did the machine's check at step `i` get the TPM's verdict? */
  usedFor(i: number): boolean {
    return this.used.has(i);
  }
}

export async function tpmSignatureChecks(
  client: TpmSessionClient,
  spec: TransitionSpec,
  env: Readonly<Record<string, Value>>,
  deps: EvalDeps,
  forMessage: string,
  out: { readonly commands: TpmCommandRecord[]; readonly facts: BridgeFact[] },
): Promise<TpmVerdicts> {
  const verdicts = new TpmVerdicts();
  const refused: string[] = [];
  for (const [i, st] of spec.steps.entries()) {
    if (st.op !== 'check' || deps.skipChecks?.has(st.label)) continue;
    const t = st.left.t === 'app' && st.left.f === 'verify' ? st.left : st.right.t === 'app' && st.right.f === 'verify' ? st.right : null;
    if (!t) continue;
    let sig: Value, m: Value, pk: Value;
    try {
      [sig, m, pk] = t.args.map((a) => evaluate(a, env, deps)) as [Value, Value, Value];
    } catch (e) {
      if (e instanceof EvalFailure) continue; // bound only inside the transition: our crypto decides
      throw e;
    }
    if (sig.k !== 'sig' || attestOf(sig) || pk.k !== 'point' || !deps.suite.isValidPoint(pk.b)) continue;
    const message = encode(m);
    let ok = true;
    try {
      await client.verifyWithExternalKey(pk.b, message, sig.b);
    } catch (e) {
      if (!(e instanceof TpmError && e.name === 'TPM_RC_SIGNATURE')) throw e;
      ok = false;
    }
    out.commands.push({ command: 'TPM2_VerifySignature', forMessage, responseHmacVerified: null });
    verdicts.add(i, sig, message, pk, ok);
    if (!ok) {
      refused.push(`check ${st.label} failed: ${st.why}`);
      out.facts.push({ by: 'tpm', what: `TPM machine check '${st.label}' (${st.why}): TPM2_VerifySignature refused the signature (TPM_RC_SIGNATURE)`, ok: false });
    }
  }
  if (refused.length) throw new BridgeFailure('tpm-rc', 'TPM2_VerifySignature', 'TPM_RC_SIGNATURE', `${spec.label}: ${refused.join('; ')} — refused by the TPM`);
  return verdicts;
}
