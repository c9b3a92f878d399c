/**
 * Concrete evaluation of terms: each function symbol of models/terms.ts mapped to the crypto
 * suite. This table is the whole link between the symbolic model and real bytes. The names
 * below are the tpm2 suite's; the tcm suite (impl/crypto/tcm-sm2.ts) puts SM3 for SHA-256, SM2
 * for ECDSA/ECDH on P-256, SM4-CFB for AES-128-CFB and SM4-GCM for AES-256-GCM (its 128-bit key
 * the first half of the 256-bit symbolic key; the ECIES key KDFe'd at 128 bits).
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
 *                   a TPM attestation signature, impl/tpm2-bridge/attestation-verifier.ts); the
 *                   two forms only such a verifier can judge (a sig with TPMS_ATTEST bytes, a
 *                   key marked `restricted`, impl/wire/value.ts) never verify here otherwise
 *   senc(m, k)      AES-128-CFB with a 'CFB' key; otherwise AES-256-GCM with a synthetic nonce
 *                   HMAC(k, 'senc-iv' || m)[0..12] (SIV style, cf. RFC 5297): nonce || ct || tag.
 *                   Deterministic, like the symbolic senc, so re-evaluating a term gives the same
 *                   bytes (a MAC over a ciphertext can be recomputed by its receiver)
 *   aenc(m, p)      ECIES: r·G || AES-256-GCM(KDFe(r·p, 'ECIES', r·G, p), zero nonce)
 * @module
 */
import { type Term, show } from '../../models/terms.ts';
import { type CryptoSuite, CryptoError, type RandomSource } from '../crypto/index.ts';
import { decode, DecodeError, encode } from '../wire/codec.ts';
import { type Value, bytesV, constV, tupleV } from '../wire/value.ts';
import type { FailureCode } from '../../models/role.ts';

/** Evaluation failed: the step that evaluated the term fails with this code. */
export class EvalFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
  }
}

export interface EvalDeps {
  readonly suite: CryptoSuite;
  readonly rng: RandomSource;
  /** TEST ONLY: check labels to skip (see RunOptions.skipChecks) */
  readonly skipChecks?: ReadonlySet<string>;
  /** values decided outside the interpreter for `fresh`/`let` variables — e.g. a nonceTPM a real
   * TPM chose, or a key it derived inside (impl/tpm2-bridge); undefined: compute as usual */
  readonly override?: (variable: string) => Value | undefined;
  /** signature verdicts decided outside the interpreter — a real TPM's TPM2_VerifySignature over
   * SHA-256(encode(message)), a TPM attestation's statement (impl/tpm2-bridge); undefined:
   * verify with the suite */
  readonly verifier?: (sig: Extract<Value, { k: 'sig' }>, message: Value, pk: Extract<Value, { k: 'point' }>) => boolean | undefined;
}

const FAILED_VERIFY: Value = constV('verify-failed');
export const TRUE_V: Value = constV('true');

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

/**
 * The values of the subterms one step has evaluated, by printed term. A step (one machine
 * transition: receive, compute, send) evaluates each distinct subterm once, as the symbolic
 * model has one term for it: `aenc(x, pk)` sent inside a tuple and inside a signature over it
 * is one ciphertext, so the signature covers what was sent (ECIES draws a fresh r each time it
 * runs). Valid while the variables it read keep their values: a step binds a variable once,
 * except a `let`/`fresh` of a variable it already has (`forgetIfRebound`).
 */
export type StepMemo = Map<string, Value>;

/** Printed forms of term objects (machine terms are shared and immutable). */
const PRINTED = new WeakMap<Term, string>();
function printed(t: Term): string {
  let p = PRINTED.get(t);
  if (p === undefined) PRINTED.set(t, (p = show(t)));
  return p;
}

/** A `let` or `fresh` rebinding `name`: the memo may hold values computed from its old value. */
export function forgetIfRebound(memo: StepMemo, env: Readonly<Record<string, unknown>>, name: string): void {
  if (env[name] !== undefined) memo.clear();
}

/** Evaluate `t` under `env` (variable name → value). Throws EvalFailure. With `memo`, each
 * distinct application is evaluated once (see StepMemo). */
