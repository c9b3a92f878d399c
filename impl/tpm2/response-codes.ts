/**
 * TPM 2.0 response codes (TPM 2.0 Part 2 §6.6 TPM_RC) decoded into names, and the typed
 * {@link TpmError} a failed command becomes.
 *
 * Layout (Part 2 §6.6.2, Figure 26/27): bit 7 set → "format one": bits 0..5 the error number
 * (added to TPM_RC_FMT1 = 0x080), bit 6 P says bits 8..11 are a parameter number, else bit 11
 * says bits 8..10 are a session number, else a handle number. Bit 7 clear and bit 8 (VER1)
 * set → "format zero": bit 11 set is a warning (TPM_RC_WARN = 0x900), bit 10 a vendor code.
 * @module
 */
import { commandName } from './spec-constants.ts';

/** TPM 2.0 Part 2 §6.6.3 Table 16, format-one codes (error number + 0x080). */
const FMT1_NAMES: Readonly<Record<number, string>> = {
  0x081: 'TPM_RC_ASYMMETRIC',
  0x082: 'TPM_RC_ATTRIBUTES',
  0x083: 'TPM_RC_HASH',
  0x084: 'TPM_RC_VALUE',
  0x085: 'TPM_RC_HIERARCHY',
  0x087: 'TPM_RC_KEY_SIZE',
  0x088: 'TPM_RC_MGF',
  0x089: 'TPM_RC_MODE',
  0x08a: 'TPM_RC_TYPE',
  0x08b: 'TPM_RC_HANDLE',
  0x08c: 'TPM_RC_KDF',
  0x08d: 'TPM_RC_RANGE',
  0x08e: 'TPM_RC_AUTH_FAIL',
  0x08f: 'TPM_RC_NONCE',
  0x090: 'TPM_RC_PP',
  0x092: 'TPM_RC_SCHEME',
  0x095: 'TPM_RC_SIZE',
  0x096: 'TPM_RC_SYMMETRIC',
  0x097: 'TPM_RC_TAG',
  0x098: 'TPM_RC_SELECTOR',
  0x09a: 'TPM_RC_INSUFFICIENT',
  0x09b: 'TPM_RC_SIGNATURE',
  0x09c: 'TPM_RC_KEY',
  0x09d: 'TPM_RC_POLICY_FAIL',
  0x09f: 'TPM_RC_INTEGRITY',
  0x0a0: 'TPM_RC_TICKET',
  0x0a1: 'TPM_RC_RESERVED_BITS',
  0x0a2: 'TPM_RC_BAD_AUTH',
  0x0a3: 'TPM_RC_EXPIRED',
  0x0a4: 'TPM_RC_POLICY_CC',
  0x0a5: 'TPM_RC_BINDING',
  0x0a6: 'TPM_RC_CURVE',
  0x0a7: 'TPM_RC_ECC_POINT',
};

/** TPM 2.0 Part 2 §6.6.3 Table 16, format-zero errors (TPM_RC_VER1 = 0x100 based). */
const FMT0_NAMES: Readonly<Record<number, string>> = {
  0x100: 'TPM_RC_INITIALIZE',
  0x101: 'TPM_RC_FAILURE',
  0x103: 'TPM_RC_SEQUENCE',
  0x10b: 'TPM_RC_PRIVATE',
  0x119: 'TPM_RC_HMAC',
  0x120: 'TPM_RC_DISABLED',
  0x121: 'TPM_RC_EXCLUSIVE',
  0x124: 'TPM_RC_AUTH_TYPE',
  0x125: 'TPM_RC_AUTH_MISSING',
  0x126: 'TPM_RC_POLICY',
  0x127: 'TPM_RC_PCR',
  0x128: 'TPM_RC_PCR_CHANGED',
  0x12d: 'TPM_RC_UPGRADE',
  0x12e: 'TPM_RC_TOO_MANY_CONTEXTS',
  0x12f: 'TPM_RC_AUTH_UNAVAILABLE',
  0x130: 'TPM_RC_REBOOT',
  0x131: 'TPM_RC_UNBALANCED',
  0x142: 'TPM_RC_COMMAND_SIZE',
  0x143: 'TPM_RC_COMMAND_CODE',
  0x144: 'TPM_RC_AUTHSIZE',
  0x145: 'TPM_RC_AUTH_CONTEXT',
  0x146: 'TPM_RC_NV_RANGE',
  0x147: 'TPM_RC_NV_SIZE',
  0x148: 'TPM_RC_NV_LOCKED',
  0x149: 'TPM_RC_NV_AUTHORIZATION',
  0x14a: 'TPM_RC_NV_UNINITIALIZED',
  0x14b: 'TPM_RC_NV_SPACE',
  0x14c: 'TPM_RC_NV_DEFINED',
  0x150: 'TPM_RC_BAD_CONTEXT',
  0x151: 'TPM_RC_CPHASH',
  0x152: 'TPM_RC_PARENT',
  0x153: 'TPM_RC_NEEDS_TEST',
  0x154: 'TPM_RC_NO_RESULT',
  0x155: 'TPM_RC_SENSITIVE',
};

