/**
 * The concrete implementation of each function symbol of the table (models/terms.ts
 * `SYMBOLS`): the whole link between the symbolic model and real bytes. The evaluator
 * (evaluate.ts) looks a symbol up here by name; the record's type demands one entry per symbol
 * of the table, and `checkImplementations` refuses at start-up a table with a symbol that has
 * none. The names below are the tpm2 suite's; the tcm suite (impl/crypto/tcm-sm2.ts) puts SM3
 * for SHA-256, SM2 for ECDSA/ECDH on P-256, SM4-CFB for AES-128-CFB and SM4-GCM for AES-256-GCM
 * (its 128-bit key the first half of the 256-bit symbolic key; the ECIES key KDFe'd at 128 bits).
 *
 *   h(m)            SHA-256(encode(m))
 *   hmac(k, m)      HMAC-SHA256(k, encode(m))
 *   kdfa(k, l, u, v)  TPM2 KDFa(k, l, u, v, 256 bits) — Part 1 §11.4.10.2; label 'CFB' yields an
 *                   AES-128-CFB key || IV (Part 1, parameter encryption)
 *   kdfe(Z, l, u, v)  TPM2 KDFe(Z.x, l, u.x, v.x, 256 bits) — Part 1 §11.4.10.3; for a tuple of
 *                   points (two-phase), Z is the concatenation of their x-coordinates
 *   pk(sk), 'g'^x   sk·G;  P^x: x·P (ECDH, P-256)
 *   sign(m, sk)     ECDSA-P256-SHA256(sk, encode(m)) (RFC 6979)
 *   verify(s, m, p) the constant true if the signature verifies, otherwise a failed value. A
 *                   verifier given in EvalDeps decides first (a real TPM's TPM2_VerifySignature;
 *                   a TPM attestation signature, impl/tpm2-bridge/attestation-verifier.ts); a
 *                   signature or key in a form only such a verifier can judge (impl/wire/forms.ts)
 *                   never verifies here otherwise
 *   senc(m, k)      AES-128-CFB with a 'CFB' key; otherwise AES-256-GCM with a synthetic nonce
 *                   HMAC(k, 'senc-iv' || m)[0..12] (SIV style, cf. RFC 5297): nonce || ct || tag.
 *                   Deterministic, like the symbolic senc, so re-evaluating a term gives the same
 *                   bytes (a MAC over a ciphertext can be recomputed by its receiver)
 *   aenc(m, p)      ECIES: r·G || AES-256-GCM(KDFe(r·p, 'ECIES', r·G, p), zero nonce)
 * @module
 */
import type { FunctionSymbol, SymbolTable } from '../../models/terms.ts';
import { SYMBOLS } from '../../models/terms.ts';
import type { CryptoSuite } from '../crypto/index.ts';
import { decode, DecodeError, encode } from '../wire/codec.ts';
import { type Value, bytesV, constV, tupleV } from '../wire/value.ts';
import { type EvalDeps, EvalFailure, TRUE_V } from './eval-deps.ts';

/** One symbol's implementation. `arg(i)` evaluates the i-th argument when called (each
 * implementation evaluates its arguments in its own order: a verify looks at the signature and
 * key before the message, an aenc draws its randomness before the plaintext); `n` is the
 * number of arguments (n-ary tuples). Throws EvalFailure. */
export type Primitive = (arg: (i: number) => Value, n: number, deps: EvalDeps) => Value;

const FAILED_VERIFY: Value = constV('verify-failed');

function leafBytes(v: Value, what: string): Uint8Array {
  if (v.k === 'tuple' || v.k === 'const') throw new EvalFailure('type', `${what} needs a byte string, got ${v.k}`);
  return v.b;
}

/** Bytes of a KDF context argument: raw leaf bytes, the x-coordinate of a point, else encoding. */
function contextBytes(v: Value, suite: CryptoSuite): Uint8Array {
  if (v.k === 'point') return suite.pointX(v.b);
  if (v.k === 'bytes' || v.k === 'scalar') return v.b;
  return encode(v);
}

function sharedX(z: Value, suite: CryptoSuite): Uint8Array {
  if (z.k === 'point') return suite.pointX(z.b);
  if (z.k === 'tuple' && z.items.every((i) => i.k === 'point')) return Buffer.concat(z.items.map((i) => suite.pointX((i as { b: Uint8Array }).b)));
  throw new EvalFailure('type', `kdfe needs a shared point, got ${z.k}`);
}

function label(v: Value): string {
  if (v.k !== 'const') throw new EvalFailure('type', 'a KDF label must be a constant');
  return v.s;
}

