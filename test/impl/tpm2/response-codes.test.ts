/**
 * Response-code decoding (TPM 2.0 Part 2 §6.6). Expected codes are assembled here from the
 * spec's field layout (RC_FMT1, TPM_RC_P/S, TPM_RC_1…), not copied from the decoder.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TPM_CC, TpmError, decodeResponseCode } from '../../../impl/tpm2/index.ts';

// TPM 2.0 Part 2 §6.6.3 Table 16
const RC_VER1 = 0x100;
const RC_FMT1 = 0x080;
const RC_WARN = 0x900;
const RC_H = 0x000;
const RC_P = 0x040;
const RC_S = 0x800;
const RC_N = (n: number) => n << 8; // TPM_RC_1 … TPM_RC_F

describe('decodeResponseCode', () => {
  const cases: [string, number, string, { parameter?: number; handle?: number; session?: number; format: string }][] = [
    ['success', 0, 'TPM_RC_SUCCESS', { format: 'success' }],
    ['policy fail on session 1', RC_FMT1 + 0x01d + RC_S + RC_N(1), 'TPM_RC_POLICY_FAIL', { session: 1, format: 'format-one' }],
    ['auth fail on session 2', RC_FMT1 + 0x00e + RC_S + RC_N(2), 'TPM_RC_AUTH_FAIL', { session: 2, format: 'format-one' }],
    ['bad auth on session 1', RC_FMT1 + 0x022 + RC_S + RC_N(1), 'TPM_RC_BAD_AUTH', { session: 1, format: 'format-one' }],
    ['integrity on parameter 1', RC_FMT1 + 0x01f + RC_P + RC_N(1), 'TPM_RC_INTEGRITY', { parameter: 1, format: 'format-one' }],
    ['signature on parameter 5', RC_FMT1 + 0x01b + RC_P + RC_N(5), 'TPM_RC_SIGNATURE', { parameter: 5, format: 'format-one' }],
    ['value on parameter 15', RC_FMT1 + 0x004 + RC_P + RC_N(15), 'TPM_RC_VALUE', { parameter: 15, format: 'format-one' }],
    ['handle on handle 2', RC_FMT1 + 0x00b + RC_H + RC_N(2), 'TPM_RC_HANDLE', { handle: 2, format: 'format-one' }],
    ['handle, no number', RC_FMT1 + 0x00b, 'TPM_RC_HANDLE', { handle: 0, format: 'format-one' }],
    ['initialize', RC_VER1 + 0x000, 'TPM_RC_INITIALIZE', { format: 'format-zero' }],
    ['pcr changed', RC_VER1 + 0x028, 'TPM_RC_PCR_CHANGED', { format: 'format-zero' }],
    ['object memory', RC_WARN + 0x002, 'TPM_RC_OBJECT_MEMORY', { format: 'warning' }],
    ['lockout', RC_WARN + 0x021, 'TPM_RC_LOCKOUT', { format: 'warning' }],
    ['retry', RC_WARN + 0x022, 'TPM_RC_RETRY', { format: 'warning' }],
    ['reference H0', RC_WARN + 0x010, 'TPM_RC_REFERENCE_H0', { format: 'warning' }],
    ['reference S2', RC_WARN + 0x01a, 'TPM_RC_REFERENCE_S2', { format: 'warning' }],
  ];
  for (const [what, code, name, where] of cases) {
    it(`${what}: 0x${code.toString(16)} → ${name}`, () => {
      const d = decodeResponseCode(code);
      assert.equal(d.name, name);
      assert.equal(d.format, where.format);
      assert.equal(d.parameter, where.parameter);
      assert.equal(d.handle, where.handle);
      assert.equal(d.session, where.session);
    });
  }

  it('unknown, vendor and TPM 1.2 codes get descriptive names instead of throwing', () => {
    assert.match(decodeResponseCode(RC_FMT1 + 0x03f).name, /^TPM_RC_UNKNOWN_0x0bf$/);
    assert.match(decodeResponseCode(RC_VER1 + 0x400 + 0x001).name, /^TPM_RC_VENDOR_/);
    assert.equal(decodeResponseCode(0x0001).format, 'tpm12');
    assert.equal(decodeResponseCode(0xffffffff).format, 'format-one');
  });

  it('TpmError names the command, the code and where it applies', () => {
    const e = new TpmError(TPM_CC.Unseal, RC_FMT1 + 0x01d + RC_S + RC_N(1));
    assert.ok(e instanceof Error);
    assert.equal(e.command, 'TPM2_Unseal');
    assert.equal(e.name, 'TPM_RC_POLICY_FAIL');
    assert.equal(e.code, 0x99d);
    assert.equal(e.message, 'TPM2_Unseal failed: TPM_RC_POLICY_FAIL (session 1) [0x99d]');
    assert.match(new TpmError(0x1234, RC_VER1).message, /^TPM_CC_0x00001234 failed: TPM_RC_INITIALIZE/);
  });
});
