/**
 * Reads a command's parameter area one numbered parameter at a time, so that a parameter that
 * does not unmarshal is answered as TPM 2.0 Part 3 §5.2 / Part 2 §6.6.2 say: the error number
 * with TPM_RC_P and the 1-based parameter number (TPM_RC_INSUFFICIENT when the input ends early,
 * TPM_RC_SIZE when a size is over its bound, TPM_RC_VALUE otherwise), and TPM_RC_SIZE without a
 * number when bytes are left over after the last parameter. The marshalling itself is
 * impl/tpm2's TpmReader.
 * @module
 */
import { TpmMarshalError, TpmReader } from '../../tpm2/marshal-reader.ts';
import { RC, TpmRc, rcParam } from './rc.ts';

export class ParamReader {
  private readonly r: TpmReader;
  private n = 0;

  constructor(bytes: Uint8Array, what: string) {
    this.r = new TpmReader(bytes, what);
  }

  /** Parameter number n+1: `read` unmarshals it; a marshalling or value error is numbered. */
  next<T>(read: (r: TpmReader) => T): T {
    this.n++;
    try {
      return read(this.r);
    } catch (e) {
      if (e instanceof TpmRc) throw new TpmRc(e.rc & 0x40 || e.rc & 0x800 || !(e.rc & 0x80) ? e.rc : rcParam(e.rc, this.n), e.message);
      if (e instanceof TpmMarshalError) {
        const base = e.reason === 'short' ? RC.INSUFFICIENT : e.reason === 'size' || e.reason === 'trailing' ? RC.SIZE : e.reason === 'hash' ? RC.HASH : RC.VALUE;
        throw new TpmRc(rcParam(base, this.n), e.message);
      }
      throw e;
    }
  }

  /** The number of the parameter just read (for a check made after reading it). */
  get number(): number {
    return this.n;
  }

  /** No bytes may follow the last parameter (Part 3 §5.2: TPM_RC_SIZE). */
  end(): void {
    if (this.r.remaining !== 0) throw new TpmRc(RC.SIZE, `${this.r.remaining} bytes after the last parameter`);
  }
}

/** Refuse a value of parameter `n` (checked after unmarshalling) with a numbered code. */
export function badParam(rc: number, n: number, why = ''): TpmRc {
  return new TpmRc(rcParam(rc, n), why);
}
