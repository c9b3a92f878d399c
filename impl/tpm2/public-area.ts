/**
 * TPMT_PUBLIC (TPM 2.0 Part 2 §12.2.4) for the object types this project uses: ECC P-256 keys
 * (storage/decrypt keys, signing keys, external verification keys), KEYEDHASH sealed data and
 * HMAC keys, RSA keys (the TZTCM engine and tpm2-tools' defaults) and SYMCIPHER keys; the object Name (TPM 2.0 Part 1 §16: nameAlg || H_nameAlg(TPMT_PUBLIC));
 * and the templates the session client uses.
 * @module
 */
import { TssRefusal } from './tss-refusal.ts';
import { tpm2P256, type CryptoSuite } from '../crypto/index.ts';
import { TpmMarshalError, type TpmReader } from './marshal-reader.ts';
import { marshal, type TpmWriter } from './marshal-writer.ts';
import { suiteOfCurve, suiteOfHash } from './hash-algorithms.ts';
import { SHA256_SIZE, TPMA_OBJECT, TPM_ALG } from './spec-constants.ts';

/** TPMT_SYM_DEF_OBJECT (Part 2 §11.1.7) when not TPM_ALG_NULL. */
export interface SymDef {
  readonly algorithm: number;
  readonly keyBits: number;
  readonly mode: number;
}

/** TPMT_ECC_SCHEME / TPMT_KDF_SCHEME (Part 2 §11.2.5.6 / §11.2.3.3) when not TPM_ALG_NULL. */
export interface HashScheme {
  readonly scheme: number;
  readonly hashAlg: number;
}

interface PublicCommon {
  readonly nameAlg: number;
  /** TPMA_OBJECT bits (Part 2 §8.3). */
  readonly objectAttributes: number;
  /** TPM2B_DIGEST authPolicy; empty when the object has no policy. */
  readonly authPolicy: Uint8Array;
}

/** TPMT_PUBLIC with type TPM_ALG_ECC: TPMS_ECC_PARMS + TPMS_ECC_POINT unique. */
export interface EccPublic extends PublicCommon {
  readonly type: 'ecc';
  readonly symmetric: SymDef | null;
  readonly scheme: HashScheme | null;
  readonly curveId: number;
  readonly kdf: HashScheme | null;
  /** Affine coordinates as the TPM returns them (empty in a creation template). */
  readonly x: Uint8Array;
  readonly y: Uint8Array;
}

/** TPMT_PUBLIC with type TPM_ALG_KEYEDHASH and a NULL scheme: a sealed data object. */
export interface KeyedHashPublic extends PublicCommon {
  readonly type: 'keyedhash';
  readonly scheme: HashScheme | null;
  /** TPM2B_DIGEST unique (the TPM sets it to H(seedValue || data) at creation). */
  readonly unique: Uint8Array;
}

/** TPMT_PUBLIC with type TPM_ALG_RSA: TPMS_RSA_PARMS (Part 2 §12.2.3.5) + TPM2B_PUBLIC_KEY_RSA. */
export interface RsaPublic extends PublicCommon {
  readonly type: 'rsa';
  readonly symmetric: SymDef | null;
  /** TPMT_RSA_SCHEME: RSASSA, RSAPSS, OAEP (with a hash) or RSAES (no hash, hashAlg NULL). */
  readonly scheme: HashScheme | null;
  readonly keyBits: number;
  /** 0 means the default exponent 2^16 + 1 (Part 2 §12.2.3.5). */
  readonly exponent: number;
  /** The modulus (empty in a creation template). */
  readonly modulus: Uint8Array;
}

/** TPMT_PUBLIC with type TPM_ALG_SYMCIPHER: TPMS_SYMCIPHER_PARMS (Part 2 §12.2.3.4). */
export interface SymCipherPublic extends PublicCommon {
  readonly type: 'symcipher';
  readonly symmetric: SymDef;
  /** TPM2B_DIGEST unique. */
  readonly unique: Uint8Array;
}

export type TpmPublic = EccPublic | KeyedHashPublic | RsaPublic | SymCipherPublic;

/** Part 2 §6.3 TPM_ALG_ID of each object type. */
const TYPE_ALG = { ecc: TPM_ALG.ECC, keyedhash: TPM_ALG.KEYEDHASH, rsa: 0x0001, symcipher: 0x0025 } as const;
/** RSA schemes without a hash (Part 2 §11.2.4.1: TPM_ALG_RSAES has an empty details union). */
const RSAES = 0x0015;

function writeSymDef(w: TpmWriter, s: SymDef | null): void {
  if (s === null) w.u16(TPM_ALG.NULL);
  else w.u16(s.algorithm).u16(s.keyBits).u16(s.mode);
}

function readSymDef(r: TpmReader): SymDef | null {
  const algorithm = r.u16('symmetric.algorithm');
  return algorithm === TPM_ALG.NULL ? null : { algorithm, keyBits: r.u16('symmetric.keyBits'), mode: r.u16('symmetric.mode') };
}

function writeOptScheme(w: TpmWriter, s: HashScheme | null): void {
  if (s === null) w.u16(TPM_ALG.NULL);
  else if (s.scheme === RSAES) w.u16(s.scheme);
  else w.u16(s.scheme).u16(s.hashAlg);
}

