/**
 * Signing and verifying with an engine object (TPM 2.0 Part 1 §11.2.1 schemes; Part 3 §20):
 * the scheme a command uses is the key's own, or the caller's when the key's is NULL (a
 * restricted key's scheme cannot be overridden: Part 3 §18.1.3 / §20.2.3 TPM_RC_SCHEME). ECDSA
 * P-256 through noble (impl/crypto/ecdsa-digest.ts), SM2 on the SM2 curve in TCM mode
 * (impl/crypto/sm2-digest.ts, the tcm suite's signer), RSASSA / RSAPSS through node:crypto
 * (impl/crypto/rsa.ts: noble has no RSA), HMAC for KEYEDHASH signing keys.
 *
 * Where the TPM itself forms the digest of a message (TPMS_ATTEST of Quote / Certify, aHash of
 * PolicySigned), an SM2 key's digest is GB/T 32918.2's e = SM3(Z_A ‖ M) with the standard user
 * id, so the signature is a standard SM2 signature of the message (what the tcm suite's `verify`
 * and `sign` do); TPM2_Sign and TPM2_VerifySignature take the digest e as given (as libtpms).
 * @module
 */
import { ecdsaSignDigest, ecdsaVerifyDigest } from '../../crypto/ecdsa-digest.ts';
import { rsaSignDigest, rsaVerifyDigest } from '../../crypto/rsa.ts';
import { sm2MessageDigest, sm2SignDigest, sm2VerifyDigest } from '../../crypto/sm2-digest.ts';
import { hashById, suiteOfCurve, suiteOfHash } from '../../tpm2/hash-algorithms.ts';
import type { TpmReader } from '../../tpm2/marshal-reader.ts';
import type { HashScheme } from '../../tpm2/public-area.ts';
import type { AnySignature } from '../../tpm2/signature.ts';
import { TPMA_OBJECT, TPM_ALG } from '../../tpm2/spec-constants.ts';
import { TPM_MODE, type EngineAlgorithms } from './algorithms.ts';
import type { EngineContext } from './engine-context.ts';
import { digestSize } from './key-material.ts';
import { hasAttr, type EngineObject } from './object.ts';
import { RC, TpmRc } from './rc.ts';

/** TPMT_SIG_SCHEME (Part 2 §11.2.1.5): NULL or scheme + hashAlg. */
export function readSigScheme(r: TpmReader): HashScheme | null {
  const scheme = r.u16('inScheme.scheme');
  if (scheme === TPM_ALG.NULL) return null;
  if (![TPM_ALG.ECDSA, TPM_ALG.RSASSA, TPM_ALG.RSAPSS, TPM_ALG.HMAC, 0x001a, 0x001b, 0x001c].includes(scheme)) throw new TpmRc(RC.SCHEME, 'not a signing scheme');
  return { scheme, hashAlg: r.u16('inScheme.hashAlg') };
}

/** The scheme to sign with; `param` is the number of the inScheme parameter; `algs` the mode. */
export function signScheme(key: EngineObject, inScheme: HashScheme | null, param: number, algs: EngineAlgorithms = TPM_MODE): HashScheme {
  const own = key.public.type === 'ecc' || key.public.type === 'rsa' || key.public.type === 'keyedhash' ? key.public.scheme : null;
  const fail = (why: string) => new TpmRc(RC.SCHEME | 0x40 | (param << 8), why);
  let s: HashScheme | null;
  if (own && inScheme && (own.scheme !== inScheme.scheme || own.hashAlg !== inScheme.hashAlg)) throw fail('the key has its own scheme');
  s = own ?? inScheme;
  if (!s) throw fail('no scheme: the key has none and none was given');
  const fits =
    key.public.type === 'ecc' ? s.scheme === eccScheme(key) : key.public.type === 'rsa' ? s.scheme === TPM_ALG.RSASSA || s.scheme === TPM_ALG.RSAPSS : key.public.type === 'keyedhash' ? s.scheme === TPM_ALG.HMAC : false;
  if (!fits) throw fail('the scheme does not fit the key');
  if (digestSize(s.hashAlg) === undefined || !algs.schemeHashes.includes(s.hashAlg)) throw fail('scheme hash not supported');
  return s;
}

