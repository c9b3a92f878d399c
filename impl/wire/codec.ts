/**
 * The strict, canonical byte encoding of values — one encoding per value, so that hashes, MACs
 * and signatures over encoded values are well defined and an altered byte is always noticed.
 *
 *   value  := tag:u8 body
 *   bytes  := 0x01 len:u32be data[len]        (len ≤ LIMITS.maxBytes)
 *   point  := 0x02 data[65]                   (SEC1 uncompressed: data[0] = 0x04)
 *   sig    := 0x03 data[64]                   (ECDSA r || s)
 *   scalar := 0x04 data[32]
 *   const  := 0x05 len:u8 ascii[len]          (1 ≤ len ≤ 64, printable ASCII)
 *   tuple  := 0x06 n:u8 value[n]              (0 ≤ n ≤ LIMITS.maxItems, depth ≤ LIMITS.maxDepth)
 *   form   := tag data[fixed] len:u32be extra[len]   (a sig or point in a form defined outside
 *                                             this layer, under that form's tag, forms.ts; e.g.
 *                                             0x07 a TPM's attestation signature and its
 *                                             TPMS_ATTEST bytes, impl/tpm2/value-forms.ts;
 *                                             1 ≤ len ≤ LIMITS.maxBytes)
 *
 * Decoding never throws: it returns a `DecodeError` value naming the offset and the problem.
 * @module
 */
import type { Value } from './value.ts';
import { formByTag, travellingForm } from './forms.ts';

export const LIMITS = {
  /** whole message */
  maxMessage: 1 << 20,
  maxBytes: 1 << 16,
  maxItems: 32,
  maxDepth: 12,
  maxConst: 64,
} as const;

const TAG = { bytes: 0x01, point: 0x02, sig: 0x03, scalar: 0x04, const: 0x05, tuple: 0x06 } as const;
const FIXED = { point: 65, sig: 64, scalar: 32 } as const;

export type DecodeErrorCode = 'empty' | 'truncated' | 'trailing' | 'bad-tag' | 'bad-length' | 'too-large' | 'too-deep' | 'bad-const' | 'bad-point';

export class DecodeError {
  readonly kind = 'decode-error' as const;
  constructor(
    readonly code: DecodeErrorCode,
    readonly offset: number,
    readonly detail: string,
  ) {}
  get message(): string {
    return `malformed message at byte ${this.offset}: ${this.detail}`;
  }
}

export class EncodeError extends Error {}

function encodedSize(v: Value, depth: number): number {
  if (depth > LIMITS.maxDepth) throw new EncodeError(`nesting deeper than ${LIMITS.maxDepth}`);
  switch (v.k) {
    case 'bytes':
      if (v.b.length > LIMITS.maxBytes) throw new EncodeError(`byte string of ${v.b.length} > ${LIMITS.maxBytes}`);
      return 5 + v.b.length;
    case 'point':
    case 'sig':
    case 'scalar':
      if (v.b.length !== FIXED[v.k]) throw new EncodeError(`${v.k} of ${v.b.length} bytes, want ${FIXED[v.k]}`);
      {
        const f = v.k === 'scalar' ? null : travellingForm(v);
        if (f) {
          if (f.data.length < 1 || f.data.length > LIMITS.maxBytes) throw new EncodeError(`${f.form.label} of ${f.data.length} bytes`);
          return 1 + v.b.length + 4 + f.data.length;
        }
      }
      return 1 + v.b.length;
    case 'const':
      if (!/^[\x20-\x7e]{1,64}$/.test(v.s)) throw new EncodeError(`constant '${v.s}' is not 1–64 printable ASCII characters`);
      return 2 + v.s.length;
    case 'tuple':
      if (v.items.length > LIMITS.maxItems) throw new EncodeError(`tuple of ${v.items.length} > ${LIMITS.maxItems} items`);
      return 2 + v.items.reduce((n, i) => n + encodedSize(i, depth + 1), 0);
  }
}

/** Big-endian 32-bit lengths, written and read in place (not a DataView allocated per length:
 * every message of a run is encoded and decoded at least once). */
function putU32(b: Uint8Array, o: number, n: number): void {
  b[o] = n >>> 24;
  b[o + 1] = (n >>> 16) & 0xff;
  b[o + 2] = (n >>> 8) & 0xff;
  b[o + 3] = n & 0xff;
}
function getU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Write `x` at `o` in `out` (sized by encodedSize); returns the offset after it. */
function put(out: Uint8Array, o: number, x: Value): number {
  switch (x.k) {
    case 'bytes':
      out[o++] = TAG.bytes;
      putU32(out, o, x.b.length);
      o += 4;
      out.set(x.b, o);
      return o + x.b.length;
    case 'point':
    case 'sig':
    case 'scalar': {
      const f = x.k === 'scalar' ? null : travellingForm(x);
      out[o++] = f ? f.form.tag! : TAG[x.k];
      out.set(x.b, o);
      o += x.b.length;
      if (f) {
        putU32(out, o, f.data.length);
        o += 4;
        out.set(f.data, o);
        o += f.data.length;
      }
      return o;
    }
    case 'const':
      out[o++] = TAG.const;
      out[o++] = x.s.length;
      for (let i = 0; i < x.s.length; i++) out[o++] = x.s.charCodeAt(i);
      return o;
    case 'tuple':
      out[o++] = TAG.tuple;
      out[o++] = x.items.length;
      for (const it of x.items) o = put(out, o, it);
      return o;
  }
}

