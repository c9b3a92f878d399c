/**
 * A TEE application that sends `data` through a ChannelStream and reads it back, as the CLI's
 * `--stream`, the tests and the benchmarks use it: a writer that awaits every write (so the
 * stream's back-pressure holds it) and a reader that runs beside it.
 * @module
 */
import { ChannelStream, type ChannelStreamOptions, type ChannelSummary } from './channel-stream.ts';

export interface PipeResult {
  readonly summary: ChannelSummary;
  /** everything the stream gave back, in order */
  readonly readBack: Uint8Array;
  /** the read-back equals the data sent, byte for byte */
  readonly equal: boolean;
  readonly ms: number;
}

/** Write `data` in pieces of `writeBytes`, close, and collect what comes back. Rejects with the
 * stream's ChannelError if a session fails. */
export async function pipeThroughChannel(opts: ChannelStreamOptions, data: Uint8Array, writeBytes = 64 * 1024): Promise<PipeResult> {
  const t0 = performance.now();
  const ch = new ChannelStream(opts);
  const parts: Uint8Array[] = [];
  const reader = (async () => {
    for (let r = await ch.read(); r; r = await ch.read()) parts.push(r);
  })();
  // the reader's rejection is the same ChannelError the writer sees: report it once
  reader.catch(() => {});
  for (let i = 0; i < data.length; i += writeBytes) await ch.write(data.subarray(i, i + writeBytes));
  const summary = await ch.close();
  await reader;
  const readBack = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    readBack.set(p, off);
    off += p.length;
  }
  const equal = readBack.length === data.length && readBack.every((b, i) => b === data[i]);
  return { summary, readBack, equal, ms: performance.now() - t0 };
}
