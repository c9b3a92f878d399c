/**
 * TPMT_SIGNATURE with an ECDSA or SM2 signature (TPM 2.0 Part 2 §11.3.4 / §11.2.5.4
 * TPMS_SIGNATURE_ECC, which TPMS_SIGNATURE_SM2 is: sigAlg, hash, signatureR, signatureS) and
 * TPMT_SIG_SCHEME (§11.2.1.5), converted to and from the fixed 64-byte r||s form the crypto
 * suites use.
 * @module
 */
import { TssRefusal } from './tss-refusal.ts';
import { TpmMarshalError, type TpmReader } from './marshal-reader.ts';
import type { TpmWriter } from './marshal-writer.ts';
import { TPM_ALG } from './spec-constants.ts';

const SCALAR = 32;

export interface EcdsaSignature {
  readonly hashAlg: number;
  /** r||s, each left-padded to 32 bytes. */
  readonly rs: Uint8Array;
}

function pad32(b: Uint8Array, what: string): Uint8Array {
  // a TPM may return a scalar without leading zero octets; anything longer is not P-256
  if (b.length > SCALAR) throw new TpmMarshalError(`ECDSA ${what}: ${b.length} bytes is longer than a P-256 scalar`);
  const out = new Uint8Array(SCALAR);
  out.set(b, SCALAR - b.length);
  return out;
}

/** An ECC-form signature of algorithm `expected` (TPM_ALG_ECDSA by default, or TPM_ALG_SM2). */
export function readEcdsaSignature(r: TpmReader, expected: number = TPM_ALG.ECDSA): EcdsaSignature {
  const sigAlg = r.u16('TPMT_SIGNATURE.sigAlg');
  if (sigAlg !== expected) throw new TpmMarshalError(`${r.what}: signature algorithm 0x${sigAlg.toString(16)} is not 0x${expected.toString(16)}`);
  const hashAlg = r.u16('signature.hash');
  const rr = pad32(r.tpm2b('signatureR', 66), 'r');
  const ss = pad32(r.tpm2b('signatureS', 66), 's');
  const rs = new Uint8Array(2 * SCALAR);
  rs.set(rr, 0);
  rs.set(ss, SCALAR);
  return { hashAlg, rs };
}

/** Marshal an ECDSA TPMT_SIGNATURE from r||s (the form tpm2P256.sign returns). */
export function writeEcdsaSignature(w: TpmWriter, rs: Uint8Array, hashAlg: number = TPM_ALG.SHA256, sigAlg: number = TPM_ALG.ECDSA): void {
  if (rs.length !== 2 * SCALAR) throw new TssRefusal(`ECDSA signature: expected 64 bytes r||s, got ${rs.length}`);
  w.u16(sigAlg).u16(hashAlg).tpm2b(rs.subarray(0, SCALAR)).tpm2b(rs.subarray(SCALAR));
}

/** TPMT_SIG_SCHEME: NULL (use the key's own scheme) or scheme + hashAlg. */
export function writeSigScheme(w: TpmWriter, scheme: { scheme: number; hashAlg: number } | null): void {
  if (scheme === null) w.u16(TPM_ALG.NULL);
  else w.u16(scheme.scheme).u16(scheme.hashAlg);
}

/**
 * Any TPMT_SIGNATURE this project handles (Part 2 §11.3.4): ECDSA (r, s), RSASSA / RSAPSS (one
 * TPM2B_PUBLIC_KEY_RSA), HMAC (a TPMT_HA), or NULL. `sig` is r||s for ECDSA and SM2, else the octets.
 */
export interface AnySignature {
  readonly sigAlg: number;
  readonly hashAlg: number;
  readonly sig: Uint8Array;
}

const RSASSA = 0x0014;
const RSAPSS = 0x0016;

/** Read a TPMT_SIGNATURE; `digestSize` gives an HMAC signature's digest length. */
export function readAnySignature(r: TpmReader, digestSize: (alg: number) => number | undefined = (a) => (a === TPM_ALG.SHA256 ? 32 : a === TPM_ALG.SHA1 ? 20 : undefined)): AnySignature {
  const sigAlg = r.u16('TPMT_SIGNATURE.sigAlg');
  if (sigAlg === TPM_ALG.NULL) return { sigAlg, hashAlg: TPM_ALG.NULL, sig: new Uint8Array(0) };
  const hashAlg = r.u16('signature.hash');
  if (sigAlg === TPM_ALG.ECDSA || sigAlg === TPM_ALG.SM2) {
    const rr = r.tpm2b('signatureR', 66);
    const ss = r.tpm2b('signatureS', 66);
    if (rr.length > SCALAR || ss.length > SCALAR) return { sigAlg, hashAlg, sig: new Uint8Array(0) };
    const rs = new Uint8Array(2 * SCALAR);
    rs.set(rr, SCALAR - rr.length);
    rs.set(ss, 2 * SCALAR - ss.length);
    return { sigAlg, hashAlg, sig: rs };
  }
  if (sigAlg === RSASSA || sigAlg === RSAPSS) return { sigAlg, hashAlg, sig: r.tpm2b('sig', 512) };
  if (sigAlg === TPM_ALG.HMAC) {
    const n = digestSize(hashAlg);
    if (n === undefined) throw new TpmMarshalError(`${r.what}: HMAC signature hash 0x${hashAlg.toString(16)} unknown`, 'value');
    return { sigAlg, hashAlg, sig: r.bytes(n, 'hmac digest') };
  }
  throw new TpmMarshalError(`${r.what}: signature algorithm 0x${sigAlg.toString(16)} not supported`, 'value');
}

export function writeAnySignature(w: TpmWriter, s: AnySignature): void {
  if (s.sigAlg === TPM_ALG.ECDSA || s.sigAlg === TPM_ALG.SM2) return writeEcdsaSignature(w, s.sig, s.hashAlg, s.sigAlg);
  w.u16(s.sigAlg);
  if (s.sigAlg === TPM_ALG.NULL) return;
  w.u16(s.hashAlg);
  if (s.sigAlg === TPM_ALG.HMAC) w.bytes(s.sig);
  else w.tpm2b(s.sig);
}