/** TPM 2.0 Part 2 §6.6.3 Table 16, warnings (TPM_RC_WARN = 0x900 based). */
const WARN_NAMES: Readonly<Record<number, string>> = {
  0x901: 'TPM_RC_CONTEXT_GAP',
  0x902: 'TPM_RC_OBJECT_MEMORY',
  0x903: 'TPM_RC_SESSION_MEMORY',
  0x904: 'TPM_RC_MEMORY',
  0x905: 'TPM_RC_SESSION_HANDLES',
  0x906: 'TPM_RC_OBJECT_HANDLES',
  0x907: 'TPM_RC_LOCALITY',
  0x908: 'TPM_RC_YIELDED',
  0x909: 'TPM_RC_CANCELED',
  0x90a: 'TPM_RC_TESTING',
  0x920: 'TPM_RC_NV_RATE',
  0x921: 'TPM_RC_LOCKOUT',
  0x922: 'TPM_RC_RETRY',
  0x923: 'TPM_RC_NV_UNAVAILABLE',
};
for (let i = 0; i < 7; i++) {
  (WARN_NAMES as Record<number, string>)[0x910 + i] = `TPM_RC_REFERENCE_H${i}`;
  (WARN_NAMES as Record<number, string>)[0x918 + i] = `TPM_RC_REFERENCE_S${i}`;
}

/** A response code taken apart (TPM 2.0 Part 2 §6.6.2). */
export interface DecodedResponseCode {
  /** The raw 32-bit code. */
  readonly code: number;
  /** The code with the parameter/handle/session number removed (e.g. 0x09d). */
  readonly base: number;
  /** 'TPM_RC_POLICY_FAIL', or 'TPM_RC_UNKNOWN_0x…' / 'TPM_RC_VENDOR_0x…' / 'TPM12_RC_0x…'. */
  readonly name: string;
  readonly format: 'success' | 'format-one' | 'format-zero' | 'warning' | 'vendor' | 'tpm12';
  /** 1-based parameter number (format one, P = 1). */
  readonly parameter?: number;
  /** 1-based handle number (format one, P = 0, bit 11 = 0); 0 means "not specified". */
  readonly handle?: number;
  /** 1-based session number (format one, P = 0, bit 11 = 1). */
  readonly session?: number;
}

const hex = (n: number, w = 3) => `0x${n.toString(16).padStart(w, '0')}`;

/** Decode a TPM_RC per TPM 2.0 Part 2 §6.6.2. */
export function decodeResponseCode(code: number): DecodedResponseCode {
  const rc = code >>> 0;
  if (rc === 0) return { code: rc, base: 0, name: 'TPM_RC_SUCCESS', format: 'success' };
  if (rc & 0x080) {
    const base = (rc & 0x3f) | 0x080;
    const name = FMT1_NAMES[base] ?? `TPM_RC_UNKNOWN_${hex(base)}`;
    const n = (rc >>> 8) & 0xf;
    if (rc & 0x040) return { code: rc, base, name, format: 'format-one', parameter: n };
    if (n & 0x8) return { code: rc, base, name, format: 'format-one', session: n & 0x7 };
    return { code: rc, base, name, format: 'format-one', handle: n & 0x7 };
  }
  if ((rc & 0x100) === 0) return { code: rc, base: rc, name: `TPM12_RC_${hex(rc)}`, format: 'tpm12' };
  if (rc & 0x400) return { code: rc, base: rc, name: `TPM_RC_VENDOR_${hex(rc)}`, format: 'vendor' };
  const base = rc & 0xf7f;
  if (rc & 0x800) return { code: rc, base, name: WARN_NAMES[base] ?? `TPM_RC_UNKNOWN_${hex(base)}`, format: 'warning' };
  return { code: rc, base, name: FMT0_NAMES[base] ?? `TPM_RC_UNKNOWN_${hex(base)}`, format: 'format-zero' };
}

/** A TPM command that the TPM answered with a non-zero response code. */
export class TpmError extends Error {
  /** 'TPM2_Unseal'. */
  readonly command: string;
  readonly commandCode: number;
  /** The raw response code. */
  readonly code: number;
  /**
   * The response code's name, 'TPM_RC_POLICY_FAIL' (replaces Error's 'Error', so a printed stack
   * starts with the TPM's verdict). Test for the class with `instanceof TpmError`.
   */
  override readonly name: string;
  readonly decoded: DecodedResponseCode;

  constructor(commandCode: number, code: number) {
    const decoded = decodeResponseCode(code);
    const where =
      decoded.parameter !== undefined
        ? ` (parameter ${decoded.parameter})`
        : decoded.session !== undefined
          ? ` (session ${decoded.session})`
          : decoded.handle
            ? ` (handle ${decoded.handle})`
            : '';
    const command = commandName(commandCode);
    super(`${command} failed: ${decoded.name}${where} [${hex(code)}]`);
    this.name = decoded.name;
    this.command = command;
    this.commandCode = commandCode;
    this.code = code >>> 0;
    this.decoded = decoded;
  }
}