/** The signature scheme of an ECC key's curve: ECDSA on P-256, SM2 on the SM2 curve. */
function eccScheme(key: EngineObject): number | undefined {
  return key.public.type === 'ecc' ? suiteOfCurve(key.public.curveId)?.algorithms.tpm.signScheme : undefined;
}

const eccPub = (p: { x: Uint8Array; y: Uint8Array }) => new Uint8Array([4, ...pad(p.x), ...pad(p.y)]);

/** The digest the TPM signs for a message it formed itself (see the module note: SM2's e with Z_A). */
export function messageDigest(key: EngineObject, s: HashScheme, message: Uint8Array): Uint8Array {
  if (s.scheme === TPM_ALG.SM2 && key.public.type === 'ecc') return sm2MessageDigest(message, eccPub(key.public));
  return hashFor(s.hashAlg, message);
}

/** A signing key that may sign (Part 3 §20.2.3: not a signing key → TPM_RC_KEY). */
export function assertSigningKey(key: EngineObject, handleNo: number): void {
  if (!hasAttr(key, TPMA_OBJECT.sign) || key.publicOnly) throw new TpmRc(RC.KEY | (handleNo << 8), 'not a signing key with a private part');
}

/** Sign `digest` (of the scheme's hash) with `key`. */
export function signDigest(tpm: EngineContext, key: EngineObject, s: HashScheme, digest: Uint8Array): AnySignature {
  if (key.public.type === 'ecc') {
    if (s.scheme === TPM_ALG.SM2) return { sigAlg: TPM_ALG.SM2, hashAlg: s.hashAlg, sig: sm2SignDigest(key.sensitive, digest) };
    return { sigAlg: TPM_ALG.ECDSA, hashAlg: s.hashAlg, sig: ecdsaSignDigest(key.sensitive, digest) };
  }
  if (key.public.type === 'rsa') {
    const scheme = s.scheme === TPM_ALG.RSAPSS ? 'rsapss' : 'rsassa';
    return { sigAlg: s.scheme, hashAlg: s.hashAlg, sig: rsaSignDigest(key.public.modulus, key.sensitive, scheme, s.hashAlg, digest, () => tpm.random.bytes(digest.length)) };
  }
  return { sigAlg: TPM_ALG.HMAC, hashAlg: s.hashAlg, sig: (suiteOfHash(s.hashAlg) ?? tpm.algs.suite).hmac(key.sensitive, digest) };
}

/** Does `sig` verify over `digest` under `key`? (Any scheme the key's type takes, Part 3 §20.1.) */
export function verifyDigest(key: EngineObject, digest: Uint8Array, sig: AnySignature): boolean {
  const p = key.public;
  if (digestSize(sig.hashAlg) !== digest.length) return false;
  if (p.type === 'ecc') {
    if (sig.sigAlg !== eccScheme(key)) return false;
    return sig.sigAlg === TPM_ALG.SM2 ? sm2VerifyDigest(sig.sig, digest, eccPub(p)) : ecdsaVerifyDigest(sig.sig, digest, eccPub(p));
  }
  if (p.type === 'rsa') {
    if (sig.sigAlg !== TPM_ALG.RSASSA && sig.sigAlg !== TPM_ALG.RSAPSS) return false;
    return rsaVerifyDigest(p.modulus, sig.sigAlg === TPM_ALG.RSAPSS ? 'rsapss' : 'rsassa', sig.hashAlg, digest, sig.sig, BigInt(p.exponent || 65537));
  }
  if (p.type === 'keyedhash' && sig.sigAlg === TPM_ALG.HMAC && !key.publicOnly) {
    // an HMAC key's scheme hash is its nameAlg's (object-checks.ts); SHA-1 keeps the mode's HMAC as before
    const want = (suiteOfHash(sig.hashAlg) ?? TPM_MODE.suite).hmac(key.sensitive, digest);
    return want.length === sig.sig.length && want.every((b, i) => b === sig.sig[i]);
  }
  return false;
}

function pad(c: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(c.subarray(Math.max(0, c.length - 32)), Math.max(0, 32 - c.length));
  return out;
}

/** H_alg(data) for the hashes a signature scheme may use (signScheme checked it is the mode's). */
export function hashFor(alg: number, data: Uint8Array): Uint8Array {
  // an algorithm the project has no hash for gives no digest: the signature then fails to verify
  return hashById(alg)?.(data) ?? new Uint8Array(0);
}
