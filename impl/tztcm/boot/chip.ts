/**
 * A simulated TZTCM SoC (seed 002 §2.2, §3.1): what is fixed in silicon and fuses — the chip id,
 * the hardware unique key HUK (OP-TEE's tee_otp_get_hw_unique_key), the SRAM PUF, and the
 * manufacturer's public key in OTP. All derived from a chip seed so a simulated device can be
 * "powered up" again by another process; none of it is ever written to the REE directory.
 *
 * The manufacturer's signing key is the factory's (./factory.ts); it is simulated by a fixed seed,
 * which makes the images of this simulation forgeable by anyone who reads this file — a real
 * manufacturer key stays in an HSM.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { tpm2P256 } from '../../crypto/index.ts';
import { SramPuf, type SramPufProfile } from '../storage/puf/sram-puf.ts';
import { PUF_BITS } from '../storage/fuzzy-extractor.ts';

const enc = (s: string) => new TextEncoder().encode(s);

/** the simulated manufacturer's ECDSA P-256 signing key */
export function manufacturerKey(): Uint8Array {
  // 48 seed bytes, as the runtime draws for a fresh scalar (impl/runtime/evaluate.ts freshValue)
  const seed = new Uint8Array(48);
  seed.set(sha256(enc('tcv simulated TZTCM manufacturer key, part 1')), 0);
  seed.set(sha256(enc('tcv simulated TZTCM manufacturer key, part 2')).subarray(0, 16), 32);
  return tpm2P256.scalarFromSeed(seed);
}

export interface Chip {
  readonly seed: string;
  readonly chipId: Uint8Array;
  readonly huk: Uint8Array;
  readonly puf: SramPuf;
  /** the manufacturer public key fused in OTP */
  readonly otpManufacturerPub: Uint8Array;
}

export interface ChipOptions {
  /** nominal PUF bit-error rate at 25 °C (default 0.15: the design's worst case) */
  readonly ber?: number;
  readonly puf?: Partial<SramPufProfile>;
}

export function simulatedChip(seed: string, opts: ChipOptions = {}): Chip {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(seed)) throw new RangeError(`chip seed '${seed}' must be 1..64 characters of A-Z a-z 0-9 . _ -`);
  return {
    seed,
    chipId: enc(`TZTCM-${seed}`),
    huk: sha256(enc(`HUK fuses of ${seed}`)),
    puf: new SramPuf(seed, { cells: PUF_BITS(), ber: opts.ber ?? 0.15, ...opts.puf }),
    otpManufacturerPub: tpm2P256.publicKey(manufacturerKey()),
  };
}
