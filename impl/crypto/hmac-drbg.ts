/**
 * HMAC_DRBG from NIST SP 800-90A Rev. 1 §10.1.2, over any hash with an HMAC (SHA-256 here).
 * Implemented from the standard and checked against the NIST CAVP HMAC_DRBG.rsp known
 * answers (test/impl/crypto/random.test.ts). Reseeding and prediction resistance are not
 * implemented: this generator backs `seededRandom`, a deterministic stream for tests and
 * replayable runs, not a source of fresh entropy.
 * @module
 */
import { abytes, concatBytes } from './assert.ts';
import { CryptoError } from './suite.ts';
import type { KdfHash } from './tpm-kdf.ts';

/** SP 800-90A §10.1 Table 2: max_number_of_bits_per_request = 2^19 bits. */
export const DRBG_MAX_REQUEST_BYTES = (1 << 19) / 8;

export class HmacDrbg {
  #K: Uint8Array;
  #V: Uint8Array;
  #reseedCounter = 0;

  /**
   * HMAC_DRBG_Instantiate_algorithm (§10.1.2.3):
   * seed_material = entropy_input || nonce || personalization_string; Key = 0x00…; V = 0x01…;
   * (Key, V) = HMAC_DRBG_Update(seed_material, Key, V); reseed_counter = 1.
   */
  constructor(
    private readonly h: KdfHash,
    entropyInput: Uint8Array,
    nonce: Uint8Array = new Uint8Array(0),
    personalization: Uint8Array = new Uint8Array(0),
  ) {
    abytes(entropyInput, 'drbg entropyInput');
    abytes(nonce, 'drbg nonce');
    abytes(personalization, 'drbg personalization');
    this.#K = new Uint8Array(h.outputLen);
    this.#V = new Uint8Array(h.outputLen).fill(0x01);
    this.#update(concatBytes(entropyInput, nonce, personalization));
    this.#reseedCounter = 1;
  }

  /** HMAC_DRBG_Update (§10.1.2.2). */
  #update(providedData: Uint8Array): void {
    this.#K = this.h.hmac(this.#K, concatBytes(this.#V, Uint8Array.of(0x00), providedData));
    this.#V = this.h.hmac(this.#K, this.#V);
    if (providedData.length === 0) return;
    this.#K = this.h.hmac(this.#K, concatBytes(this.#V, Uint8Array.of(0x01), providedData));
    this.#V = this.h.hmac(this.#K, this.#V);
  }

  /**
   * HMAC_DRBG_Generate_algorithm (§10.1.2.5) without the reseed check:
   * optional Update(additional_input); V = HMAC(Key, V) until enough bits; Update(additional_input).
   */
  generate(nBytes: number, additionalInput: Uint8Array = new Uint8Array(0)): Uint8Array {
    if (!Number.isSafeInteger(nBytes) || nBytes < 0 || nBytes > DRBG_MAX_REQUEST_BYTES) {
      throw new CryptoError('bad-length', `drbg generate: expected 0..${DRBG_MAX_REQUEST_BYTES} bytes, got ${nBytes}`);
    }
    abytes(additionalInput, 'drbg additionalInput');
    if (additionalInput.length > 0) this.#update(additionalInput);
    const out = new Uint8Array(nBytes);
    for (let off = 0; off < nBytes; off += this.#V.length) {
      this.#V = this.h.hmac(this.#K, this.#V);
      out.set(this.#V.subarray(0, Math.min(this.#V.length, nBytes - off)), off);
    }
    this.#update(additionalInput);
    this.#reseedCounter++;
    return out;
  }

  /** Number of generate calls plus one, as SP 800-90A counts it (for inspection only). */
  get reseedCounter(): number {
    return this.#reseedCounter;
  }
}
