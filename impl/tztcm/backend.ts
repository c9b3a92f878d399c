/**
 * `--tpm tztcm`: a TpmSessionClient on the TZTCM's command engine, in the shape of
 * openSwtpmBackend's result, so the TSS bridge and the interop suites drive either backend the
 * same way. Two transports: `path: 'service'` (the default) sends every command the whole way of
 * seed 002 — TDDL → protocol-4 MAC under K_uuid → TEE Client API call → s-core worker → engine
 * (impl/tztcm/service.ts); `path: 'direct'` hands each frame to `TpmEngine.execute` in this
 * thread (what the service's cost is measured against, and what a caller that brings its own
 * store or seeded engine randomness gets, those objects living in this thread).
 * @module
 */
import { suiteId, tpm2P256, type CryptoSuite, type RandomSource } from '../crypto/index.ts';
import { TpmSessionClient } from '../tpm2/session-client.ts';
import { TpmTransportError, type TpmTransport } from '../tpm2/transport.ts';
import type { PersistentStateStore, TpmEngine } from './engine-contract.ts';
import { createTztcmEngine, type TztcmEngine } from './engine/tztcm-engine.ts';
import { type TztcmService, startTztcmService } from './service.ts';
import type { BootLogEntry } from './boot/event-log.ts';
import type { MeasuredHost } from './measured-host.ts';

/** A TpmTransport through the TZTCM service (TDDL → UUID session → GP → s-core → engine). */
export class ServiceTransport implements TpmTransport {
  private closed = false;
  constructor(readonly service: TztcmService) {}

  async send(command: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new TpmTransportError('closed', 'the TZTCM service transport is closed');
    try {
      return await this.service.transmit(command);
    } catch (e) {
      throw new TpmTransportError('closed', `the TZTCM service did not answer: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.service.stop();
  }
}

/** A TpmTransport over an engine in this process. */
export class EngineTransport implements TpmTransport {
  private closed = false;
  constructor(readonly engine: TpmEngine) {}

  async send(command: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new TpmTransportError('closed', 'the TZTCM engine transport is closed');
    return this.engine.execute(command);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export interface TztcmBackend {
  readonly client: TpmSessionClient;
  /** no swtpm process: the TZTCM runs in-process */
  readonly swtpm: null;
  /** the engine, when it runs in this thread (path 'direct'); null behind the s-core */
  readonly engine: TztcmEngine | null;
  /** the service, on path 'service' */
  readonly service: TztcmService | null;
  /** path 'service': the boot's event log as the normal world passes it on (empty on 'direct') */
  readonly eventLog: readonly BootLogEntry[];
  close(): Promise<void>;
}

export interface TztcmBackendOptions {
  /** the engine's persistent state (default: in memory) */
  readonly store?: PersistentStateStore;
  /** the engine's entropy (default: the platform CSPRNG) */
  readonly engineRandom?: RandomSource;
  /** the client's nonces and salts */
  readonly random?: RandomSource;
  /** 'service' (default, unless `store` or `engineRandom` is given): the whole TZTCM path;
   * 'direct': the engine in this thread */
  readonly path?: 'service' | 'direct';
  /** path 'service': the s-core worker ('async', default) or the passive service ('sync') */
  readonly mode?: 'async' | 'sync';
  /** path 'service': the directory of the engine's NV image (default: in memory) */
  readonly stateDir?: string;
  /** the engine's mode and the client's algorithms: the tpm2 suite (TPM mode, default) or the
   * tcm suite (TCM mode: SM2 keys, SM3 sessions and PCRs, SM4-CFB; engine/algorithms.ts) */
  readonly suite?: CryptoSuite;
  /** path 'service': a host whose kernel the TZTCM measures at boot (measured-host.ts) */
  readonly host?: MeasuredHost;
  /** path 'service', TEST / DEMO: a DEVICE_TAMPER (boot/tamper.ts) applied before the boot */
  readonly tamper?: string;
}

export async function openTztcmBackend(opts: TztcmBackendOptions = {}): Promise<TztcmBackend> {
  const local = opts.store !== undefined || opts.engineRandom !== undefined;
  const path = opts.path ?? (local ? 'direct' : 'service');
  const suite = opts.suite ?? tpm2P256;
  if (path === 'service') {
    if (local) throw new Error('openTztcmBackend: a store or engine randomness object cannot cross into the s-core; use stateDir, or path: direct');
    const service = await startTztcmService({
      mode: opts.mode ?? 'async',
      ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
      ...(opts.host ? { monitor: opts.host.monitor } : {}),
      ...(opts.tamper !== undefined ? { tamper: opts.tamper } : {}),
      engine: { suite: suiteId(suite) },
    });
    const client = new TpmSessionClient(new ServiceTransport(service), opts.random, suite);
    try {
      await client.startup();
    } catch (e) {
      await client.close();
      throw e;
    }
    const eventLog = opts.host ? opts.host.passOn(service.eventLog) : [...service.eventLog];
    return { client, swtpm: null, engine: null, service, eventLog, close: () => client.close() };
  }
  const engine = createTztcmEngine({ ...(opts.store ? { store: opts.store } : {}), ...(opts.engineRandom ? { random: opts.engineRandom } : {}), suite });
  const client = new TpmSessionClient(new EngineTransport(engine), opts.random, suite);
  await client.startup();
  return { client, swtpm: null, engine, service: null, eventLog: [], close: () => client.close() };
}
