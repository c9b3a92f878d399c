/**
 * The secret part of a new object and the public `unique` field that goes with it (TPM 2.0
 * Part 1 §27; Part 3 §12.1 TPM2_Create, §24.1 TPM2_CreatePrimary):
 *   - ECC (P-256 in TPM mode, the SM2 curve in TCM mode): a scalar d and unique = d·G;
 *   - RSA-2048: the primes (impl/crypto/rsa.ts, node:crypto) and unique = the modulus;
 *   - KEYEDHASH: the sealed data (or, with sensitiveDataOrigin, a random HMAC key) and
 *     unique = H(seedValue || data), the obfuscation of Part 1 §27.8;
 *   - SYMCIPHER: an AES or SM4 key, unique = H_nameAlg(seedValue || key);
 *   - every storage parent gets a seedValue (Part 1 §27.2) its children's protection derives from.
 * For a primary object every value comes from the hierarchy's primary seed (Part 1 §26.3: "the
 * primary seed ... the template ... the same object"): a KDFa stream keyed with the seed whose
 * context is the template's digest and the caller's sensitive data, so the same template under
 * the same seed gives the same key after any number of restarts. Ordinary objects draw from the
 * engine's random source.
 * @module
 */
import { tpm2P256, type CryptoSuite, type RandomSource } from '../../crypto/index.ts';
import { digestSizeOf, hashById, suiteOfCurve } from '../../tpm2/hash-algorithms.ts';
import { rsaKeyFromStream } from '../../crypto/rsa.ts';
import { concat } from '../../tpm2/session-crypto.ts';
import { publicBytes, type TpmPublic } from '../../tpm2/public-area.ts';
import { TPMA_OBJECT, TPM_ALG } from '../../tpm2/spec-constants.ts';

export interface KeyMaterial {
  readonly public: TpmPublic;
  readonly sensitive: Uint8Array;
  readonly seedValue: Uint8Array;
}

/** A source of the octets a key is made from: random, or derived from a primary seed. */
export type KeyStream = (label: string, n: number) => Uint8Array;

export function randomStream(random: RandomSource): KeyStream {
  return (_label, n) => random.bytes(n);
}

/**
 * Part 1 §26.3: KDFa(primarySeed, label, H(template), H(sensitive data), bits) — each purpose
 * (the key, the seedValue) has its own label so no two values of a primary are related.
 */
export function primaryStream(seed: Uint8Array, template: TpmPublic, data: Uint8Array, suite: CryptoSuite = tpm2P256): KeyStream {
  const ctxU = suite.hash(publicBytes(template));
  const ctxV = suite.hash(data);
  return (label, n) => suite.kdfa(seed, label, ctxU, ctxV, n * 8);
}

const is = (p: TpmPublic, bit: number) => (p.objectAttributes & bit) !== 0;

/** Make the secret values of `template` (already checked by object-checks.ts) from `stream`. */
export function makeKeyMaterial(template: TpmPublic, data: Uint8Array, stream: KeyStream): KeyMaterial {
  const storage = is(template, TPMA_OBJECT.restricted) && is(template, TPMA_OBJECT.decrypt);
  const seedValue = storage || template.type === 'keyedhash' || template.type === 'symcipher' ? stream('SEED', 32) : new Uint8Array(0);
  switch (template.type) {
    case 'ecc': {
      // the template's curve: P-256 in TPM mode, the SM2 curve in TCM mode (object-checks.ts)
      const curve = suiteOfCurve(template.curveId)!;
      const d = curve.scalarFromSeed(stream('ECC', 48));
      const q = curve.basePointMul(d);
      return { public: { ...template, x: q.slice(1, 33), y: q.slice(33, 65) }, sensitive: d, seedValue };
    }
    case 'rsa': {
      // the primes come from the stream: a primary's seed or the engine's random source
      let i = 0;
      const key = rsaKeyFromStream(template.keyBits, (n) => stream(`RSA${i++}`, n));
      return { public: { ...template, modulus: key.n }, sensitive: key.p, seedValue };
    }
    case 'keyedhash': {
      const secret = is(template, TPMA_OBJECT.sensitiveDataOrigin) ? stream('KEYEDHASH', 32) : data;
      return { public: { ...template, unique: hashById(template.nameAlg)!(concat(seedValue, secret)) }, sensitive: secret, seedValue };
    }
    case 'symcipher': {
      const key = data.length > 0 ? data : stream('SYMCIPHER', template.symmetric.keyBits / 8);
      return { public: { ...template, unique: hashById(template.nameAlg)!(concat(seedValue, key)) }, sensitive: key, seedValue };
    }
  }
}

/** The digest size of a hash TPM_ALG_ID (any the project knows; the mode's checks are algorithms.ts's). */
export const digestSize = digestSizeOf;
