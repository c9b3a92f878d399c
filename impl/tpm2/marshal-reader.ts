/**
 * Big-endian reader for TPM 2.0 canonical marshalling (TPM 2.0 Part 1 §18.2), the inverse of
 * marshal-writer.ts. Every read is bounds-checked: a response that ends early or a size field
 * that points past its container is a {@link TpmMarshalError}, never an out-of-range read.
 * @module
 */

/** A structure in a TPM response did not parse. */
export class TpmMarshalError extends Error {
  constructor(
    message: string,
    /**
     * Why, for a TPM that answers with a response code (TPM 2.0 Part 2 §6.6.3): 'short' input
     * ended early (TPM_RC_INSUFFICIENT), 'size' a size field over its bound (TPM_RC_SIZE),
     * 'trailing' bytes left over (TPM_RC_SIZE), 'hash' an algorithm that is not a hash
     * (TPM_RC_HASH), 'value' anything else.
     */
    readonly reason: 'short' | 'size' | 'trailing' | 'hash' | 'value' = 'value',
  ) {
    super(message);
    this.name = 'TpmMarshalError';
  }
}

export class TpmReader {
  private off = 0;

  constructor(
    private readonly buf: Uint8Array,
    /** What is being read, for error messages ('TPM2_Quote response'). */
    readonly what = 'TPM data',
  ) {}

  private need(n: number, field: string): void {
    if (this.off + n > this.buf.length) {
      throw new TpmMarshalError(`${this.what}: ${field} needs ${n} bytes at offset ${this.off}, ${this.remaining} left`, 'short');
    }
  }

  u8(field = 'u8'): number {
    this.need(1, field);
    return this.buf[this.off++] as number;
  }
  u16(field = 'u16'): number {
    this.need(2, field);
    const v = ((this.buf[this.off] as number) << 8) | (this.buf[this.off + 1] as number);
    this.off += 2;
    return v;
  }
  u32(field = 'u32'): number {
    this.need(4, field);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.off, 4).getUint32(0, false);
    this.off += 4;
    return v;
  }
  u64(field = 'u64'): bigint {
    this.need(8, field);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset + this.off, 8).getBigUint64(0, false);
    this.off += 8;
    return v;
  }
  bytes(n: number, field = 'bytes'): Uint8Array {
    this.need(n, field);
    const v = this.buf.slice(this.off, this.off + n);
    this.off += n;
    return v;
  }
  /** TPM2B_*: UINT16 size || buffer; `max` bounds the size (e.g. a digest is at most 64). */
  tpm2b(field = 'tpm2b', max = 0xffff): Uint8Array {
    const n = this.u16(`${field}.size`);
    if (n > max) throw new TpmMarshalError(`${this.what}: ${field}.size ${n} exceeds ${max}`, 'size');
    return this.bytes(n, field);
  }
  /** A size-prefixed structure parsed by `body`, which must consume exactly `size` bytes. */
  sized<T>(field: string, body: (r: TpmReader) => T): T {
    const inner = new TpmReader(this.tpm2b(field), `${this.what} ${field}`);
    const v = body(inner);
    inner.end();
    return v;
  }
  get offset(): number {
    return this.off;
  }
  get remaining(): number {
    return this.buf.length - this.off;
  }
  /** The rest of the buffer. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }
  /** Assert that everything was consumed (no trailing bytes). */
  end(): void {
    if (this.off !== this.buf.length) {
      throw new TpmMarshalError(`${this.what}: ${this.buf.length - this.off} unexpected trailing bytes`, 'trailing');
    }
  }
}
