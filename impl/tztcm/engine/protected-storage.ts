/**
 * TPM2B_PRIVATE, the protected form of a child object's sensitive area (TPM 2.0 Part 1 §23
 * "Protected Storage"): TPMT_SENSITIVE {sensitiveType, authValue, seedValue, sensitive}
 * marshalled as a TPM2B, encrypted with AES-128-CFB under symKey = KDFa(parent.seedValue,
 * "STORAGE", Name, "", 128) and a zero IV (Part 1 §23.3.2.2), preceded by
 * integrity = HMAC(KDFa(parent.seedValue, "INTEGRITY", "", "", 256), encSensitive || Name)
 * (§23.3.2.3 outer HMAC). Load recomputes both: a blob altered anywhere, or moved to another
 * parent or public area, fails the integrity check (TPM_RC_INTEGRITY).
 * @module
 */
import { tpm2P256, type CryptoSuite } from '../../crypto/index.ts';
import { TpmReader } from '../../tpm2/marshal-reader.ts';
import { TpmWriter, marshal } from '../../tpm2/marshal-writer.ts';
import { concat } from '../../tpm2/session-crypto.ts';
import { equal } from './authorization.ts';

export interface Sensitive {
  readonly type: number;
  readonly authValue: Uint8Array;
  readonly seedValue: Uint8Array;
  readonly sensitive: Uint8Array;
}

const ZERO_IV = new Uint8Array(16);

export function writeSensitive(w: TpmWriter, s: Sensitive): void {
  w.u16(s.type).tpm2b(s.authValue).tpm2b(s.seedValue).tpm2b(s.sensitive);
}

/** TPMT_SENSITIVE (Part 2 §12.3.2.4); every union member this engine uses is a TPM2B. */
export function readSensitive(r: TpmReader): Sensitive {
  return { type: r.u16('sensitiveType'), authValue: r.tpm2b('authValue', 64), seedValue: r.tpm2b('seedValue', 64), sensitive: r.tpm2b('sensitive', 512) };
}

function keys(parentSeed: Uint8Array, name: Uint8Array, suite: CryptoSuite) {
  return {
    sym: suite.kdfa(parentSeed, 'STORAGE', name, new Uint8Array(0), 128),
    hmac: suite.kdfa(parentSeed, 'INTEGRITY', new Uint8Array(0), new Uint8Array(0), 256),
  };
}

/** The TPM2B_PRIVATE body for `s` under a parent with seedValue `parentSeed`, for the child `name`. */
export function wrapPrivate(parentSeed: Uint8Array, name: Uint8Array, s: Sensitive, suite: CryptoSuite = tpm2P256): Uint8Array {
  const k = keys(parentSeed, name, suite);
  const plain = marshal((w) => w.sized((x) => writeSensitive(x, s)));
  const enc = suite.cfbEncrypt(k.sym, ZERO_IV, plain);
  const integrity = suite.hmac(k.hmac, concat(enc, name));
  return new TpmWriter().tpm2b(integrity).bytes(enc).finish();
}

/** The sensitive area, or null when the integrity check or the structure fails. */
export function unwrapPrivate(parentSeed: Uint8Array, name: Uint8Array, blob: Uint8Array, suite: CryptoSuite = tpm2P256): Sensitive | null {
  try {
    const r = new TpmReader(blob, 'TPM2B_PRIVATE');
    const integrity = r.tpm2b('integrity', 64);
    const enc = r.rest();
    const k = keys(parentSeed, name, suite);
    if (!equal(integrity, suite.hmac(k.hmac, concat(enc, name)))) return null;
    const plain = new TpmReader(suite.cfbDecrypt(k.sym, ZERO_IV, enc), 'sensitive');
    const s = plain.sized('TPM2B_SENSITIVE', readSensitive);
    plain.end();
    return s;
  } catch {
    return null;
  }
}
