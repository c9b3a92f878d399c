/**
 * Big-endian writer for TPM 2.0 canonical marshalling (TPM 2.0 Part 1 §18.2: all integers are
 * big-endian, no padding; a TPM2B is a UINT16 size followed by that many octets; a "sized"
 * structure such as TPM2B_PUBLIC is a UINT16 size followed by the marshalled structure).
 * @module
 */
import { TssRefusal } from './tss-refusal.ts';

export class TpmWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private uint(v: number, bytes: number, what: string): this {
    const max = 2 ** (8 * bytes);
    if (!Number.isInteger(v) || v < 0 || v >= max) throw new TssRefusal(`${what}: ${v} is not a UINT${8 * bytes}`);
    this.room(bytes);
    for (let i = bytes - 1; i >= 0; i--) {
      this.buf[this.len + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    this.len += bytes;
    return this;
  }

  u8(v: number): this {
    return this.uint(v, 1, 'u8');
  }
  u16(v: number): this {
    return this.uint(v, 2, 'u16');
  }
  u32(v: number): this {
    return this.uint(v >>> 0 === v ? v : NaN, 4, 'u32');
  }
  /** INT32 (two's complement), e.g. PolicySigned's expiration. */
  i32(v: number): this {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new TssRefusal(`i32: ${v} out of range`);
    return this.uint(v >>> 0, 4, 'i32');
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  /** TPM2B_*: UINT16 size || buffer. */
  tpm2b(b: Uint8Array): this {
    if (b.length > 0xffff) throw new TssRefusal(`tpm2b: ${b.length} bytes do not fit a UINT16 size`);
    return this.u16(b.length).bytes(b);
  }
  /** A size-prefixed structure (TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE, …): UINT16 size || body. */
  sized(body: (w: TpmWriter) => void): this {
    const inner = new TpmWriter();
    body(inner);
    return this.tpm2b(inner.finish());
  }
  get length(): number {
    return this.len;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Marshal with a fresh writer. */
export function marshal(body: (w: TpmWriter) => void): Uint8Array {
  const w = new TpmWriter();
  body(w);
  return w.finish();
}
