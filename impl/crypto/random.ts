/**
 * Sources of random bytes for the runtime: the platform CSPRNG for real runs, and a seeded
 * deterministic stream for tests, property runs and replayed attack traces.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { asciiBytes } from './assert.ts';
import { DRBG_MAX_REQUEST_BYTES, HmacDrbg } from './hmac-drbg.ts';
import { CryptoError } from './suite.ts';
import { kdfHash } from './tpm-kdf.ts';

export interface RandomSource {
  bytes(n: number): Uint8Array;
}

function anumBytes(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new CryptoError('bad-length', `random bytes: expected a non-negative integer, got ${String(n)}`);
  }
}

/** WebCrypto getRandomValues fills at most 65536 bytes per call (W3C WebCrypto §10.1.1). */
const GRV_MAX = 65536;

/** Requests up to this size are served from a pool refilled 4 KiB at a time: a run draws a few
 * dozen nonces of 32–48 bytes, and a `getRandomValues` call through the binding costs about as
 * much for 32 bytes as for 4 KiB. Every byte of the pool is handed out once and zeroed there. */
const POOL_BYTES = 4096;
const POOLED_MAX = 256;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;

/** The platform CSPRNG (`crypto.getRandomValues`). */
export function systemRandom(): RandomSource {
  return {
    bytes(n: number): Uint8Array {
      anumBytes(n);
      if (n <= POOLED_MAX) {
        if (poolAt + n > POOL_BYTES) (globalThis.crypto.getRandomValues(pool), (poolAt = 0));
        const out = pool.slice(poolAt, poolAt + n);
        pool.fill(0, poolAt, (poolAt += n));
        return out;
      }
      const out = new Uint8Array(n);
      for (let off = 0; off < n; off += GRV_MAX) {
        globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + GRV_MAX)));
      }
      return out;
    },
  };
}

/** Personalization string (SP 800-90A §8.7.1) that separates this use from any other. */
const SEEDED_PERSONALIZATION = asciiBytes('tee-tpm-channel seededRandom v1');

/**
 * A deterministic stream: NIST SP 800-90A HMAC_DRBG with SHA-256, instantiated with
 * entropy_input = the seed (a number is encoded as 8 bytes big-endian, so it must be a
 * non-negative safe integer), an empty nonce and a fixed personalization string; every
 * `bytes(n)` is one or more Generate calls with no additional input. The same seed always
 * gives the same stream. A seed is not full entropy, so this is for tests and replay only.
 */
export function seededRandom(seed: number | Uint8Array): RandomSource {
  let entropy: Uint8Array;
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new CryptoError('bad-length', `seededRandom: numeric seed must be a non-negative safe integer, got ${seed}`);
    }
    entropy = new Uint8Array(8);
    new DataView(entropy.buffer).setBigUint64(0, BigInt(seed), false);
  } else if (seed instanceof Uint8Array) {
    entropy = seed.slice();
  } else {
    throw new CryptoError('bad-length', 'seededRandom: seed must be a number or Uint8Array');
  }
  const drbg = new HmacDrbg(kdfHash(sha256), entropy, new Uint8Array(0), SEEDED_PERSONALIZATION);
  return {
    bytes(n: number): Uint8Array {
      anumBytes(n);
      const out = new Uint8Array(n);
      for (let off = 0; off < n; off += DRBG_MAX_REQUEST_BYTES) {
        out.set(drbg.generate(Math.min(DRBG_MAX_REQUEST_BYTES, n - off)), off);
      }
      return out;
    },
  };
}
