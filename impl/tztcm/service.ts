/**
 * The TZTCM service as the host sees it (seed 002 §2.1, §2.3): start-up pairs the TDDL with the
 * TZTCM (K_uuid, before any client can connect), starts the TEE side — on the s-core (a worker,
 * called asynchronously; the default) or passively on this thread (`mode: 'sync'`) — and gives
 * the TDDL a TEE Client API context to it. `transmit` is what a TSS (or `tcv tztcm serve`)
 * calls: a TPM command through TDDL → protocol-4 MAC → GP call → s-core → engine.
 *
 * `restart` is a reboot of the TEE: a new s-core with the same engine spec and state store, and
 * a new pairing (K_uuid lives only in the two parties' memory).
 *
 * The service is the *storage owner* of its state directory: it takes the directory's lock once
 * (storage/fs/dir-lock.ts), hands the token to every s-core it boots (they check it, the old one
 * is gone before the next mounts), and releases it at `stop`. A second service on the same
 * directory, in this process or another, is refused with DirLockedError.
 * @module
 */
import { SESSION_ROLES } from '../../models/protocols/tztcm-session.ts';
import { systemRandom, tpm2P256 } from '../crypto/index.ts';
import type { EvalDeps } from '../runtime/evaluate.ts';
import { TeecContext } from './gp/client.ts';
import { TEEC, TeecError } from './gp/teec.ts';
import type { EngineSpec } from './score/engine-spec.ts';
import { startPassive } from './score/passive.ts';
import { startSCore } from './score/score.ts';
import type { TeeConfig } from './score/tee-side.ts';
import { beginPairing } from './session/pairing.ts';
import { TddlClient } from './session/tddl-client.ts';
import { TZTCM_UUID } from './session/tztcm-ta.ts';
import type { BootLogEntry } from './boot/event-log.ts';
import { lockDir } from './storage/fs/dir-lock.ts';
import { nodeFs } from './storage/fs/storage-fs.ts';

export interface TztcmServiceOptions {
  /** 'async': the engine on the s-core worker (NUCAA); 'sync': the passive service on this thread */
  readonly mode?: 'async' | 'sync';
  readonly engine?: EngineSpec;
  readonly stateDir?: string;
  /** the simulated chip (default chip-1) */
  readonly chip?: string;
  /** TEST / DEMO: a DEVICE_TAMPER name applied to the in-memory device (no stateDir) before it boots */
  readonly tamper?: string;
  readonly apps?: TeeConfig['apps'];
  /** the active measurement on this TEE (see TeeConfig.monitor) */
  readonly monitor?: TeeConfig['monitor'];
  readonly callTimeoutMs?: number;
  /** the TDDL's identity in the pairing (default 'TDDL') */
  readonly idTddl?: string;
}

export interface TztcmService {
  readonly mode: 'async' | 'sync';
  readonly alive: boolean;
  /** the event log of the TEE's current boot (the measurements its engine extends at Startup) */
  readonly eventLog: readonly BootLogEntry[];
  /** the TDDL currently paired with the TEE (a new one after restart) */
  readonly tddl: TddlClient;
  /** a TEE Client API context to the running TEE, for callers other than the TDDL (tests,
   * the benchmark's "host process without K_uuid") */
  newContext(): TeecContext;
  transmit(command: Uint8Array): Promise<Uint8Array>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

interface Running {
  readonly tee: { call: TeecContext['driver']['call']; stop(): Promise<void>; readonly alive: boolean; readonly eventLog: readonly BootLogEntry[] };
  readonly tddl: TddlClient;
}

export async function startTztcmService(o: TztcmServiceOptions = {}): Promise<TztcmService> {
  const mode = o.mode ?? 'async';
  const deps: EvalDeps = { suite: tpm2P256, rng: systemRandom() };
  const idTddl = o.idTddl ?? SESSION_ROLES.caller;
  // the storage owner's lock, for the service's whole life (every s-core it boots)
  const lock = o.stateDir === undefined ? null : (nodeFs(o.stateDir), lockDir(o.stateDir));
  const boot = async (): Promise<Running> => {
    const half = beginPairing(deps.suite, deps.rng, TZTCM_UUID, idTddl);
    const cfg: TeeConfig = {
      engine: o.engine,
      ...(o.stateDir !== undefined ? { stateDir: o.stateDir, stateLock: lock!.token } : {}),
      ...(o.chip !== undefined ? { chip: o.chip } : {}),
      ...(o.tamper !== undefined ? { tamper: o.tamper } : {}),
      apps: o.apps,
      ...(o.monitor ? { monitor: o.monitor } : {}),
      tddlPublic: half.publicKey,
      idTddl,
    };
    const tee = mode === 'async' ? await startSCore(cfg, { callTimeoutMs: o.callTimeoutMs }) : await startPassive(cfg);
    const kuuid = half.finish(tee.pairingPublic);
    return { tee, tddl: new TddlClient(TeecContext.initialize(tee), kuuid, deps) };
  };
  let run: Running;
  try {
    run = await boot();
  } catch (e) {
    lock?.release();
    throw e;
  }
  let stopped = false;
  return {
    mode,
    get eventLog() {
      return run.tee.eventLog;
    },
    get alive() {
      return !stopped && run.tee.alive;
    },
    get tddl() {
      return run.tddl;
    },
    newContext: () => TeecContext.initialize(run.tee),
    transmit: (command) => run.tddl.transmit(command),
    async restart() {
      await run.tddl.close().catch(() => undefined);
      await run.tee.stop();
      run = await boot();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run.tddl.close().catch(() => undefined);
        await run.tee.stop();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * `transmit` for a server that must outlive its s-core: a command that meets a dead s-core
 * (TEEC_ERROR_TARGET_DEAD) still fails, and the service is rebooted once (a new worker, paired
 * again, the NV image as stored) before the failure is returned, so the next command finds a TPM
 * after _TPM_Init — it wants TPM2_Startup, as after any reset. Concurrent failures share one
 * reboot.
 */
export function rebootingTransmit(service: TztcmService, onReboot: (why: string) => void = () => undefined): (command: Uint8Array) => Promise<Uint8Array> {
  let rebooting: Promise<void> | null = null;
  return async (command) => {
    try {
      return await service.transmit(command);
    } catch (e) {
      if (e instanceof TeecError && e.code === TEEC.ERROR_TARGET_DEAD && !service.alive) {
        if (!rebooting) {
          onReboot(e.message);
          rebooting = service.restart().finally(() => (rebooting = null));
        }
        await rebooting;
      }
      throw e;
    }
  };
}