function readOptScheme(r: TpmReader, field: string): HashScheme | null {
  const scheme = r.u16(`${field}.scheme`);
  if (scheme === RSAES) return { scheme, hashAlg: TPM_ALG.NULL };
  return scheme === TPM_ALG.NULL ? null : { scheme, hashAlg: r.u16(`${field}.hashAlg`) };
}

/** Marshal TPMT_PUBLIC (Part 2 §12.2.4). */
export function writePublic(w: TpmWriter, p: TpmPublic): void {
  w.u16(TYPE_ALG[p.type]).u16(p.nameAlg).u32(p.objectAttributes).tpm2b(p.authPolicy);
  switch (p.type) {
    case 'ecc':
      // TPMS_ECC_PARMS (Part 2 §12.2.3.6): symmetric, scheme, curveID, kdf
      writeSymDef(w, p.symmetric);
      writeOptScheme(w, p.scheme);
      w.u16(p.curveId);
      writeOptScheme(w, p.kdf);
      // TPMS_ECC_POINT (Part 2 §11.2.5.2)
      w.tpm2b(p.x).tpm2b(p.y);
      return;
    case 'keyedhash':
      // TPMS_KEYEDHASH_PARMS (Part 2 §12.2.3.3); XOR schemes (with a KDF) are not used here
      writeOptScheme(w, p.scheme);
      w.tpm2b(p.unique);
      return;
    case 'rsa':
      writeSymDef(w, p.symmetric);
      writeOptScheme(w, p.scheme);
      w.u16(p.keyBits).u32(p.exponent).tpm2b(p.modulus);
      return;
    case 'symcipher':
      writeSymDef(w, p.symmetric);
      w.tpm2b(p.unique);
      return;
  }
}

/** Unmarshal TPMT_PUBLIC; other object types are refused. */
export function readPublic(r: TpmReader): TpmPublic {
  const type = r.u16('type');
  const nameAlg = r.u16('nameAlg');
  const objectAttributes = r.u32('objectAttributes');
  const authPolicy = r.tpm2b('authPolicy', 64);
  if (type === TPM_ALG.ECC) {
    const symmetric = readSymDef(r);
    const scheme = readOptScheme(r, 'scheme');
    const curveId = r.u16('curveID');
    const kdf = readOptScheme(r, 'kdf');
    const x = r.tpm2b('unique.x', 66);
    const y = r.tpm2b('unique.y', 66);
    return { type: 'ecc', nameAlg, objectAttributes, authPolicy, symmetric, scheme, curveId, kdf, x, y };
  }
  if (type === TPM_ALG.KEYEDHASH) {
    const schemeAlg = r.u16('scheme');
    if (schemeAlg === TPM_ALG.XOR) throw new TpmMarshalError(`${r.what}: XOR keyed-hash scheme not supported`);
    const scheme = schemeAlg === TPM_ALG.NULL ? null : { scheme: schemeAlg, hashAlg: r.u16('scheme.hashAlg') };
    return { type: 'keyedhash', nameAlg, objectAttributes, authPolicy, scheme, unique: r.tpm2b('unique', 64) };
  }
  if (type === TYPE_ALG.rsa) {
    const symmetric = readSymDef(r);
    const scheme = readOptScheme(r, 'scheme');
    const keyBits = r.u16('keyBits');
    const exponent = r.u32('exponent');
    return { type: 'rsa', nameAlg, objectAttributes, authPolicy, symmetric, scheme, keyBits, exponent, modulus: r.tpm2b('unique.rsa', 512) };
  }
  if (type === TYPE_ALG.symcipher) {
    const symmetric = readSymDef(r);
    if (symmetric === null) throw new TpmMarshalError(`${r.what}: a SYMCIPHER object needs a symmetric algorithm`);
    return { type: 'symcipher', nameAlg, objectAttributes, authPolicy, symmetric, unique: r.tpm2b('unique', 64) };
  }
  throw new TpmMarshalError(`${r.what}: public area type 0x${type.toString(16)} not supported (ECC, RSA, KEYEDHASH, SYMCIPHER)`);
}

/** The canonical TPMT_PUBLIC bytes. */
export function publicBytes(p: TpmPublic): Uint8Array {
  return marshal((w) => writePublic(w, p));
}

/** Object Name, TPM 2.0 Part 1 §16: nameAlg (UINT16) || H_nameAlg(TPMT_PUBLIC); SHA-256 or SM3_256. */
export function objectName(p: TpmPublic): Uint8Array {
  const suite = suiteOfHash(p.nameAlg);
  if (!suite) throw new TssRefusal(`objectName: nameAlg 0x${p.nameAlg.toString(16)} not supported`);
  return marshal((w) => w.u16(p.nameAlg).bytes(suite.hash(publicBytes(p))));
}

/** Left-pad a big-endian coordinate to 32 bytes (a TPM may drop leading zero octets). */
function coord(c: Uint8Array, what: string): Uint8Array {
  if (c.length > SHA256_SIZE) throw new TssRefusal(`${what}: ${c.length} bytes is too long for a 256-bit curve`);
  const out = new Uint8Array(SHA256_SIZE);
  out.set(c, SHA256_SIZE - c.length);
  return out;
}

