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
import { chainEntries, hostEntries, type BootLogEntry } from '../boot/event-log.ts';
import { DEVICE_TAMPER } from '../boot/tamper.ts';
import { MemoryFs } from '../storage/fs/memory-fs.ts';
import { openTztcmStateStore } from '../state-store.ts';
import { measuredEngine, type MeasuredEngine } from './measured-engine.ts';
import { SCoreTimer } from './timer.ts';
import { type MonitorTaConfig, monitorTrustedApp } from '../monitor/monitor-ta.ts';

/** What the TEE side is built from; plain data, so it can be a worker's workerData. */
export interface TeeConfig {
  readonly engine?: EngineSpec;
  /** the device directory whose secure storage keeps the engine's NV image (seeds, NV indices,
   * persistent objects, lockout counters; impl/tztcm/storage). Absent: a device provisioned in
   * memory for this TEE boot, gone when it stops. Either way the verified boot chain runs first. */
  readonly stateDir?: string;
  /** the token of the storage owner that locked `stateDir` (storage/fs/dir-lock.ts); required
   * with it — the TEE side checks the lock, the owner (the service) takes and releases it */
  readonly stateLock?: string;
  /** the simulated chip (default chip-1) */
  readonly chip?: string;
  /** TEST / DEMO: one of DEVICE_TAMPER (boot/tamper.ts) applied to the in-memory device before it
   * boots (never to a state directory) */
  readonly tamper?: string;
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
  /** the boot's event log: what the engine extends at the boot's TPM2_Startup(CLEAR) */
  readonly eventLog: readonly BootLogEntry[];
  readonly engine: MeasuredEngine;
}

/** The device the TEE boots from: the state directory's, or a new one in memory (tampered if asked). */
function bootDevice(cfg: TeeConfig): PersistentStateStore & { boot: { measurements: Parameters<typeof chainEntries>[0] } } {
  const opts = cfg.chip ? { chip: cfg.chip } : {};
  if (cfg.stateDir !== undefined) {
    if (cfg.tamper !== undefined) throw new Error('a tamper is applied to an in-memory device only, not to a state directory');
    if (cfg.stateLock === undefined) throw new Error(`the state directory ${cfg.stateDir} needs its owner's lock token`);
    return openTztcmStateStore(cfg.stateDir, { ...opts, lockToken: cfg.stateLock });
  }
  const fs = new MemoryFs();
  if (cfg.tamper !== undefined) {
    const t = DEVICE_TAMPER[cfg.tamper];
    if (!t) throw new Error(`no device tamper '${cfg.tamper}' (${Object.keys(DEVICE_TAMPER).join(', ')})`);
    openTztcmStateStore(fs, opts); // the factory provisions it and it boots once, untouched
    t.apply(fs);
  }
  return openTztcmStateStore(fs, opts);
}

export async function buildTeeSide(cfg: TeeConfig): Promise<TeeSide> {
  const deps: EvalDeps = { suite: tpm2P256, rng: systemRandom() };
  const factory = await resolveEngine(cfg.engine);
  const device = bootDevice(cfg);
  const eventLog: BootLogEntry[] = chainEntries(device.boot.measurements);
  const engine = measuredEngine(factory(device), () => eventLog);
  const half = beginPairing(deps.suite, deps.rng, TZTCM_UUID, cfg.idTddl);
  const kuuid = half.finish(cfg.tddlPublic);
  const refused = { open: 0, invoke: 0, close: 0 };
  const ta = tztcmTrustedApp({ engine, kuuid, deps, onRefused: (entry) => void refused[entry]++ });
  const timer = new SCoreTimer();
  const apps: TrustedApp[] = [ta];
  if (cfg.monitor) {
    const monitor = monitorTrustedApp(timer, cfg.monitor);
    eventLog.push(...hostEntries(monitor.bootEvents));
    apps.push(monitor);
  }
  for (const a of cfg.apps ?? []) {
    const f = ((await import(a.module)) as Record<string, unknown>)[a.export];
    if (typeof f !== 'function') throw new Error(`the TA module ${a.module} has no function export '${a.export}'`);
    apps.push((f as TrustedAppFactory)({ timer }));
  }
  return { core: new TeeCore(apps), timer, pairingPublic: half.publicKey, refused, eventLog, engine };
}
