/**
 * What a command handler works on: the engine's persistent and volatile state, its random
 * source, and the few operations several command families share (find / add a loaded object,
 * the PCR banks, the clock, writing the persistent image back). A handler that changes
 * persistent state calls `commitNv()` before it returns; the engine only lets a handler's
 * changes stand when it succeeded (it works on a copy-free state, so handlers check everything
 * before they change anything — the TPM's own rule, Part 3 §5.3 "no state change on error").
 * @module
 */
import { tpm2P256, type RandomSource } from '../../crypto/index.ts';
import type { PersistentStateStore } from '../engine-contract.ts';
import { TPM_MODE, type EngineAlgorithms } from './algorithms.ts';
import type { EngineObject } from './object.ts';
import { RC, TpmRc } from './rc.ts';
import type { EngineSession } from './session-state.ts';
import { encodeStateImage } from './state-image.ts';
import { HT, MAX_LOADED_OBJECTS, MAX_LOADED_SESSIONS, handleType, type PersistentState, type VolatileState } from './state.ts';

export class EngineContext {
  /** the volatile state TPM2_Shutdown(STATE) saved, for a later Startup(STATE) (Part 1 §12.2.4) */
  savedState: VolatileState | null = null;
  /** caller entropy TPM2_StirRandom mixed in (Part 3 §16.2), or null */
  private stirPool: Uint8Array | null = null;
  private stirCounter = 0;

  constructor(
    public persistent: PersistentState,
    public volatile: VolatileState,
    private readonly source: RandomSource,
    private readonly store: PersistentStateStore,
    /** milliseconds, for TPMS_CLOCK_INFO.clock */
    readonly now: () => number,
    /** TPM mode or TCM mode: the algorithms the engine implements (algorithms.ts) */
    readonly algs: EngineAlgorithms = TPM_MODE,
  ) {}

  /** The engine's random bytes: the source, XORed with a stream keyed by stirred-in input. */
  readonly random: RandomSource = {
    bytes: (n: number): Uint8Array => {
      const out = this.source.bytes(n);
      if (this.stirPool && n > 0) {
        const ks = tpm2P256.kdfa(this.stirPool, 'STIR', u32(this.stirCounter++), new Uint8Array(0), n * 8);
        for (let i = 0; i < n; i++) out[i] = (out[i] as number) ^ (ks[i] as number);
      }
      return out;
    },
  };

  /** TPM2_StirRandom: mix `digest` into the pool. */
  stir(digest: Uint8Array): void {
    this.stirPool = tpm2P256.hash(this.stirPool ? new Uint8Array([...this.stirPool, ...digest]) : digest);
  }

  /** Write the persistent state back (Part 1 §37: NV writes are atomic; the store's save is). */
  commitNv(): void {
    this.store.save(encodeStateImage(this.persistent));
  }

  /** A loaded transient object or a persistent one. */
  objectAt(handle: number): EngineObject | undefined {
    const t = handleType(handle);
    if (t === HT.TRANSIENT) return this.volatile.objects.get(handle);
    if (t === HT.PERSISTENT) return this.persistent.persistent.get(handle);
    return undefined;
  }

  /**
   * Load an object into the lowest free transient slot, handle 0x80000000 + slot as in the
   * reference TPM (TPM_RC_OBJECT_MEMORY when none is free, Part 3 §12.2.3).
   */
  addObject(o: EngineObject): number {
    if (this.volatile.objects.size >= MAX_LOADED_OBJECTS) throw new TpmRc(RC.OBJECT_MEMORY, 'no free object slot');
    let h = 0x80000000;
    while (this.volatile.objects.has(h)) h++;
    this.volatile.objects.set(h, o);
    return h;
  }

  /** A loaded session (a context-saved one is not usable until TPM2_ContextLoad). */
  sessionAt(handle: number): EngineSession | undefined {
    const s = this.volatile.sessions.get(handle);
    return s && s.savedSequence === null ? s : undefined;
  }

  /**
   * A handle for a new session: HMAC 0x02xxxxxx or policy 0x03xxxxxx with the lowest free slot
   * (loaded or saved sessions share the slots, as in the reference TPM); TPM_RC_SESSION_MEMORY
   * when all are taken (Part 3 §11.1.3).
   */
  newSessionHandle(policy: boolean): number {
    if (this.volatile.sessions.size >= MAX_LOADED_SESSIONS) throw new TpmRc(RC.SESSION_MEMORY, 'no free session slot');
    const used = new Set([...this.volatile.sessions.keys()].map((h) => h & 0xffffff));
    let i = 0;
    while (used.has(i)) i++;
    return ((policy ? HT.POLICY_SESSION : HT.HMAC_SESSION) << 24) | i;
  }

  /** Milliseconds since TPM2_Startup: TPMS_CLOCK_INFO.clock (Part 2 §10.11.1). */
  clock(): bigint {
    return BigInt(Math.max(0, Math.floor(this.now() - this.volatile.startedAt)));
  }

  /** Count a PCR change (Part 2 §10.9.7 pcrUpdateCounter; PolicyPCR sessions watch it). */
  pcrChanged(): void {
    this.volatile.pcrUpdateCounter = (this.volatile.pcrUpdateCounter + 1) >>> 0;
  }
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, false);
  return b;
}