/** A symbolic symmetric key is 32 bytes (a 256-bit KDF output) in every suite. */
function symKey(kb: Uint8Array): Uint8Array {
  if (kb.length !== 32) throw new EvalFailure('type', `a symmetric key must be 32 bytes, got ${kb.length}`);
  return kb;
}

/** The AEAD key: the whole 32 bytes for AES-256-GCM, the first 16 for SM4-GCM. */
const aeadKey = (kb: Uint8Array, suite: CryptoSuite) => symKey(kb).subarray(0, suite.aeadKeyLen);
/** The KDFa label of a parameter-encryption key (TPM 2.0 Part 1 §21, CFB mode): such a key
 * encrypts with AES-CFB, which has no integrity, so its decryption never fails (the exports read it). */
export const CFB_KEY_LABEL = 'CFB';
/** A 'CFB' key (TPM 2.0 Part 1, CFB mode parameter encryption: KDFa(…, 'CFB', …) = key ‖ IV): the key, then the IV. */
const cfbKey = (kb: Uint8Array, suite: CryptoSuite) => kb.slice(0, suite.cfbKeyLen);
const cfbIv = (kb: Uint8Array, suite: CryptoSuite) => kb.slice(suite.cfbKeyLen, suite.cfbKeyLen + suite.blockLen);

function decodedPlaintext(pt: Uint8Array): Value {
  const v = decode(pt);
  if (v instanceof DecodeError) throw new EvalFailure('decode', `decrypted plaintext: ${v.message}`);
  return v;
}

/** Every symbol of SYMBOLS, implemented (a missing or extra entry does not typecheck). */
export const PRIMITIVES: { readonly [F in FunctionSymbol]: Primitive } = {
  tuple: (arg, n) => tupleV(Array.from({ length: n }, (_, i) => arg(i))),
  true: () => TRUE_V,
  h: (arg, _n, { suite }) => bytesV(suite.hash(encode(arg(0)))),
  hmac: (arg, _n, { suite }) => bytesV(suite.hmac(leafBytes(arg(0), 'hmac key'), encode(arg(1)))),
  kdfa: (arg, _n, { suite }) => {
    const l = label(arg(1));
    const out = suite.kdfa(leafBytes(arg(0), 'kdfa key'), l, contextBytes(arg(2), suite), contextBytes(arg(3), suite), 256);
    return bytesV(out, l === CFB_KEY_LABEL);
  },
  kdfe: (arg, _n, { suite }) => bytesV(suite.kdfe(sharedX(arg(0), suite), label(arg(1)), contextBytes(arg(2), suite), contextBytes(arg(3), suite), 256)),
  pk: (arg, _n, { suite }) => {
    const sk = arg(0);
    if (sk.k !== 'scalar') throw new EvalFailure('type', `pk needs a private scalar, got ${sk.k}`);
    return publicKeyOf(sk, suite);
  },
  exp: (arg, _n, { suite }) => {
    const base = arg(0);
    const x = arg(1);
    if (x.k !== 'scalar') throw new EvalFailure('type', `an exponent must be a private scalar, got ${x.k}`);
    if (base.k === 'const' && base.s === 'g') return { k: 'point', b: suite.basePointMul(x.b) };
    if (base.k !== 'point') throw new EvalFailure('type', `exponentiation of a ${base.k}`);
    return { k: 'point', b: suite.pointMul(base.b, x.b) };
  },
  sign: (arg, _n, { suite }) => {
    const sk = arg(1);
    if (sk.k !== 'scalar') throw new EvalFailure('type', `sign needs a private scalar, got ${sk.k}`);
    return { k: 'sig', b: suite.sign(sk.b, encode(arg(0))) };
  },
  verify: (arg, _n, deps) => {
    const s = arg(0);
    const p = arg(2);
    if (s.k !== 'sig' || p.k !== 'point') return FAILED_VERIFY;
    const m = arg(1);
    const decided = deps.verifier?.(s, m, p);
    if (decided !== undefined) return decided ? TRUE_V : FAILED_VERIFY;
    // a signature or key in a form defined outside (e.g. a TPM attestation signature, a
    // restricted signing key, impl/tpm2/value-forms.ts): only the verifier that knows it decides
    if (s.form || p.form) return FAILED_VERIFY;
    return deps.suite.verify(s.b, encode(m), p.b) ? TRUE_V : FAILED_VERIFY;
  },
  senc: (arg, _n, { suite }) => {
    const k = arg(1);
    const m = encode(arg(0));
    const kb = leafBytes(k, 'senc key');
    if (k.k === 'bytes' && k.cfb) return bytesV(suite.cfbEncrypt(cfbKey(kb, suite), cfbIv(kb, suite), m));
    const nonce = suite.hmac(symKey(kb), Buffer.concat([Buffer.from('senc-iv'), m])).slice(0, suite.aeadNonceLen);
    return bytesV(Buffer.concat([nonce, suite.aeadEncrypt(aeadKey(kb, suite), nonce, m)]));
  },
  sdec: (arg, _n, { suite }) => {
    const ct = leafBytes(arg(0), 'sdec ciphertext');
    const k = arg(1);
    const kb = leafBytes(k, 'sdec key');
    let pt: Uint8Array | null;
    const nl = suite.aeadNonceLen;
    if (k.k === 'bytes' && k.cfb) pt = suite.cfbDecrypt(cfbKey(kb, suite), cfbIv(kb, suite), ct);
    else pt = ct.length < nl + suite.aeadTagLen ? null : suite.aeadDecrypt(aeadKey(kb, suite), ct.slice(0, nl), ct.slice(nl));
    if (!pt) throw new EvalFailure('destructor', 'decryption failed (authentication tag)');
    return decodedPlaintext(pt);
  },
  aenc: (arg, _n, { suite, rng }) => {
    const p = arg(1);
    if (p.k !== 'point') throw new EvalFailure('type', `aenc needs a public key, got ${p.k}`);
    const r = suite.scalarFromSeed(rng.bytes(48));
    const R = suite.basePointMul(r);
    const key = suite.kdfe(suite.pointX(suite.pointMul(p.b, r)), 'ECIES', suite.pointX(R), suite.pointX(p.b), 8 * suite.aeadKeyLen);
    return bytesV(Buffer.concat([R, suite.aeadEncrypt(key, new Uint8Array(suite.aeadNonceLen), encode(arg(0)))]));
  },
  adec: (arg, _n, { suite }) => {
    const ct = leafBytes(arg(0), 'adec ciphertext');
    const sk = arg(1);
    if (sk.k !== 'scalar') throw new EvalFailure('type', `adec needs a private scalar, got ${sk.k}`);
    if (ct.length < suite.pointLen + suite.aeadTagLen) throw new EvalFailure('destructor', 'ciphertext too short');
    const R = ct.slice(0, suite.pointLen);
    if (!suite.isValidPoint(R)) throw new EvalFailure('destructor', 'ciphertext carries an invalid point');
    const P = suite.publicKey(sk.b);
    const key = suite.kdfe(suite.pointX(suite.pointMul(R, sk.b)), 'ECIES', suite.pointX(R), suite.pointX(P), 8 * suite.aeadKeyLen);
    const pt = suite.aeadDecrypt(key, new Uint8Array(suite.aeadNonceLen), ct.slice(suite.pointLen));
    if (!pt) throw new EvalFailure('destructor', 'decryption failed (authentication tag)');
    return decodedPlaintext(pt);
  },
  mult: () => {
    throw new EvalFailure('type', 'a product of exponents has no concrete value');
  },
};

