/**
 * Exact-length reads from a socket for the TPM simulator framings: `read(n)` resolves with the
 * next n bytes, or with null once the peer has gone (a client that disconnects mid-frame ends
 * its reader, nothing else). The socket is paused while more than `highWater` bytes wait, so a
 * client that sends faster than the TPM answers cannot make the server buffer without bound.
 * @module
 */
import type { Socket } from 'node:net';

export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private waiter: { n: number; resolve: (b: Uint8Array | null) => void } | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly highWater = 1 << 16,
  ) {
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.buffered += c.length;
      if (this.buffered > this.highWater) socket.pause();
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  /** The next `n` bytes (n ≤ highWater), or null when the connection ended first. */
  read(n: number): Promise<Uint8Array | null> {
    if (this.waiter) throw new Error('ByteReader: one read at a time');
    return new Promise((resolve) => {
      this.waiter = { n, resolve };
      this.wake();
    });
  }

  async u32(): Promise<number | null> {
    const b = await this.read(4);
    return b && new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  }

  async u8(): Promise<number | null> {
    const b = await this.read(1);
    return b && b[0]!;
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.buffered >= w.n) {
      this.waiter = null;
      w.resolve(this.take(w.n));
      if (this.buffered <= this.highWater && this.socket.isPaused()) this.socket.resume();
    } else if (this.ended) {
      this.waiter = null;
      w.resolve(null);
    } else if (this.socket.isPaused()) this.socket.resume();
  }

  private take(n: number): Uint8Array {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = new Uint8Array(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
