/**
 * The state of a new engine: at first boot (TPM manufacture, Part 1 §14: fresh primary seeds,
 * empty authValues, the dictionary-attack defaults of the reference TPM) and at every TPM
 * Reset (Part 1 §12.2.3: PCRs zero, no objects or sessions, a new NULL seed).
 * @module
 */
import type { RandomSource } from '../../crypto/index.ts';
import { digestSizeOf } from '../../tpm2/hash-algorithms.ts';
import { TPM_MODE } from './algorithms.ts';
import { PCR_COUNT, type PcrBanks, type PersistentState, type VolatileState } from './state.ts';

/** Part 1 §14.3: a primary seed has at least twice the security strength: 64 octets here. */
const SEED_BYTES = 64;

export function freshPersistentState(random: RandomSource): PersistentState {
  return {
    seeds: { owner: random.bytes(SEED_BYTES), endorsement: random.bytes(SEED_BYTES), platform: random.bytes(SEED_BYTES) },
    auth: { owner: new Uint8Array(0), endorsement: new Uint8Array(0), platform: new Uint8Array(0), lockout: new Uint8Array(0) },
    nv: new Map(),
    persistent: new Map(),
    // the reference TPM's defaults (and swtpm's): 3 tries, 1000 s recovery, 1000 s lockout recovery
    da: { failedTries: 0, maxTries: 3, recoveryTime: 1000, lockoutRecovery: 1000, lockoutAuthLocked: false },
    resetCount: 0,
    restartCount: 0,
    contextKey: random.bytes(32),
    orderlyState: false,
  };
}

/** The banks of TPM mode (SHA-1/256/384/512, as swtpm allocates); TCM mode has one SM3_256 bank (algorithms.ts). */
const TPM_BANKS = TPM_MODE.hashes;

/**
 * PCRs after a TPM Reset: zero, except the D-RTM PCRs 17–22, which start at all ones until a
 * D-RTM event resets them (PC Client PTP §4.6 Table 4; swtpm does the same).
 */
export function freshPcrs(banks: readonly number[] = TPM_BANKS): PcrBanks {
  return new Map(banks.map((alg) => [alg, Array.from({ length: PCR_COUNT }, (_, i) => new Uint8Array(digestSizeOf(alg)!).fill(i >= 17 && i <= 22 ? 0xff : 0))]));
}

export function freshVolatileState(random: RandomSource, banks: readonly number[] = TPM_BANKS): VolatileState {
  return {
    started: false,
    pcrs: freshPcrs(banks),
    pcrUpdateCounter: 0,
    objects: new Map(),
    sessions: new Map(),
    nullSeed: random.bytes(SEED_BYTES),
    nextSessionHandle: 0,
    contextCounter: 0n,
    startedAt: 0,
  };
}
