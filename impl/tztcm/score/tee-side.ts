/**
 * Everything on the TEE side of the TZTCM service, built the same way on the s-core (the worker)
 * and in the passive service (the calling core): the engine with its state store, the pairing
 * half that yields K_uuid, the TZTCM trusted application and the TEE core that dispatches GP
 * calls to it, and the s-core timer for scheduled work.
 * @module
 */
import { systemRandom, tpm2P256 } from '../../crypto/index.ts';
import type { EvalDeps } from '../../runtime/evaluate.ts';
import type { PersistentStateStore } from '../engine-contract.ts';
import { TeeCore, type TrustedApp } from '../gp/tee-core.ts';
import { beginPairing } from '../session/pairing.ts';
import { TZTCM_UUID, tztcmTrustedApp } from '../session/tztcm-ta.ts';
import { type EngineSpec, resolveEngine } from './engine-spec.ts';
import { fileStateStore } from './file-state-store.ts';
import { SCoreTimer } from './timer.ts';
import { type MonitorTaConfig, monitorTrustedApp } from '../monitor/monitor-ta.ts';

/** What the TEE side is built from; plain data, so it can be a worker's workerData. */
export interface TeeConfig {
  readonly engine?: EngineSpec;
  /** where the engine's NV image lives (absent: in memory, gone when the TEE stops) */
  readonly stateDir?: string;
  /** the TDDL's pairing public key (SEC1 uncompressed P-256) */
  readonly tddlPublic: Uint8Array;
  /** the TDDL's identity in the K_uuid derivation */
  readonly idTddl: string;
  /** further trusted applications (module URL + export of `(env) => TrustedApp`): how
   * services that need the s-core's timer, e.g. active measurement, are added */
  readonly apps?: readonly { readonly module: string; readonly export: string }[];
  /** the active measurement (seed 002 §3.2): the host memory to watch and how; its TA runs on
   * this TEE's timer (impl/tztcm/monitor/monitor-ta.ts) */
  readonly monitor?: MonitorTaConfig;
}

/** What an added trusted application gets from the TEE side. */
export interface TaEnvironment {
  readonly timer: SCoreTimer;
}
export type TrustedAppFactory = (env: TaEnvironment) => TrustedApp;

export interface TeeSide {
  readonly core: TeeCore;
  readonly timer: SCoreTimer;
  /** the TZTCM's pairing public key, for the TDDL to finish its half */
  readonly pairingPublic: Uint8Array;
  readonly refused: { open: number; invoke: number; close: number };
}

function memoryStore(): PersistentStateStore {
  let image: Uint8Array | undefined;
  return { load: () => image, save: (b) => void (image = b.slice()) };
}

export async function buildTeeSide(cfg: TeeConfig): Promise<TeeSide> {
  const deps: EvalDeps = { suite: tpm2P256, rng: systemRandom() };
  const factory = await resolveEngine(cfg.engine);
  const engine = factory(cfg.stateDir ? fileStateStore(cfg.stateDir) : memoryStore());
  const half = beginPairing(deps.suite, deps.rng, TZTCM_UUID, cfg.idTddl);
  const kuuid = half.finish(cfg.tddlPublic);
  const refused = { open: 0, invoke: 0, close: 0 };
  const ta = tztcmTrustedApp({ engine, kuuid, deps, onRefused: (entry) => void refused[entry]++ });
  const timer = new SCoreTimer();
  const apps: TrustedApp[] = [ta];
  if (cfg.monitor) apps.push(monitorTrustedApp(timer, cfg.monitor));
  for (const a of cfg.apps ?? []) {
    const f = ((await import(a.module)) as Record<string, unknown>)[a.export];
    if (typeof f !== 'function') throw new Error(`the TA module ${a.module} has no function export '${a.export}'`);
    apps.push((f as TrustedAppFactory)({ timer }));
  }
  return { core: new TeeCore(apps), timer, pairingPublic: half.publicKey, refused };
}
