import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { wireValue } from '../../support/arbitraries.ts';
import { decode, DecodeError, encode, LIMITS } from '../../../impl/wire/codec.ts';
import { type Value, valueEquals } from '../../../impl/wire/value.ts';

const value = wireValue;
const opts = { seed: Number(process.env['FC_SEED'] ?? 20261123) };

test('encode/decode round-trips every value, and the encoding is canonical', () => {
  fc.assert(
    fc.property(value, (v) => {
      const b = encode(v);
      const d = decode(b);
      assert.ok(!(d instanceof DecodeError), d instanceof DecodeError ? d.message : '');
      assert.ok(valueEquals(d as Value, v));
      assert.deepEqual(encode(d as Value), b);
    }),
    { ...opts, numRuns: 2000 },
  );
});

test('10 000 malformed inputs: decoding never throws and never accepts a non-canonical encoding', () => {
  const mutated = fc.tuple(value, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), fc.boolean()).map(([v, edits, cut, truncate]) => {
    const b = Uint8Array.from(encode(v));
    for (const [i, x] of edits) b[i % b.length] = x;
    return truncate ? b.slice(0, cut % (b.length + 1)) : b;
  });
  const anyBytes = fc.uint8Array({ maxLength: 300 });
  let rejected = 0;
  fc.assert(
    fc.property(fc.oneof(mutated, anyBytes), (b) => {
      let d: Value | DecodeError;
      assert.doesNotThrow(() => void (d = decode(b)));
      if (d! instanceof DecodeError) {
        rejected++;
        assert.ok(d.offset >= 0 && d.offset <= b.length && d.message.length > 0);
      } else assert.deepEqual(encode(d!), b, 'accepted bytes must be the canonical encoding of what they decode to');
    }),
    { ...opts, numRuns: 10_000 },
  );
  assert.ok(rejected > 5000, `only ${rejected} of 10000 malformed inputs were rejected`);
});

test('size limits: oversized and too-deep inputs are rejected with a typed error', () => {
  const big = new Uint8Array(5 + LIMITS.maxBytes + 1);
  big[0] = 1;
  new DataView(big.buffer).setUint32(1, LIMITS.maxBytes + 1);
  assert.equal((decode(big) as DecodeError).code, 'too-large');
  const deep = new Uint8Array(2 * (LIMITS.maxDepth + 2));
  for (let i = 0; i < deep.length; i += 2) ((deep[i] = 6), (deep[i + 1] = 1));
  assert.equal((decode(deep) as DecodeError).code, 'too-deep');
  assert.equal((decode(new Uint8Array()) as DecodeError).code, 'empty');
  assert.equal((decode(Uint8Array.of(0x09)) as DecodeError).code, 'bad-tag');
  assert.equal((decode(Uint8Array.of(5, 2, 0x41, 0x0a)) as DecodeError).code, 'bad-const');
  assert.equal((decode(Uint8Array.of(5, 1, 0x41, 0)) as DecodeError).code, 'trailing');
});
