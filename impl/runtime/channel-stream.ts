/**
 * The TEE application's streaming API over the trusted channel (issue 20): `write(bytes)` queues
 * data, `read()` returns the data the TPM gave back, in order, `close()` sends what is left and
 * ends the stream. Underneath, data is cut into records of at most `recordBytes` (the TPM's
 * TPM_PT_NV_BUFFER_MAX: one NV_Write and one NV_Read each) and carried by channel sessions of at
 * most `recordsPerSession` records — the bounded number of records per session the model is
 * verified at is the same kind of bound (models/protocols/channel.ts): each session is a fresh
 * key exchange, its records' nonces roll from it.
 *
 * Back-pressure: `write` resolves once what is queued and not yet sent is under `highWaterMark`
 * bytes (default one session's worth), so a writer that awaits it never holds more than that in
 * memory. A failed session ends the stream: every pending and later call rejects with a
 * ChannelError naming the session and the check that failed.
 * @module
 */
import type { ChannelSessionResult, ChannelSessionRunner } from './channel-session.ts';

export class ChannelError extends Error {
  override readonly name = 'ChannelError';
}

export interface ChannelStreamOptions {
  /** the largest record (TPM_PT_NV_BUFFER_MAX of the TPM, MAX_NV_BUFFER_SIZE = 1024 for ours) */
  readonly recordBytes: number;
  /** records per session (a key exchange each); default 64 */
  readonly recordsPerSession?: number;
  /** bytes queued before `write` waits; default recordBytes × recordsPerSession */
  readonly highWaterMark?: number;
  readonly runSession: ChannelSessionRunner;
}

export interface ChannelSummary {
  readonly bytesWritten: number;
  /** bytes the TPM gave back (and the TEE machine checked against what it wrote) */
  readonly bytesRead: number;
  readonly records: number;
  readonly sessions: number;
  readonly messages: number;
  readonly tpmCommands: number;
}

export class ChannelStream {
  private readonly recordsPerSession: number;
  private readonly highWaterMark: number;
  /** queued, not yet sent */
  private queued: Uint8Array[] = [];
  private queuedBytes = 0;
  private readBack: Uint8Array[] = [];
  private closing = false;
  private error: ChannelError | null = null;
  private pumping: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private readonly stats = { bytesWritten: 0, bytesRead: 0, records: 0, sessions: 0, messages: 0, tpmCommands: 0 };

  constructor(private readonly o: ChannelStreamOptions) {
    if (!Number.isInteger(o.recordBytes) || o.recordBytes < 1) throw new RangeError(`recordBytes must be a positive integer, got ${o.recordBytes}`);
    this.recordsPerSession = o.recordsPerSession ?? 64;
    if (!Number.isInteger(this.recordsPerSession) || this.recordsPerSession < 1) throw new RangeError(`recordsPerSession must be a positive integer, got ${this.recordsPerSession}`);
    this.highWaterMark = o.highWaterMark ?? o.recordBytes * this.recordsPerSession;
  }

  /** Queue `bytes`; resolves when the queue is back under the high-water mark. */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    if (this.closing) throw new ChannelError('write after close');
    if (bytes.length === 0) return;
    this.queued.push(bytes.slice());
    this.queuedBytes += bytes.length;
    this.stats.bytesWritten += bytes.length;
    this.kick();
    while (this.queuedBytes >= this.highWaterMark && !this.error) await this.changed();
    if (this.error) throw this.error;
  }

  /** The next record the TPM gave back; null once the stream is closed and everything was read. */
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const r = this.readBack.shift();
      if (r) {
        this.notify();
        return r;
      }
      if (this.error) throw this.error;
      if (this.closing && !this.pumping && this.queuedBytes === 0) return null;
      await this.changed();
    }
  }

  /** Send what is queued (a last, shorter record if need be) and end the stream. */
  async close(): Promise<ChannelSummary> {
    this.closing = true;
    this.kick();
    while ((this.pumping || this.queuedBytes > 0) && !this.error) await this.changed();
    if (this.error) throw this.error;
    this.notify();
    return { ...this.stats };
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Start a session when a full one is queued (or, closing, whatever is left). */
  private kick(): void {
    if (this.pumping || this.error) return;
    const full = this.recordBytes() * this.recordsPerSession;
    if (this.queuedBytes < full && !(this.closing && this.queuedBytes > 0)) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      this.notify();
      this.kick();
    });
  }

  private recordBytes(): number {
    return this.o.recordBytes;
  }

  /** Take up to one session of records off the queue (and cut the last chunk if it straddles). */
  private takeRecords(): Uint8Array[] {
    const n = this.recordBytes();
    const want = Math.min(this.queuedBytes, n * this.recordsPerSession);
    const flat = new Uint8Array(want);
    let off = 0;
    while (off < want) {
      const head = this.queued[0]!;
      const take = Math.min(head.length, want - off);
      flat.set(head.subarray(0, take), off);
      off += take;
      if (take === head.length) this.queued.shift();
      else this.queued[0] = head.subarray(take);
    }
    this.queuedBytes -= want;
    const records: Uint8Array[] = [];
    for (let i = 0; i < want; i += n) records.push(flat.subarray(i, Math.min(want, i + n)));
    return records;
  }

  private async pump(): Promise<void> {
    const records = this.takeRecords();
    this.notify();
    let r: ChannelSessionResult;
    try {
      r = await this.o.runSession(records);
    } catch (e) {
      this.error = new ChannelError(`channel session ${this.stats.sessions + 1}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    this.stats.sessions++;
    this.stats.messages += r.messages;
    this.stats.tpmCommands += r.tpmCommands;
    if (!r.ok) {
      this.error = new ChannelError(`channel session ${this.stats.sessions} failed: ${r.failure ?? 'not every record was read back'}`);
      return;
    }
    this.stats.records += records.length;
    for (const b of r.readBack) this.stats.bytesRead += b.length;
    this.readBack.push(...r.readBack);
  }
}
