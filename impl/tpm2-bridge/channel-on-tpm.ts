/**
 * The channel's sessions against a real TPM 2.0 (swtpm, the TZTCM's engine): the TPM role of
 * `channelProtocol(n)` is the TSS endpoint (run.ts), its records real TPM2_NV_Write / NV_Read
 * commands with parameter encryption (nv-records.ts). The TPM is opened once for the stream and
 * every session runs over the same connection; its record size is the TPM's own
 * TPM_PT_NV_BUFFER_MAX.
 * @module
 */
import { recordOwner } from '../../models/protocols/channel.ts';
import { channelOutcome, channelProtocolFor, type ChannelSessionRunner, recordInputs } from '../runtime/channel-session.ts';
import { openSwtpmBackend } from '../tpm2/swtpm-backend.ts';
import { nvBufferMax } from '../tpm2/commands-nv.ts';
import type { TpmSessionClient } from '../tpm2/session-client.ts';
import { openTztcmBackend } from '../tztcm/backend.ts';
import { asBridgeFailure } from './bridge-records.ts';

/** The canonical encoding's bytes around a record's data (0x01, u32 length: impl/wire/codec.ts). */
export const RECORD_OVERHEAD = 5;
import type { CryptoSuite } from '../crypto/index.ts';
import { runOnRealTpm, type TpmBackendName } from './run.ts';

export interface TpmChannel {
  readonly runSession: ChannelSessionRunner;
  /** the largest record of application data: TPM_PT_NV_BUFFER_MAX less the encoding's 5 bytes */
  readonly recordBytes: number;
  readonly backend: string;
  close(): Promise<void>;
}

export interface TpmChannelOptions {
  readonly backend: TpmBackendName;
  readonly port?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
  /** the run's suite on the TEE side and in the TSS (default tpm2); a P-256 suite on swtpm
   * (tpm2 or native: the same algorithms), tpm2/native/tcm on the TZTCM (tcm: its TCM mode) */
  readonly suite?: CryptoSuite;
  /** TEST ONLY: rewrite TPM responses on the wire (an attacker between TSS and TPM) */
  readonly rewriteResponse?: (cmd: Uint8Array, rsp: Uint8Array) => Uint8Array;
}

/** Open the TPM and return a session runner over it. */
export async function openTpmChannel(o: TpmChannelOptions): Promise<TpmChannel> {
  const tztcm = o.backend === 'tztcm';
  let backend: { readonly client: TpmSessionClient; close(): Promise<void> };
  try {
    backend = tztcm ? await openTztcmBackend(o.suite ? { suite: o.suite } : {}) : await openSwtpmBackend({ ...(o.port === undefined ? {} : { port: o.port }), responseTimeoutMs: 10_000 });
  } catch (e) {
    throw asBridgeFailure(e);
  }
  // a record on the TPM is the data's canonical encoding (5 bytes more: tag, length; impl/wire)
  const indexBytes = await nvBufferMax(backend.client.executor);
  const recordBytes = indexBytes - RECORD_OVERHEAD;
  const device = tztcm ? 'tztcm' : 'swtpm';
  const backendName = tztcm ? 'tztcm (TPM 2.0 engine, in-process)' : o.port === undefined ? 'swtpm (started for this run)' : `swtpm at 127.0.0.1:${o.port}`;
  let sessions = 0;
  const runSession: ChannelSessionRunner = async (records) => {
    const protocol = channelProtocolFor(records.length);
    let outcome: ReturnType<typeof channelOutcome> | null = null;
    const seed = o.seed === undefined ? {} : { seed: o.seed + sessions };
    sessions++;
    const report = await runOnRealTpm(protocol, backend.client.transport, {
      device,
      backendName,
      ...seed,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.suite ? { suite: o.suite } : {}),
      ...(o.rewriteResponse ? { rewriteResponse: o.rewriteResponse } : {}),
      inputs: { [recordOwner(protocol)]: recordInputs(records) },
      recordBytes: indexBytes,
      observe: (run) => (outcome = channelOutcome(run, records.length)),
    });
    const got = outcome as ReturnType<typeof channelOutcome> | null;
    const f = report.tpm.failure;
    const failure = f ? `${f.kind}${f.rc ? ` ${f.rc}` : ''} in ${f.command}: ${f.message}` : (got?.failure ?? (report.ok ? null : (report.checks.find((c) => !c.ok)?.detail ?? 'the run did not complete')));
    return {
      ok: report.ok && !!got?.ok,
      readBack: got?.readBack ?? [],
      failure,
      messages: report.messages.length,
      tpmCommands: report.tpm.commands.length,
    };
  };
  return { runSession, recordBytes, backend: backendName, close: () => backend.close() };
}