/** Encode a value. Throws EncodeError for values outside the limits (a bug in the caller). */
export function encode(v: Value): Uint8Array {
  const out = new Uint8Array(encodedSize(v, 0));
  if (out.length > LIMITS.maxMessage) throw new EncodeError(`message of ${out.length} bytes > ${LIMITS.maxMessage}`);
  put(out, 0, v);
  return out;
}

/** A decoding position in one buffer (methods, not closures made per call: every message of a
 * run is decoded). */
class Reader {
  o = 0;
  constructor(readonly buf: Uint8Array) {}

  need(n: number): DecodeError | null {
    return this.o + n > this.buf.length ? new DecodeError('truncated', this.o, `need ${n} more bytes, have ${this.buf.length - this.o}`) : null;
  }

  take(n: number): Uint8Array {
    const s = this.buf.slice(this.o, this.o + n);
    this.o += n;
    return s;
  }

  get(depth: number): Value | DecodeError {
    const buf = this.buf;
    if (depth > LIMITS.maxDepth) return new DecodeError('too-deep', this.o, `nesting deeper than ${LIMITS.maxDepth}`);
    const e = this.need(1);
    if (e) return e;
    const at = this.o;
    const tag = buf[this.o++]!;
    switch (tag) {
      case TAG.bytes: {
        const e1 = this.need(4);
        if (e1) return e1;
        const len = getU32(buf, this.o);
        this.o += 4;
        if (len > LIMITS.maxBytes) return new DecodeError('too-large', at, `byte string of ${len} > ${LIMITS.maxBytes}`);
        const e2 = this.need(len);
        if (e2) return e2;
        return { k: 'bytes', b: this.take(len) };
      }
      case TAG.point:
      case TAG.sig:
      case TAG.scalar: {
        const k = tag === TAG.point ? 'point' : tag === TAG.sig ? 'sig' : 'scalar';
        const e1 = this.need(FIXED[k]);
        if (e1) return e1;
        if (k === 'point' && buf[this.o] !== 0x04) return new DecodeError('bad-point', this.o, 'a point must be SEC1 uncompressed (0x04 prefix)');
        return { k, b: this.take(FIXED[k]) };
      }
      case TAG.const: {
        const e1 = this.need(1);
        if (e1) return e1;
        const len = buf[this.o++]!;
        if (len === 0 || len > LIMITS.maxConst) return new DecodeError('bad-length', at, `constant of length ${len}`);
        const e2 = this.need(len);
        if (e2) return e2;
        let s = '';
        for (let i = 0; i < len; i++) {
          const ch = buf[this.o + i]!;
          if (ch < 0x20 || ch > 0x7e) return new DecodeError('bad-const', this.o + i, `byte 0x${ch.toString(16)} in a constant`);
          s += String.fromCharCode(ch);
        }
        this.o += len;
        return { k: 'const', s };
      }
      case TAG.tuple: {
        const e1 = this.need(1);
        if (e1) return e1;
        const n = buf[this.o++]!;
        if (n > LIMITS.maxItems) return new DecodeError('too-large', at, `tuple of ${n} > ${LIMITS.maxItems} items`);
        const items: Value[] = [];
        for (let i = 0; i < n; i++) {
          const it = this.get(depth + 1);
          if (it instanceof DecodeError) return it;
          items.push(it);
        }
        return { k: 'tuple', items };
      }
      default: {
        const form = formByTag(tag);
        if (!form) return new DecodeError('bad-tag', at, `unknown type tag 0x${tag.toString(16).padStart(2, '0')}`);
        const e1 = this.need(FIXED[form.kind] + 4);
        if (e1) return e1;
        if (form.kind === 'point' && buf[this.o] !== 0x04) return new DecodeError('bad-point', this.o, 'a point must be SEC1 uncompressed (0x04 prefix)');
        const b = this.take(FIXED[form.kind]);
        const len = getU32(buf, this.o);
        this.o += 4;
        if (len === 0 || len > LIMITS.maxBytes) return new DecodeError(len === 0 ? 'bad-length' : 'too-large', at, `${form.label} of ${len} bytes`);
        const e2 = this.need(len);
        if (e2) return e2;
        return { k: form.kind, b, form: { form, data: this.take(len) } };
      }
    }
  }
}

/** Decode exactly one value occupying all of `buf`. */
export function decode(buf: Uint8Array): Value | DecodeError {
  if (buf.length === 0) return new DecodeError('empty', 0, 'no bytes');
  if (buf.length > LIMITS.maxMessage) return new DecodeError('too-large', 0, `${buf.length} bytes > ${LIMITS.maxMessage}`);
  const r = new Reader(buf);
  const v = r.get(0);
  if (v instanceof DecodeError) return v;
  if (r.o !== buf.length) return new DecodeError('trailing', r.o, `${buf.length - r.o} bytes after the value`);
  return v;
}
