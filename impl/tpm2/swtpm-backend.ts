/**
 * Opens a {@link TpmSessionClient} on swtpm, the way `--tpm swtpm` / `--tpm-port` would: either
 * start a private swtpm (free loopback ports, temporary state) or connect to one already running.
 * `close()` ends the connection and stops a swtpm it started, also when called after a failure.
 * A failed start closes the connection it opened. On a running swtpm the start also flushes the
 * transient objects and sessions left by earlier clients (`flush-foreign.ts`).
 * @module
 */
import type { RandomSource } from '../crypto/index.ts';
import { TpmSessionClient } from './session-client.ts';
import { SwtpmProcess, type SwtpmOptions } from './swtpm-process.ts';
import { TcpTpmTransport } from './tcp-transport.ts';
import { flushForeign } from './flush-foreign.ts';

export interface SwtpmBackend {
  readonly client: TpmSessionClient;
  /** The swtpm this backend started, or null when it connected to `port`. */
  readonly swtpm: SwtpmProcess | null;
  close(): Promise<void>;
}

export interface SwtpmBackendOptions extends SwtpmOptions {
  /** Connect to an already running swtpm server port instead of starting one. */
  readonly port?: number;
  readonly host?: string;
  readonly random?: RandomSource;
  readonly responseTimeoutMs?: number;
}

export async function openSwtpmBackend(opts: SwtpmBackendOptions = {}): Promise<SwtpmBackend> {
  const timeouts = opts.responseTimeoutMs === undefined ? {} : { responseTimeoutMs: opts.responseTimeoutMs };
  if (opts.port !== undefined) {
    const transport = await TcpTpmTransport.connect({ host: opts.host ?? '127.0.0.1', port: opts.port, ...timeouts });
    const client = new TpmSessionClient(transport, opts.random);
    try {
      await client.startup();
      // what an earlier run could not flush (its connection was cut): see flush-foreign.ts
      await flushForeign(client.executor);
    } catch (e) {
      // a TPM that fails TPM2_Startup (TPM_RC_FAILURE, endless TPM_RC_RETRY) must not keep the
      // connection, and with it the process, alive after the run's report
      await client.close();
      throw e;
    }
    return { client, swtpm: null, close: () => client.close() };
  }
  const swtpm = await SwtpmProcess.start(opts);
  try {
    const client = new TpmSessionClient(await swtpm.connect(timeouts), opts.random);
    await client.startup().catch(async (e: unknown) => {
      await client.close();
      throw e;
    });
    return {
      client,
      swtpm,
      close: async () => {
        try {
          await client.close();
        } finally {
          await swtpm.stop();
        }
      },
    };
  } catch (e) {
    await swtpm.stop();
    throw e;
  }
}
