/**
 * The crypto suite interface every interpreter of a protocol uses for real bytes.
 *
 * A suite is a constant bundle of primitives over one curve, one hash and one block cipher:
 * the TPM 2.0 suite (`tpm2-p256.ts`) is NIST P-256 + SHA-256 + AES, the TCM suite
 * (`tcm-sm2.ts`) SM2 + SM3 + SM4 — TPM 2.0 defines TPM_ALG_SM2, TPM_ALG_SM3_256 and
 * TPM_ALG_SM4 (Part 2 §6.3), so a TCM 2.0 is a TPM 2.0 with these algorithms. Nothing in
 * the interface names an algorithm: lengths are fields, the cipher entry points are `cfb…`
 * and `aead…`. Party machines never call a suite directly; the runtime maps term symbols
 * (`h`, `hmac`, `kdfa`, `sign`, …) onto it.
 *
 * Errors: functions that produce a value throw {@link CryptoError} on malformed input;
 * predicates (`isValid*`, `verify`) and `aeadDecrypt` return false / null instead.
 * @module
 */

/** Why an input was refused at the suite boundary. */
export type CryptoErrorCode = 'bad-point' | 'bad-scalar' | 'bad-key' | 'bad-length';

/** Thrown by suite functions on malformed input; `code` is stable, `message` is for humans. */
export class CryptoError extends Error {
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CryptoError';
  }
}

/** Human-readable algorithm names and their TPM 2.0 identifiers (Part 2 §6.3 TPM_ALG_ID, §6.4 TPM_ECC_CURVE). */
export interface SuiteAlgorithms {
  readonly curve: string;
  readonly hash: string;
  readonly signature: string;
  readonly cfb: string;
  readonly aead: string;
  readonly tpm: {
    readonly hashAlg: number;
    readonly curveId: number;
    readonly signScheme: number;
    readonly symAlg: number;
  };
}

export interface CryptoSuite {
  /** Suite identifier, e.g. 'tpm2-p256', 'tcm-sm2'. */
  readonly name: string;
  /** What the suite is made of, for reports and for a TPM engine choosing its algorithm ids. */
  readonly algorithms: SuiteAlgorithms;
  /** Digest length of `hash` in bytes. */
  readonly hashLen: number;
  /** Length of an uncompressed SEC1 point 0x04||X||Y in bytes. */
  readonly pointLen: number;
  /** Length of a scalar (private key, exponent) in bytes. */
  readonly scalarLen: number;
  /** Length of a signature r||s in bytes. */
  readonly sigLen: number;
  /** Block length of the cipher = CFB IV length, in bytes. */
  readonly blockLen: number;
  /** Key length of the CFB cipher (TPM parameter encryption), in bytes. */
  readonly cfbKeyLen: number;
  /** Key length of the AEAD, in bytes. */
  readonly aeadKeyLen: number;
  /** AEAD nonce and tag lengths, in bytes. */
  readonly aeadNonceLen: number;
  readonly aeadTagLen: number;

  hash(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array): Uint8Array;
  /**
   * TPM 2.0 Part 1 §11.4.10.2 KDFa (SP 800-108 counter mode, HMAC): label is the ASCII label
   * WITHOUT the trailing NUL (the function appends the 0x00 as TPM does); bits = output length
   * in bits, an integer in [1, 2^19] (else CryptoError('bad-length'); zero is refused rather than
   * returning an empty key). When bits is not a multiple of 8 the output has ceil(bits/8) bytes
   * and the unused high-order bits of the first byte are cleared, as the TPM reference code does.
   */
  kdfa(key: Uint8Array, label: string, contextU: Uint8Array, contextV: Uint8Array, bits: number): Uint8Array;
  /**
   * TPM 2.0 Part 1 §11.4.10.3 KDFe (SP 800-56A concatenation KDF): z is the x-coordinate of the
   * shared point; label without NUL (appended inside); partyUInfo/partyVInfo as in the spec
   * (x-coordinates of the ephemeral and static keys for the salt case). Same bit handling as kdfa.
   */
  kdfe(z: Uint8Array, label: string, partyUInfo: Uint8Array, partyVInfo: Uint8Array, bits: number): Uint8Array;
  /** A uniformly distributed valid scalar (see isValidScalar) derived deterministically from `seed`. */
  scalarFromSeed(seed: Uint8Array): Uint8Array;
  /** `scalarLen` bytes in [1, n-1] (P-256) or [1, n-2] (SM2: 1 + d must be invertible). */
  isValidScalar(s: Uint8Array): boolean;
  /** s·G as an uncompressed point. */
  basePointMul(s: Uint8Array): Uint8Array;
  /** s·P, P uncompressed or compressed; throws CryptoError('bad-point') if P is not on the curve. */
  pointMul(p: Uint8Array, s: Uint8Array): Uint8Array;
  isValidPoint(p: Uint8Array): boolean;
  /** x-coordinate of an uncompressed point. */
  pointX(p: Uint8Array): Uint8Array;
  /**
   * The suite's signature over msg, deterministic, r||s: ECDSA over hash(msg) with an RFC 6979
   * nonce (low-s not enforced), or SM2 over SM3(Z_A || msg) with the standard user id.
   */
  sign(sk: Uint8Array, msg: Uint8Array): Uint8Array;
  /** Signature verify; returns false (never throws) on a malformed signature or key. */
  verify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean;
  /** Public key of a signing key: sk·G uncompressed. */
  publicKey(sk: Uint8Array): Uint8Array;
  /** The block cipher in CFB with full-block feedback (CFB128), as TPM 2.0 parameter encryption; any length. */
  cfbEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  cfbDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  /** The block cipher in GCM: `aeadNonceLen`-byte nonce, `aeadTagLen`-byte tag appended to the ciphertext. */
  aeadEncrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** Returns null on tag failure or any malformed input; never throws. */
  aeadDecrypt(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad?: Uint8Array): Uint8Array | null;
}
