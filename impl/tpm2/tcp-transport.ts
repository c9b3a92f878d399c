/**
 * TPM command frames over a TCP socket, as swtpm's `--server type=tcp` port expects: each
 * command in a single write, the response length read from its header (big-endian UINT32 at
 * bytes 2..5). Every response has a deadline; a timeout, a peer that hangs up, or a response cut
 * short fails the pending command with a {@link TpmTransportError} and poisons the connection
 * (its framing can no longer be trusted), so nothing waits forever.
 * @module
 */
import net from 'node:net';
import {
  MAX_RESPONSE_SIZE,
  RESPONSE_HEADER_SIZE,
  TpmTransportError,
  responseSizeOf,
  type TpmTransport,
} from './transport.ts';

export interface TcpTransportOptions {
  readonly host?: string;
  readonly port: number;
  /** Deadline for connecting, ms (default 3000). */
  readonly connectTimeoutMs?: number;
  /** Deadline for each complete response, ms (default 10000; key generation is the slow case). */
  readonly responseTimeoutMs?: number;
}

interface Pending {
  readonly resolve: (r: Uint8Array) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class TcpTpmTransport implements TpmTransport {
  private chunks: Uint8Array[] = [];
  private received = 0;
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: TpmTransportError | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly responseTimeoutMs: number,
    readonly endpoint: string,
  ) {
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(new TpmTransportError('closed', `TPM connection ${endpoint} failed: ${e.message}`)));
    socket.on('close', () =>
      this.fail(
        this.received > 0
          ? new TpmTransportError('short-read', `TPM connection ${endpoint} closed after ${this.received} bytes of a response`)
          : new TpmTransportError('closed', `TPM connection ${endpoint} closed by the peer`),
      ),
    );
  }

  static connect(opts: TcpTransportOptions): Promise<TcpTpmTransport> {
    const host = opts.host ?? '127.0.0.1';
    const endpoint = `${host}:${opts.port}`;
    const connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: opts.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TpmTransportError('connect', `no TPM connection to ${endpoint} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new TpmTransportError('connect', `cannot connect to the TPM at ${endpoint}: ${e.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new TcpTpmTransport(socket, opts.responseTimeoutMs ?? 10_000, endpoint));
      });
    });
  }

  send(command: Uint8Array): Promise<Uint8Array> {
    // one command at a time: a TPM interface is strictly request/response
    const run = this.queue.then(
      () => this.sendOne(command),
      () => this.sendOne(command),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private sendOne(command: Uint8Array): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new TpmTransportError('timeout', `no complete TPM response from ${this.endpoint} within ${this.responseTimeoutMs} ms`));
      }, this.responseTimeoutMs);
      this.pending = { resolve, reject, timer };
      this.chunks = [];
      this.received = 0;
      // a single write per command frame: swtpm reads one frame per recv
      this.socket.write(command);
    });
  }

  private onData(d: Buffer): void {
    if (!this.pending) {
      this.fail(new TpmTransportError('malformed', `TPM at ${this.endpoint} sent ${d.length} bytes with no command outstanding`));
      return;
    }
    this.chunks.push(new Uint8Array(d.buffer, d.byteOffset, d.length));
    this.received += d.length;
    if (this.received < RESPONSE_HEADER_SIZE) return;
    const all = this.collect();
    const size = responseSizeOf(all);
    if (size < RESPONSE_HEADER_SIZE || size > MAX_RESPONSE_SIZE) {
      this.fail(new TpmTransportError('malformed', `TPM response header from ${this.endpoint} claims ${size} bytes`));
      return;
    }
    if (this.received < size) return;
    if (this.received > size) {
      this.fail(new TpmTransportError('malformed', `TPM at ${this.endpoint} sent ${this.received - size} bytes past the response`));
      return;
    }
    const p = this.pending;
    this.pending = null;
    this.chunks = [];
    this.received = 0;
    clearTimeout(p.timer);
    p.resolve(all);
  }

  private collect(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0] as Uint8Array;
    const all = new Uint8Array(this.received);
    let off = 0;
    for (const c of this.chunks) {
      all.set(c, off);
      off += c.length;
    }
    this.chunks = [all];
    return all;
  }

  /** Fail the pending command (if any) and every later one; destroy the socket. */
  private fail(e: TpmTransportError): void {
    if (!this.failure) this.failure = e;
    const p = this.pending;
    this.pending = null;
    if (p) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.socket.destroy();
  }

  async close(): Promise<void> {
    this.fail(new TpmTransportError('closed', `TPM connection ${this.endpoint} was closed by the client`));
  }
}
