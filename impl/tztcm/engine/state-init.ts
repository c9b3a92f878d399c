/**
 * The state of a new engine: at first boot (TPM manufacture, Part 1 §14: fresh primary seeds,
 * empty authValues, the dictionary-attack defaults of the reference TPM) and at every TPM
 * Reset (Part 1 §12.2.3: PCRs zero, no objects or sessions, a new NULL seed).
 * @module
 */
import type { RandomSource } from '../../crypto/index.ts';
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

/** TPM_ALG_ID → digest size of the allocated banks. */
export const PCR_BANKS: ReadonlyMap<number, number> = new Map([
  [0x0004, 20],
  [0x000b, 32],
  [0x000c, 48],
  [0x000d, 64],
]);

/**
 * PCRs after a TPM Reset: zero, except the D-RTM PCRs 17–22, which start at all ones until a
 * D-RTM event resets them (PC Client PTP §4.6 Table 4; swtpm does the same).
 */
export function freshPcrs(): PcrBanks {
  return new Map([...PCR_BANKS].map(([alg, n]) => [alg, Array.from({ length: PCR_COUNT }, (_, i) => new Uint8Array(n).fill(i >= 17 && i <= 22 ? 0xff : 0))]));
}

export function freshVolatileState(random: RandomSource): VolatileState {
  return {
    started: false,
    pcrs: freshPcrs(),
    pcrUpdateCounter: 0,
    objects: new Map(),
    sessions: new Map(),
    nullSeed: random.bytes(SEED_BYTES),
    nextSessionHandle: 0,
    contextCounter: 0n,
    startedAt: 0,
  };
}
