/**
 * The engine's state (TPM 2.0 Part 1 §36–§37): what survives a restart — the primary seeds and
 * authValues of the hierarchies, NV indices, persistent objects, the dictionary-attack counters,
 * the reset/restart counts — and what lives only until TPM2_Startup(CLEAR) or a power cycle:
 * PCR banks, loaded objects, sessions, the NULL hierarchy's seed. `state-image.ts` serialises the
 * persistent part into the one image a PersistentStateStore keeps.
 * @module
 */
import type { EngineObject } from './object.ts';
import type { EngineSession } from './session-state.ts';

/** The four hierarchies' permanent handles (Part 2 §7.4). */
export const RH = Object.freeze({
  OWNER: 0x40000001,
  NULL: 0x40000007,
  PW: 0x40000009,
  LOCKOUT: 0x4000000a,
  ENDORSEMENT: 0x4000000b,
  PLATFORM: 0x4000000c,
});

/** Handle ranges (Part 2 §7.2 TPM_HT): the top octet. */
export const HT = Object.freeze({ PCR: 0x00, NV_INDEX: 0x01, HMAC_SESSION: 0x02, POLICY_SESSION: 0x03, PERMANENT: 0x40, TRANSIENT: 0x80, PERSISTENT: 0x81 });
export const handleType = (h: number): number => h >>> 24;

export type Hierarchy = 'owner' | 'endorsement' | 'platform' | 'null';

export function hierarchyOf(handle: number): Hierarchy | null {
  switch (handle) {
    case RH.OWNER:
      return 'owner';
    case RH.ENDORSEMENT:
      return 'endorsement';
    case RH.PLATFORM:
      return 'platform';
    case RH.NULL:
      return 'null';
    default:
      return null;
  }
}

export const hierarchyHandle: Record<Hierarchy, number> = { owner: RH.OWNER, endorsement: RH.ENDORSEMENT, platform: RH.PLATFORM, null: RH.NULL };

/** An NV index (Part 1 §37, Part 2 §13.5 TPMS_NV_PUBLIC). */
export interface NvIndex {
  readonly handle: number;
  readonly nameAlg: number;
  /** TPMA_NV (Part 2 §13.4); TPMA_NV_WRITTEN is kept here too. */
  attributes: number;
  readonly authPolicy: Uint8Array;
  readonly dataSize: number;
  authValue: Uint8Array;
  data: Uint8Array;
}

/** Dictionary-attack protection (Part 1 §19.8.6): counters and parameters. */
export interface DaState {
  failedTries: number;
  maxTries: number;
  recoveryTime: number;
  lockoutRecovery: number;
  /** the lockout hierarchy is locked until a restart or lockoutRecovery seconds (Part 1 §19.8.6.3) */
  lockoutAuthLocked: boolean;
}

/** Everything that survives a restart (the NV memory of Part 1 §37). */
export interface PersistentState {
  seeds: Record<'owner' | 'endorsement' | 'platform', Uint8Array>;
  auth: Record<'owner' | 'endorsement' | 'platform' | 'lockout', Uint8Array>;
  nv: Map<number, NvIndex>;
  /** persistent objects (TPM2_EvictControl), by persistent handle */
  persistent: Map<number, EngineObject>;
  da: DaState;
  /** Part 2 §10.11.1 TPMS_CLOCK_INFO resetCount / restartCount */
  resetCount: number;
  restartCount: number;
  /** the key that protects saved contexts (Part 1 §30.3: the context encryption key is volatile in
   * the reference TPM; kept here so ContextLoad works after a restart of the same state) */
  contextKey: Uint8Array;
  /** whether TPM2_Shutdown(STATE) preceded the last power loss (Part 1 §12.2) */
  orderlyState: boolean;
}

/** PCR banks by TPM_ALG_ID: SHA-1, SHA-256, SHA-384, SHA-512 (swtpm allocates the same four),
 * 24 PCRs each (PC Client PTP §4.6). */
export type PcrBanks = ReadonlyMap<number, Uint8Array[]>;

/** Lives until TPM2_Startup(CLEAR) / power loss. */
export interface VolatileState {
  started: boolean;
  pcrs: PcrBanks;
  pcrUpdateCounter: number;
  objects: Map<number, EngineObject>;
  sessions: Map<number, EngineSession>;
  /** the NULL hierarchy's seed, new at every TPM Reset (Part 1 §14.5) */
  nullSeed: Uint8Array;
  nextSessionHandle: number;
  contextCounter: bigint;
  /** milliseconds since Startup at the last command (TPMS_TIME_INFO time) */
  startedAt: number;
}

export const PCR_COUNT = 24;
/** Part 1 §17 / PC Client PTP: PCR 16 (debug) and 23 (application) are resettable at locality 0. */
export const RESETTABLE_PCRS: ReadonlySet<number> = new Set([16, 23]);
/** TPM_PT_PCR_NO_INCREMENT (Part 2 §6.13): changes to these do not bump pcrUpdateCounter (PC
 * Client PTP: the debug and application PCRs; libtpms does the same). */
export const NO_INCREMENT_PCRS: ReadonlySet<number> = new Set([16, 23]);

/** Objects and sessions the engine holds at once (the reference TPM's MAX_LOADED_OBJECTS 3 /
 * MAX_LOADED_SESSIONS 3; swtpm has the same limits). */
export const MAX_LOADED_OBJECTS = 3;
export const MAX_LOADED_SESSIONS = 3;
/** NV indices and persistent objects (a small TEE secure storage). */
export const MAX_NV_INDICES = 32;
export const MAX_PERSISTENT = 8;
export const MAX_NV_INDEX_SIZE = 2048;
/** Part 2 §10.4.7 MAX_NV_BUFFER_SIZE of the reference TPM (and swtpm). */
export const MAX_NV_BUFFER = 1024;