/** The ECC key as an uncompressed SEC1 point 0x04||X||Y, checked to be on its curve (P-256 or SM2 P-256). */
export function eccPoint(p: TpmPublic): Uint8Array {
  const suite = p.type === 'ecc' ? suiteOfCurve(p.curveId) : undefined;
  if (p.type !== 'ecc' || !suite) throw new TssRefusal('eccPoint: not an ECC NIST P-256 or SM2 P-256 public area');
  const pt = new Uint8Array(65);
  pt[0] = 0x04;
  pt.set(coord(p.x, 'x'), 1);
  pt.set(coord(p.y, 'y'), 33);
  if (!suite.isValidPoint(pt)) throw new TssRefusal(`eccPoint: the TPM returned a point that is not on ${suite.algorithms.curve}`);
  return pt;
}

const A = TPMA_OBJECT;
const CREATED_KEY = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.noDA;
const EMPTY = new Uint8Array(0);
/** The suite's block cipher at 128 bits in CFB (AES-128-CFB, SM4-CFB: Part 2 §11.1.6 TPMT_SYM_DEF_OBJECT). */
const cfb128 = (suite: CryptoSuite): SymDef => ({ algorithm: suite.algorithms.tpm.symAlg, keyBits: 128, mode: TPM_ALG.CFB });
/** The suite's signature scheme with its hash (ECDSA-SHA256, SM2-SM3_256). */
const signScheme = (suite: CryptoSuite): HashScheme => ({ scheme: suite.algorithms.tpm.signScheme, hashAlg: suite.algorithms.tpm.hashAlg });

/**
 * ECC storage key (restricted decrypt, CFB) on the suite's curve with its nameAlg — P-256,
 * SHA-256, AES-128-CFB by default, SM2 P-256, SM3_256, SM4-CFB for the tcm suite — usable as
 * the parent of sealed objects and as the tpmKey of a salted session (Part 3 §11.1: tpmKey must
 * be a decrypt key). noDA so test failures never trip the dictionary-attack lockout.
 */
export function storageKeyTemplate(suite: CryptoSuite = tpm2P256): EccPublic {
  return {
    type: 'ecc',
    nameAlg: suite.algorithms.tpm.hashAlg,
    objectAttributes: CREATED_KEY | A.restricted | A.decrypt,
    authPolicy: EMPTY,
    symmetric: cfb128(suite),
    scheme: null,
    curveId: suite.algorithms.tpm.curveId,
    kdf: null,
    x: EMPTY,
    y: EMPTY,
  };
}

/** ECC restricted signing key with the suite's scheme (ECDSA-SHA256 / SM2): an attestation key for Quote/Certify. */
export function signingKeyTemplate(suite: CryptoSuite = tpm2P256): EccPublic {
  return {
    type: 'ecc',
    nameAlg: suite.algorithms.tpm.hashAlg,
    objectAttributes: CREATED_KEY | A.restricted | A.sign,
    authPolicy: EMPTY,
    symmetric: null,
    scheme: signScheme(suite),
    curveId: suite.algorithms.tpm.curveId,
    kdf: null,
    x: EMPTY,
    y: EMPTY,
  };
}

/**
 * Sealed data object (Part 1 §27.8 "Sealed Data Object"): KEYEDHASH, NULL scheme, data given by
 * the caller (so no sensitiveDataOrigin), usable only through `authPolicy` unless `userWithAuth`.
 */
export function sealedDataTemplate(authPolicy: Uint8Array, opts: { userWithAuth?: boolean; suite?: CryptoSuite } = {}): KeyedHashPublic {
  return {
    type: 'keyedhash',
    nameAlg: (opts.suite ?? tpm2P256).algorithms.tpm.hashAlg,
    objectAttributes: A.fixedTPM | A.fixedParent | A.noDA | (opts.userWithAuth ? A.userWithAuth : 0),
    authPolicy,
    scheme: null,
    unique: EMPTY,
  };
}

/**
 * Public-only ECC verification key for TPM2_LoadExternal (e.g. the TEE's key that
 * PolicySigned checks) on the suite's curve with its scheme. Its Name — and hence any policy
 * naming it — depends on every field here, so policy computation and loading must both use this
 * one template.
 */
export function externalVerifyKeyPublic(point: Uint8Array, suite: CryptoSuite = tpm2P256): EccPublic {
  if (!suite.isValidPoint(point) || point.length !== 65) throw new TssRefusal(`externalVerifyKeyPublic: expected an uncompressed ${suite.algorithms.curve} point`);
  return {
    type: 'ecc',
    nameAlg: suite.algorithms.tpm.hashAlg,
    objectAttributes: A.sign | A.userWithAuth | A.noDA,
    authPolicy: EMPTY,
    symmetric: null,
    scheme: signScheme(suite),
    curveId: suite.algorithms.tpm.curveId,
    kdf: null,
    x: point.slice(1, 33),
    y: point.slice(33, 65),
  };
}
