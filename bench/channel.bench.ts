/**
 * The channel's cost (issue 20), measured in one run; writes bench/results/channel.json.
 *
 * 1. Throughput: MB/s of data written through the channel and read back (impl/runtime/channel-
 *    pipe.ts, our TPM machine, records of 1019 B, 64 records per session) against the raw
 *    AES-128-CFB of the same suite over the same 1019-byte chunks (SM4-CFB on tcm), and against
 *    `openssl speed -evp aes-128-cfb -bytes 1024` on this CPU (native code: the floor here). A
 *    record costs by construction four CFB passes (the TEE encrypts, the TPM decrypts, the TPM
 *    encrypts the read-back, the TEE decrypts), six hashes of about a record each and eight
 *    HMACs and four KDFa; that floor, timed primitive by primitive, is reported beside it. The
 *    channel over swtpm is timed once per repetition too (tpm2 only: swtpm has no SM4).
 * 2. The seed's < 0.7 %: a TEE compute loop (units of SHA-256 over 4 KiB, pure JS) run for
 *    WINDOW_S seconds, alone and while the same thread streams data through the channel at
 *    RATE bytes/s (a record every 1019 / RATE s, a key exchange every 16 records), alternated;
 *    the loss is 1 − units/s with the channel ÷ units/s without, medians. The share of the
 *    window the channel's sessions took is measured beside it, and the rate at which that share
 *    would be 0.7 %.
 *
 * The machine is shared (2 cores, several other jobs): every figure is a median of alternated
 * repetitions, and the spread is in the JSON.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

import { type CryptoSuite, SUITES, seededRandom } from '../impl/crypto/index.ts';
import { localChannelSession, type ChannelSessionRunner } from '../impl/runtime/channel-session.ts';
import { pipeThroughChannel } from '../impl/runtime/channel-pipe.ts';
import { ChannelStream } from '../impl/runtime/channel-stream.ts';
import { openTpmChannel } from '../impl/tpm2-bridge/channel-on-tpm.ts';
import { LOCAL_RECORD_BYTES } from '../cli/commands/run-stream.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 5);
const BYTES = Number(process.env['BENCH_CHANNEL_BYTES'] ?? 512 * 1024);
const PER_SESSION = 64;
const RATE = Number(process.env['BENCH_CHANNEL_RATE'] ?? 4096);
const WINDOW_S = Number(process.env['BENCH_WINDOW_S'] ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => ({ min: +Math.min(...xs).toFixed(3), max: +Math.max(...xs).toFixed(3) });
const rng = seededRandom(2026);
const DATA = rng.bytes(BYTES);
const R = LOCAL_RECORD_BYTES;

/** ms of raw CFB over DATA in R-byte chunks (a key and IV per chunk, as the channel has). */
function rawCfbMs(s: CryptoSuite): number {
  const key = rng.bytes(s.cfbKeyLen);
  const iv = rng.bytes(s.blockLen);
  const t0 = performance.now();
  for (let i = 0; i < DATA.length; i += R) s.cfbEncrypt(key, iv, DATA.subarray(i, i + R));
  return performance.now() - t0;
}

/** ms of the primitives one record needs, timed alone, for all the records of DATA. */
function recordFloorMs(s: CryptoSuite): number {
  const rec = DATA.subarray(0, R + 5);
  const k = rng.bytes(32);
  const n = rng.bytes(32);
  const small = rng.bytes(100);
  const records = Math.ceil(DATA.length / R);
  const t0 = performance.now();
  for (let i = 0; i < records; i++) {
    for (let j = 0; j < 4; j++) s.cfbEncrypt(k.subarray(0, s.cfbKeyLen), k.subarray(16, 16 + s.blockLen), rec);
    for (let j = 0; j < 6; j++) s.hash(rec);
    for (let j = 0; j < 8; j++) s.hmac(k, small);
    for (let j = 0; j < 4; j++) s.kdfa(k, 'CFB', n, n, 256);
  }
  return performance.now() - t0;
}

async function channelMs(runSession: ChannelSessionRunner, recordBytes = R): Promise<number> {
  const r = await pipeThroughChannel({ recordBytes, recordsPerSession: PER_SESSION, runSession }, DATA);
  if (!r.equal) throw new Error('the channel read back something else');
  return r.ms;
}