export function evaluate(t: Term, env: Readonly<Record<string, unknown>>, deps: EvalDeps, memo?: StepMemo): Value {
  if (memo === undefined || t.t !== 'app') return evaluateNode(t, env, deps, memo);
  const key = printed(t);
  let x = memo.get(key);
  if (x === undefined) memo.set(key, (x = evaluateNode(t, env, deps, memo)));
  return x;
}

function evaluateNode(t: Term, env: Readonly<Record<string, unknown>>, deps: EvalDeps, memo: StepMemo | undefined): Value {
  const { suite } = deps;
  const ev = (u: Term) => evaluate(u, env, deps, memo);
  switch (t.t) {
    case 'var': {
      const x = env[t.name];
      if (x === undefined) throw new EvalFailure('type', `variable '${t.name}' is not bound`);
      return x as Value;
    }
    case 'const':
      return constV(t.name);
    case 'name':
      throw new EvalFailure('type', `symbolic name ~${t.name} has no concrete value`);
    case 'app':
      break;
  }
  const a = t.args;
  try {
    switch (t.f) {
      case 'tuple':
        return tupleV(a.map(ev));
      case 'true':
        return TRUE_V;
      case 'h':
        return bytesV(suite.hash(encode(ev(a[0]!))));
      case 'hmac':
        return bytesV(suite.hmac(leafBytes(ev(a[0]!), 'hmac key'), encode(ev(a[1]!))));
      case 'kdfa': {
        const l = label(ev(a[1]!));
        const out = suite.kdfa(leafBytes(ev(a[0]!), 'kdfa key'), l, contextBytes(ev(a[2]!), suite), contextBytes(ev(a[3]!), suite), 256);
        return bytesV(out, l === 'CFB');
      }
      case 'kdfe':
        return bytesV(suite.kdfe(sharedX(ev(a[0]!), suite), label(ev(a[1]!)), contextBytes(ev(a[2]!), suite), contextBytes(ev(a[3]!), suite), 256));
      case 'pk': {
        const sk = ev(a[0]!);
        if (sk.k !== 'scalar') throw new EvalFailure('type', `pk needs a private scalar, got ${sk.k}`);
        return publicKeyOf(sk, suite);
      }
      case 'exp': {
        const base = ev(a[0]!);
        const x = ev(a[1]!);
        if (x.k !== 'scalar') throw new EvalFailure('type', `an exponent must be a private scalar, got ${x.k}`);
        if (base.k === 'const' && base.s === 'g') return { k: 'point', b: suite.basePointMul(x.b) };
        if (base.k !== 'point') throw new EvalFailure('type', `exponentiation of a ${base.k}`);
        return { k: 'point', b: suite.pointMul(base.b, x.b) };
      }
      case 'sign': {
        const sk = ev(a[1]!);
        if (sk.k !== 'scalar') throw new EvalFailure('type', `sign needs a private scalar, got ${sk.k}`);
        return { k: 'sig', b: suite.sign(sk.b, encode(ev(a[0]!))) };
      }
      case 'verify': {
        const s = ev(a[0]!);
        const p = ev(a[2]!);
        if (s.k !== 'sig' || p.k !== 'point') return FAILED_VERIFY;
        const m = ev(a[1]!);
        const decided = deps.verifier?.(s, m, p);
        if (decided !== undefined) return decided ? TRUE_V : FAILED_VERIFY;
        // a TPM attestation signature, or any signature under a restricted signing key (which
        // signs TPM-generated structures only): only a TPM attestation verifier states anything
        if (s.attest || p.restricted) return FAILED_VERIFY;
        return suite.verify(s.b, encode(m), p.b) ? TRUE_V : FAILED_VERIFY;
      }
      case 'senc': {
        const k = ev(a[1]!);
        const m = encode(ev(a[0]!));
        const kb = leafBytes(k, 'senc key');
        if (k.k === 'bytes' && k.cfb) return bytesV(suite.cfbEncrypt(cfbKey(kb, suite), cfbIv(kb, suite), m));
        const nonce = suite.hmac(symKey(kb), Buffer.concat([Buffer.from('senc-iv'), m])).slice(0, suite.aeadNonceLen);
        return bytesV(Buffer.concat([nonce, suite.aeadEncrypt(aeadKey(kb, suite), nonce, m)]));
      }
      case 'sdec': {
        const ct = leafBytes(ev(a[0]!), 'sdec ciphertext');
        const k = ev(a[1]!);
        const kb = leafBytes(k, 'sdec key');
        let pt: Uint8Array | null;
        const nl = suite.aeadNonceLen;
        if (k.k === 'bytes' && k.cfb) pt = suite.cfbDecrypt(cfbKey(kb, suite), cfbIv(kb, suite), ct);
        else pt = ct.length < nl + suite.aeadTagLen ? null : suite.aeadDecrypt(aeadKey(kb, suite), ct.slice(0, nl), ct.slice(nl));
        if (!pt) throw new EvalFailure('destructor', 'decryption failed (authentication tag)');
        return decodedPlaintext(pt);
      }
      case 'aenc': {
        const p = ev(a[1]!);
        if (p.k !== 'point') throw new EvalFailure('type', `aenc needs a public key, got ${p.k}`);
        const r = suite.scalarFromSeed(deps.rng.bytes(48));
        const R = suite.basePointMul(r);
        const key = suite.kdfe(suite.pointX(suite.pointMul(p.b, r)), 'ECIES', suite.pointX(R), suite.pointX(p.b), 8 * suite.aeadKeyLen);
        return bytesV(Buffer.concat([R, suite.aeadEncrypt(key, new Uint8Array(suite.aeadNonceLen), encode(ev(a[0]!)))]));
      }
      case 'adec': {
        const ct = leafBytes(ev(a[0]!), 'adec ciphertext');
        const sk = ev(a[1]!);
        if (sk.k !== 'scalar') throw new EvalFailure('type', `adec needs a private scalar, got ${sk.k}`);
        if (ct.length < suite.pointLen + suite.aeadTagLen) throw new EvalFailure('destructor', 'ciphertext too short');
        const R = ct.slice(0, suite.pointLen);
        if (!suite.isValidPoint(R)) throw new EvalFailure('destructor', 'ciphertext carries an invalid point');
        const P = suite.publicKey(sk.b);
        const key = suite.kdfe(suite.pointX(suite.pointMul(R, sk.b)), 'ECIES', suite.pointX(R), suite.pointX(P), 8 * suite.aeadKeyLen);
        const pt = suite.aeadDecrypt(key, new Uint8Array(suite.aeadNonceLen), ct.slice(suite.pointLen));
        if (!pt) throw new EvalFailure('destructor', 'decryption failed (authentication tag)');
        return decodedPlaintext(pt);
      }
      case 'mult':
        throw new EvalFailure('type', 'a product of exponents has no concrete value');
    }
  } catch (e) {
    if (e instanceof EvalFailure) throw e;
    if (e instanceof CryptoError) throw new EvalFailure('crypto', `${t.f}: ${e.message}`);
    throw e;
  }
}

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

