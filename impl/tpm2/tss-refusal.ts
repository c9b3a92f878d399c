/**
 * The TSS refusing a value before it is sent to the TPM (a malformed point, a nonce of the wrong
 * length, a number that does not fit its field). A RangeError, as before, so callers that test
 * for one still see it; but its own class, so a run reports exactly these as the TSS's check
 * (`tss-check`) and every other RangeError — a stack overflow, an out-of-bounds DataView read:
 * a defect — as what it is.
 * @module
 */
export class TssRefusal extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'TssRefusal';
  }
}
