/**
 * The TZTCM service as the host sees it (seed 002 §2.1, §2.3): start-up pairs the TDDL with the
 * TZTCM (K_uuid, before any client can connect), starts the TEE side — on the s-core (a worker,
 * called asynchronously; the default) or passively on this thread (`mode: 'sync'`) — and gives
 * the TDDL a TEE Client API context to it. `transmit` is what a TSS (or `tcv tztcm serve`)
 * calls: a TPM command through TDDL → protocol-4 MAC → GP call → s-core → engine.
 *
 * `restart` is a reboot of the TEE: a new s-core with the same engine spec and state store, and
 * a new pairing (K_uuid lives only in the two parties' memory).
 * @module
 */
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

export interface TztcmServiceOptions {
  /** 'async': the engine on the s-core worker (NUCAA); 'sync': the passive service on this thread */
  readonly mode?: 'async' | 'sync';
  readonly engine?: EngineSpec;
  readonly stateDir?: string;
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
  readonly tee: { call: TeecContext['driver']['call']; stop(): Promise<void>; readonly alive: boolean };
  readonly tddl: TddlClient;
}

export async function startTztcmService(o: TztcmServiceOptions = {}): Promise<TztcmService> {
  const mode = o.mode ?? 'async';
  const deps: EvalDeps = { suite: tpm2P256, rng: systemRandom() };
  const idTddl = o.idTddl ?? 'TDDL';
  const boot = async (): Promise<Running> => {
    const half = beginPairing(deps.suite, deps.rng, TZTCM_UUID, idTddl);
    const cfg: TeeConfig = { engine: o.engine, stateDir: o.stateDir, apps: o.apps, ...(o.monitor ? { monitor: o.monitor } : {}), tddlPublic: half.publicKey, idTddl };
    const tee = mode === 'async' ? await startSCore(cfg, { callTimeoutMs: o.callTimeoutMs }) : await startPassive(cfg);
    const kuuid = half.finish(tee.pairingPublic);
    return { tee, tddl: new TddlClient(TeecContext.initialize(tee), kuuid, deps) };
  };
  let run = await boot();
  let stopped = false;
  return {
    mode,
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
      await run.tddl.close().catch(() => undefined);
      await run.tee.stop();
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