function opensslAesCfbMBps(): number | null {
  try {
    const out = execFileSync('openssl', ['speed', '-evp', 'aes-128-cfb', '-bytes', '1024', '-seconds', '2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /AES-128-CFB\s+([\d.]+)k/i.exec(out);
    return m ? +(Number(m[1]) / 1000).toFixed(1) : null; // openssl's 'k' = 1000 bytes/s
  } catch {
    return null;
  }
}

const mbps = (ms: number) => BYTES / 1e6 / (ms / 1000);

async function throughput() {
  const rows = [];
  for (const [id, s] of Object.entries(SUITES)) {
    const raw: number[] = [];
    const floor: number[] = [];
    const ch: number[] = [];
    rawCfbMs(s);
    await channelMs(localChannelSession({ suite: s, seed: 1 }));
    for (let i = 0; i < N; i++) {
      raw.push(rawCfbMs(s));
      floor.push(recordFloorMs(s));
      ch.push(await channelMs(localChannelSession({ suite: s, seed: 1 + i })));
    }
    const [rawMs, floorMs, chMs] = [median(raw), median(floor), median(ch)];
    rows.push({
      suite: id,
      cipher: id === 'tcm' ? 'SM4-CFB' : 'AES-128-CFB',
      rawCipherMBps: +mbps(rawMs).toFixed(2),
      recordCryptoFloorMBps: +mbps(floorMs).toFixed(2),
      channelMBps: +mbps(chMs).toFixed(3),
      channelOverRawCipher: +(rawMs / chMs).toFixed(4),
      channelOverRecordFloor: +(floorMs / chMs).toFixed(4),
      channelMsSpread: spread(ch),
    });
  }
  let swtpm: object | null = null;
  try {
    const tpm = await openTpmChannel({ backend: 'swtpm', seed: 5 });
    try {
      const xs: number[] = [];
      for (let i = 0; i < Math.min(N, 3); i++) xs.push(await channelMs(tpm.runSession, tpm.recordBytes));
      swtpm = { recordBytes: tpm.recordBytes, channelMBps: +mbps(median(xs)).toFixed(3), msSpread: spread(xs), runs: xs.length };
    } finally {
      await tpm.close();
    }
  } catch (e) {
    swtpm = { skipped: (e as Error).message };
  }
  return { rows, swtpm };
}

/** Units of the compute loop per second over WINDOW_S, with or without the channel streaming. */
async function workload(withChannel: boolean): Promise<{ unitsPerS: number; channelShare: number; bytes: number }> {
  const buf = rng.bytes(4096);
  let busy = 0;
  let bytes = 0;
  const inner = localChannelSession({ seed: 9 });
  const runSession: ChannelSessionRunner = async (recs) => {
    const t0 = performance.now();
    const r = await inner(recs);
    busy += performance.now() - t0;
    return r;
  };
  const ch = withChannel ? new ChannelStream({ recordBytes: R, recordsPerSession: 16, runSession }) : null;
  const drain = ch ? (async () => { for (let r = await ch.read(); r; r = await ch.read()) bytes += r.length; })() : null;
  const every = (R / RATE) * 1000;
  const timer = ch ? setInterval(() => void ch.write(DATA.subarray(0, R)), every) : null;
  const t0 = performance.now();
  const end = t0 + WINDOW_S * 1000;
  let units = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 8; i++) SUITES.tpm2.hash(buf);
    units += 8;
    await new Promise((r) => setImmediate(r));
  }
  const wall = performance.now() - t0;
  if (timer) clearInterval(timer);
  if (ch) {
    await ch.close();
    await drain;
  }
  return { unitsPerS: (units / wall) * 1000, channelShare: busy / wall, bytes };
}

async function seedLoss() {
  const base: number[] = [];
  const withCh: number[] = [];
  const share: number[] = [];
  let moved = 0;
  for (let i = 0; i < Math.max(3, Math.ceil(N / 2)); i++) {
    base.push((await workload(false)).unitsPerS);
    const w = await workload(true);
    withCh.push(w.unitsPerS);
    share.push(w.channelShare);
    moved += w.bytes;
  }
  const loss = 1 - median(withCh) / median(base);
  const s = median(share);
  return {
    loop: 'SHA-256 (the tpm2 suite, noble, pure JS) over 4 KiB, 8 per turn of the event loop',
    rateBytesPerS: RATE,
    recordsPerSession: 16,
    windowS: WINDOW_S,
    pairs: base.length,
    loopUnitsPerS: { without: +median(base).toFixed(0), with: +median(withCh).toFixed(0), withoutSpread: spread(base), withSpread: spread(withCh) },
    loss: +loss.toFixed(4),
    channelShareOfWindow: +s.toFixed(4),
    rateAtSevenTenthsPercentBytesPerS: s > 0 ? Math.round((RATE * 0.007) / s) : null,
    bytesMovedPerWindow: Math.round(moved / base.length),
  };
}

async function main() {
  const t = await throughput();
  const openssl = opensslAesCfbMBps();
  const w = await seedLoss();
  const out = {
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, note: 'shared, noisy machine (2 cores, several other jobs): medians of alternated repetitions' },
    runs: N,
    bytes: BYTES,
    recordBytes: R,
    recordsPerSession: PER_SESSION,
    opensslAes128CfbMBps: openssl,
    throughput: t.rows.map((r) => ({ ...r, channelOverOpenssl: openssl ? +(r.channelMBps / openssl).toFixed(5) : null })),
    swtpm: t.swtpm,
    seedLoss: w,
    goals: { channelOverRawCipher: '≥ 0.90', seedLoss: '≤ 0.007' },
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/channel.json', JSON.stringify(out, null, 2) + '\n');
  console.log(JSON.stringify(out, null, 2));
}

await main();