/** The symbols of `table` without an implementation in `impls` (for the start-up check). */
export function missingImplementations(table: SymbolTable, impls: Readonly<Record<string, Primitive | undefined>>): string[] {
  return Object.keys(table).filter((f) => typeof impls[f] !== 'function');
}

/** Refuse to start with a symbol the runtime cannot evaluate (the type of PRIMITIVES catches
 * it at compile time; this catches a table built at run time, e.g. from a user file). */
export function checkImplementations(table: SymbolTable, impls: Readonly<Record<string, Primitive | undefined>>): void {
  const missing = missingImplementations(table, impls);
  if (missing.length) throw new Error(`the runtime has no implementation of ${missing.map((f) => `'${f}'`).join(', ')} (impl/runtime/primitives.ts)`);
}

checkImplementations(SYMBOLS, PRIMITIVES);

/** pk(sk) per private-key value and suite: a party's own public key is computed once for as long
 * as it holds the key (values are immutable; a long-term key kept across runs by an Enrolment,
 * or one key in several steps of a run), not at every step that sends it. */
const PUBLIC_KEYS = new WeakMap<Value, { suite: CryptoSuite; pk: Value }>();
function publicKeyOf(sk: Extract<Value, { k: 'scalar' }>, suite: CryptoSuite): Value {
  const c = PUBLIC_KEYS.get(sk);
  if (c && c.suite === suite) return c.pk;
  const pk: Value = { k: 'point', b: suite.publicKey(sk.b) };
  PUBLIC_KEYS.set(sk, { suite, pk });
  return pk;
}