/** A symbolic symmetric key is 32 bytes (a 256-bit KDF output) in every suite. */
function symKey(kb: Uint8Array): Uint8Array {
  if (kb.length !== 32) throw new EvalFailure('type', `a symmetric key must be 32 bytes, got ${kb.length}`);
  return kb;
}

/** The AEAD key: the whole 32 bytes for AES-256-GCM, the first 16 for SM4-GCM. */
const aeadKey = (kb: Uint8Array, suite: CryptoSuite) => symKey(kb).subarray(0, suite.aeadKeyLen);
/** A 'CFB' key (TPM 2.0 Part 1, CFB mode parameter encryption: KDFa(…, 'CFB', …) = key ‖ IV): the key, then the IV. */
const cfbKey = (kb: Uint8Array, suite: CryptoSuite) => kb.slice(0, suite.cfbKeyLen);
const cfbIv = (kb: Uint8Array, suite: CryptoSuite) => kb.slice(suite.cfbKeyLen, suite.cfbKeyLen + suite.blockLen);

function decodedPlaintext(pt: Uint8Array): Value {
  const v = decode(pt);
  if (v instanceof DecodeError) throw new EvalFailure('decode', `decrypted plaintext: ${v.message}`);
  return v;
}

/** A value for a fresh variable of the given sort. */
export function freshValue(sort: string, deps: EvalDeps): Value {
  if (sort === 'skey') return { k: 'scalar', b: deps.suite.scalarFromSeed(deps.rng.bytes(48)) };
  return bytesV(deps.rng.bytes(32));
}
