/**
 * The wire layer's seam for forms defined elsewhere (impl/wire/forms.ts): a tag is the codec's
 * or one form's, never two; and the generic runtime and wire layer import nothing of a TPM
 * (issue 14, item 7: TPM forms are defined in impl/tpm2/value-forms.ts).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineForm, formByTag } from '../../../impl/wire/forms.ts';
import { TPMS_ATTEST_FORM } from '../../../impl/tpm2/value-forms.ts';
import { decode, DecodeError, encode } from '../../../impl/wire/codec.ts';
import { type Value, showValue, valueToJson } from '../../../impl/wire/value.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

test('a form takes a tag nobody has: not the codec own, not another form', () => {
  assert.throws(() => defineForm({ label: 'x', kind: 'sig', tag: 0x03, jsonKey: 'x' }), /codec's own/);
  assert.throws(() => defineForm({ label: 'x', kind: 'sig', tag: 0x07, jsonKey: 'x' }), /TPMS_ATTEST's/);
  assert.equal(formByTag(0x07), TPMS_ATTEST_FORM);
});

test('a form defined here travels under its tag, round-trips, and shows its label', () => {
  const form = defineForm({ label: 'TEST_EVIDENCE', kind: 'point', tag: 0x7e, jsonKey: 'evidence' });
  const p = new Uint8Array(65).fill(1);
  p[0] = 4;
  const x: Value = { k: 'point', b: p, form: { form, data: Uint8Array.of(5, 6) } };
  const bytes = encode(x);
  assert.deepEqual([...bytes.subarray(0, 1)], [0x7e]);
  const back = decode(bytes);
  assert.ok(!(back instanceof DecodeError) && back.k === 'point' && back.form?.form === form);
  assert.deepEqual(valueToJson(x), { point: Buffer.from(p).toString('hex'), evidence: '0506' });
  assert.match(showValue(x), /\+TEST_EVIDENCE:0506…\(2\)$/);
  assert.equal((decode(Uint8Array.of(0x7d, ...p)) as DecodeError).code, 'bad-tag');
});

test('impl/runtime and impl/wire import nothing from impl/tpm2 or impl/tpm2-bridge', () => {
  const wrong: string[] = [];
  for (const dir of ['impl/runtime', 'impl/wire'])
    for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(root, dir, f), 'utf8');
      if (/from '\.\.\/tpm2(-bridge)?\//.test(src)) wrong.push(`${dir}/${f}`);
    }
  assert.deepEqual(wrong, []);
});
