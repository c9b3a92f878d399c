/**
 * TEST ONLY: the engine behind swtpm's raw TCP framing (one command frame in, one response
 * frame out, on 127.0.0.1), so tpm2-tools can reach it with `-T swtpm:port=P` before the service
 * helper's `tcv tztcm serve` (the TDDL → UUID session → s-core path) exists. The control port
 * (P+1) accepts swtpm's CMD_* requests and answers success. Not a product: `tcv tztcm serve` is.
 * Run directly (`node --import tsx test/impl/tztcm/engine/raw-tpm-server.ts`) it prints its port.
 * @module
 */
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { createTztcmEngine, type TztcmEngine } from '../../../../impl/tztcm/engine/tztcm-engine.ts';

export interface RawTpmServer {
  readonly port: number;
  readonly engine: TztcmEngine;
  close(): Promise<void>;
}

function serveFrames(sock: net.Socket, answer: (frame: Uint8Array) => Uint8Array): void {
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 6) {
      const size = buf.readUInt32BE(2);
      // a size the engine refuses anyway: answer what it answers for the bytes we have
      const n = size < 10 || size > 4096 ? buf.length : size;
      if (buf.length < n) break;
      const frame = new Uint8Array(buf.subarray(0, n));
      buf = buf.subarray(n);
      sock.write(answer(frame));
    }
  });
  sock.on('error', () => sock.destroy());
}

export async function startRawTpmServer(engine: TztcmEngine = createTztcmEngine()): Promise<RawTpmServer> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server = net.createServer((s) => {
    track(s);
    serveFrames(s, (f) => {
      const r = engine.execute(f);
      // TZTCM_TRACE=file: every frame pair in hex, for debugging a TSS against the engine
      if (process.env.TZTCM_TRACE) appendFileSync(process.env.TZTCM_TRACE, `> ${Buffer.from(f).toString('hex')}\n< ${Buffer.from(r).toString('hex')}\n`);
      return r;
    });
  });
  // swtpm's control channel: every CMD_* answered with a 4-byte 0 (success)
  const ctrl = net.createServer((s) => {
    track(s);
    s.on('data', () => s.write(Buffer.alloc(4)));
    s.on('error', () => s.destroy());
  });
  for (let attempt = 0; ; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
    const ok = await new Promise<boolean>((resolve) => {
      ctrl.once('error', () => resolve(false));
      ctrl.listen(port + 1, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      return {
        port,
        engine,
        close: async () => {
          for (const s of sockets) s.destroy();
          await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => ctrl.close(r))]);
        },
      };
    }
    await new Promise((r) => server.close(r));
    if (attempt > 10) throw new Error('no free port pair');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startRawTpmServer();
  console.log(s.port);
}
