/**
 * `tcv run channel --stream SIZE` (also `tcv run key-exchange --stream SIZE`: the key-exchange
 * session carrying data): SIZE bytes of random application data through the trusted channel
 * (impl/runtime/channel-stream.ts) and back, against our TPM machine or, with `--tpm`, a real
 * TPM 2.0 (swtpm, the TZTCM). Prints what moved and whether the data read back equals the data
 * sent; exit 1 if not, or if a session failed (its check named in one line).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { type CliIO, intFlag, UsageError } from '../command.ts';
import { seededRandom } from '../../impl/crypto/index.ts';
import { channel } from '../../models/protocols/channel.ts';
import { localChannelSession } from '../../impl/runtime/channel-session.ts';
import { pipeThroughChannel, type PipeResult } from '../../impl/runtime/channel-pipe.ts';
import { ChannelError } from '../../impl/runtime/channel-stream.ts';
import type { CryptoSuite } from '../../impl/crypto/index.ts';
import { interruptible, signalExit } from '../child-process.ts';
import { jsonOutput } from '../version.ts';

/** MAX_NV_BUFFER_SIZE of the reference TPM (TPM 2.0 Part 2, Table 242 defaults: 1024) less the
 * record's 5 encoding bytes, as on a real TPM: what one record of our TPM machine carries. */
export const LOCAL_RECORD_BYTES = 1024 - 5;
const MAX_STREAM = 64 * 1024 * 1024;
const UNITS: Record<string, number> = { '': 1, B: 1, KB: 1000, MB: 1000 ** 2, KIB: 1024, MIB: 1024 ** 2, K: 1024, M: 1024 ** 2 };

/** `1MiB`, `64KiB`, `1MB`, `4096` → bytes, or a UsageError naming the value. */
export function streamSize(text: string): number {
  const m = /^(\d+)\s*([a-zA-Z]*)$/.exec(text.trim());
  const unit = m ? UNITS[m[2]!.toUpperCase()] : undefined;
  if (!m || unit === undefined) throw new UsageError(`--stream wants a size such as 4096, 64KiB, 1MiB or 1MB, got '${text}'`);
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_STREAM) throw new UsageError(`--stream wants 1 byte to 64MiB, got '${text}'`);
  return n;
}

export interface StreamFlags {
  stream?: string;
  tpm?: string;
  'tpm-port'?: string;
  'records-per-session'?: string;
  json?: boolean;
}

export async function runStream(values: StreamFlags, seed: number | undefined, suite: CryptoSuite, io: CliIO): Promise<number> {
  const bytes = streamSize(values.stream!);
  const perSession = intFlag('records-per-session', values['records-per-session'], 64, { min: 1, max: 256 });
  const tpm = values.tpm;
  if (tpm !== undefined && tpm !== 'swtpm' && tpm !== 'tztcm') throw new UsageError(`--tpm takes 'swtpm' or 'tztcm', got '${tpm}'`);
  if (values['tpm-port'] !== undefined && tpm !== 'swtpm') throw new UsageError('--tpm-port needs --tpm swtpm');
  const port = values['tpm-port'] === undefined ? undefined : intFlag('tpm-port', values['tpm-port'], 0, { min: 1, max: 65535 });
  const data = seed === undefined ? new Uint8Array(randomBytes(bytes)) : seededRandom(seed).bytes(bytes);
  let result: PipeResult | null = null;
  let failure: string | null = null;
  let backend = "our TPM machine (models' TPM role, local)";
  let recordBytes = LOCAL_RECORD_BYTES;
  const work = async (signal: AbortSignal) => {
    const { openTpmChannel } = await import('../../impl/tpm2-bridge/channel-on-tpm.ts');
    const real = tpm ? await openTpmChannel({ backend: tpm, suite, ...(port === undefined ? {} : { port }), ...(seed === undefined ? {} : { seed }), signal }) : null;
    try {
      if (real) ({ backend, recordBytes } = real);
      const runSession = real?.runSession ?? localChannelSession({ suite, ...(seed === undefined ? {} : { seed }) });
      result = await pipeThroughChannel({ recordBytes, recordsPerSession: perSession, runSession }, data);
    } catch (e) {
      if (!(e instanceof ChannelError)) throw e;
      failure = e.message;
    } finally {
      await real?.close();
    }
  };
  const { stoppedBy } = await interruptible(work);
  if (stoppedBy) {
    io.err(`tcv run: interrupted by ${stoppedBy}; the stream's clean-up ran`);
    return signalExit(stoppedBy);
  }
  const r = result as PipeResult | null;
  const mbPerSecond = r ? Number((bytes / 1e6 / (r.ms / 1000)).toFixed(3)) : 0;
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const report = {
    protocol: channel.name,
    backend,
    suite: suite.name,
    seed: seed ?? null,
    bytes,
    recordBytes,
    recordsPerSession: perSession,
    ...(r ? { ...r.summary, equal: r.equal, sentSha256: sha(data), readSha256: sha(r.readBack), ms: Number(r.ms.toFixed(1)), mbPerSecond } : { equal: false }),
    failure,
    ok: !!r?.equal && failure === null,
  };
  if (values.json) io.out(jsonOutput(report));
  else if (failure) io.err(`tcv run: ${failure}`);
  else if (r) {
    io.out(`channel — ${bytes} bytes through ${backend}, suite ${suite.name}: ${r.summary.records} records of ≤ ${recordBytes} B in ${r.summary.sessions} sessions (≤ ${perSession} records each)`);
    io.out(`  ${r.summary.messages} messages, ${r.summary.tpmCommands} TPM commands, ${r.ms.toFixed(0)} ms (${mbPerSecond} MB/s)`);
    io.out(`  read back ${r.summary.bytesRead} bytes: ${r.equal ? 'equal to the data sent' : 'DIFFERENT from the data sent'} (SHA-256 ${sha(r.readBack).slice(0, 16)}…)`);
  }
  return report.ok ? 0 : 1;
}
