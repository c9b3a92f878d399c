/**
 * What concrete evaluation needs and how it fails: shared by the evaluator (evaluate.ts) and
 * the per-symbol implementations it dispatches to (primitives.ts).
 * @module
 */
import type { CryptoSuite, RandomSource } from '../crypto/index.ts';
import { type Value, constV } from '../wire/value.ts';
import type { FailureCode } from '../../models/role.ts';

/** Evaluation failed: the step that evaluated the term fails with this code. */
export class EvalFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
  }
}

export interface EvalDeps {
  readonly suite: CryptoSuite;
  readonly rng: RandomSource;
  /** TEST ONLY: check labels to skip (see RunOptions.skipChecks) */
  readonly skipChecks?: ReadonlySet<string>;
  /** values decided outside the interpreter for `fresh`/`let` variables — e.g. a nonceTPM a real
   * TPM chose, or a key it derived inside (impl/tpm2-bridge); undefined: compute as usual */
  readonly override?: (variable: string) => Value | undefined;
  /** signature verdicts decided outside the interpreter — a real TPM's TPM2_VerifySignature over
   * SHA-256(encode(message)), a TPM attestation's statement (impl/tpm2-bridge); undefined:
   * verify with the suite */
  readonly verifier?: (sig: Extract<Value, { k: 'sig' }>, message: Value, pk: Extract<Value, { k: 'point' }>) => boolean | undefined;
}

export const TRUE_V: Value = constV('true');
