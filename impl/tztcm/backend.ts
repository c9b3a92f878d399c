/**
 * `--tpm tztcm`: a TpmSessionClient on the TZTCM's command engine, in the shape of
 * openSwtpmBackend's result, so the TSS bridge and the interop suites drive either backend the
 * same way. The transport hands each command frame to `TpmEngine.execute` in-process (the
 * service helper's s-core path — TDDL → UUID session → worker — plugs in as another
 * TpmTransport over the same engine).
 * @module
 */
import type { RandomSource } from '../crypto/index.ts';
import { TpmSessionClient } from '../tpm2/session-client.ts';
import { TpmTransportError, type TpmTransport } from '../tpm2/transport.ts';
import type { PersistentStateStore, TpmEngine } from './engine-contract.ts';
import { createTztcmEngine, type TztcmEngine } from './engine/tztcm-engine.ts';

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
  readonly engine: TztcmEngine;
  close(): Promise<void>;
}

export interface TztcmBackendOptions {
  /** the engine's persistent state (default: in memory) */
  readonly store?: PersistentStateStore;
  /** the engine's entropy (default: the platform CSPRNG) */
  readonly engineRandom?: RandomSource;
  /** the client's nonces and salts */
  readonly random?: RandomSource;
}

export async function openTztcmBackend(opts: TztcmBackendOptions = {}): Promise<TztcmBackend> {
  const engine = createTztcmEngine({ ...(opts.store ? { store: opts.store } : {}), ...(opts.engineRandom ? { random: opts.engineRandom } : {}) });
  const client = new TpmSessionClient(new EngineTransport(engine), opts.random);
  await client.startup();
  return { client, swtpm: null, engine, close: () => client.close() };
}
