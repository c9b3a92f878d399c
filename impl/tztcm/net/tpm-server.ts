/**
 * The TDDL end as a TCP server on loopback (issue 15 part 4): a TPM 2.0 that TSS stacks reach
 * the way they reach the Microsoft simulator (tpm2-tss `mssim` TCTI: command port P, platform
 * port P+1) or swtpm's raw command socket (`raw`: bare TPM command frames, the size from the
 * header). Every command goes to `transmit` (the TDDL: protocol 4 → GP → s-core → engine), one
 * at a time across all clients.
 *
 * Bad input stays in its connection: an unknown simulator code, a size field outside
 * [10, MAX_COMMAND_SIZE] (up to 0xFFFFFFFF) or a frame cut short ends that connection — after
 * a TPM_RC_COMMAND_SIZE response where the framing allows one — and the server keeps serving the
 * others. A command the TDDL cannot deliver (the s-core gone) is answered TPM_RC_FAILURE.
 * @module
 */
import { type Server, type Socket, createServer } from 'node:net';
import { ByteReader } from './byte-reader.ts';
import { MAX_COMMAND_SIZE, MSSIM, MSSIM_SERVER_VERSION, RC, errorResponse, u32 } from './mssim-protocol.ts';

export interface TpmServerOptions {
  readonly transmit: (command: Uint8Array) => Promise<Uint8Array>;
  /** the command port; the platform port is port + 1 (mssim). 0: any free port */
  readonly port: number;
  /** swtpm's raw framing on the command port instead of the simulator protocol (no platform port) */
  readonly raw?: boolean;
  /** told of each connection's end reason (for logging) */
  readonly onEvent?: (what: string) => void;
}

export interface TpmServer {
  readonly port: number;
  readonly platformPort: number | undefined;
  readonly connections: number;
  close(): Promise<void>;
}

/** An error naming which port could not be listened on (EADDRINUSE and others). */
export class ListenError extends Error {
  constructor(
    readonly port: number,
    readonly code: string | undefined,
  ) {
    super(code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is already in use` : `cannot listen on 127.0.0.1:${port} (${code ?? 'unknown error'})`);
  }
}

const HOST = '127.0.0.1';

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new ListenError(port, e.code)));
    server.listen(port, HOST, () => resolve((server.address() as { port: number }).port));
  });
}

export async function startTpmServer(o: TpmServerOptions): Promise<TpmServer> {
  const sockets = new Set<Socket>();
  const event = o.onEvent ?? (() => undefined);
  let poweredOn = true;

  const run = async (command: Uint8Array): Promise<Uint8Array> => {
    if (!poweredOn) return errorResponse(RC.FAILURE);
    try {
      return await o.transmit(command);
    } catch (e) {
      event(`command failed: ${(e as Error).message}`);
      return errorResponse(RC.FAILURE);
    }
  };
  const track = (handler: (s: Socket, r: ByteReader) => Promise<string>) => (s: Socket) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('error', () => undefined);
    const r = new ByteReader(s);
    void handler(s, r)
      .catch((e: Error) => `internal error: ${e.message}`)
      .then((why) => {
        event(why);
        s.end();
        s.destroySoon?.();
      });
    s.on('close', () => sockets.delete(s));
  };
  const write = (s: Socket, ...parts: Uint8Array[]) => {
    if (!s.destroyed) s.write(Buffer.concat(parts));
  };

  const mssimCommands = track(async (s, r) => {
    for (;;) {
      const code = await r.u32();
      if (code === null) return 'client closed';
      if (code === MSSIM.SESSION_END || code === MSSIM.STOP) return 'session end';
      if (code === MSSIM.REMOTE_HANDSHAKE) {
        if ((await r.u32()) === null) return 'client closed mid-frame';
        write(s, u32(MSSIM_SERVER_VERSION), u32(0), u32(0));
        continue;
      }
      if (code !== MSSIM.SEND_COMMAND) return `unknown simulator command ${code}: connection closed`;
      if ((await r.u8()) === null) return 'client closed mid-frame';
      const size = await r.u32();
      if (size === null) return 'client closed mid-frame';
      if (size < 10 || size > MAX_COMMAND_SIZE) {
        const rsp = errorResponse(RC.COMMAND_SIZE);
        write(s, u32(rsp.length), rsp, u32(0));
        return `command size ${size} out of range: answered TPM_RC_COMMAND_SIZE, connection closed`;
      }
      const cmd = await r.read(size);
      if (!cmd) return 'client closed mid-frame';
      const rsp = await run(cmd);
      write(s, u32(rsp.length), rsp, u32(0));
    }
  });

  const rawCommands = track(async (s, r) => {
    for (;;) {
      const head = await r.read(6);
      if (!head) return 'client closed';
      const size = new DataView(head.buffer, head.byteOffset, 6).getUint32(2);
      if (size < 10 || size > MAX_COMMAND_SIZE) {
        write(s, errorResponse(RC.COMMAND_SIZE));
        return `command size ${size} out of range: answered TPM_RC_COMMAND_SIZE, connection closed`;
      }
      const rest = await r.read(size - 6);
      if (!rest) return 'client closed mid-frame';
      const cmd = new Uint8Array(size);
      cmd.set(head);
      cmd.set(rest, 6);
      write(s, await run(cmd));
    }
  });

  const platform = track(async (s, r) => {
    for (;;) {
      const sig = await r.u32();
      if (sig === null) return 'platform client closed';
      switch (sig) {
        case MSSIM.SESSION_END:
        case MSSIM.STOP:
          return 'platform session end';
        case MSSIM.SIGNAL_POWER_OFF:
          poweredOn = false;
          write(s, u32(0));
          break;
        case MSSIM.SIGNAL_POWER_ON:
        case MSSIM.SIGNAL_RESET:
        case MSSIM.SIGNAL_RESTART:
          poweredOn = true;
          write(s, u32(0));
          break;
        case MSSIM.SIGNAL_PHYS_PRES_ON:
        case MSSIM.SIGNAL_PHYS_PRES_OFF:
        case MSSIM.SIGNAL_CANCEL_ON:
        case MSSIM.SIGNAL_CANCEL_OFF:
        case MSSIM.SIGNAL_NV_ON:
        case MSSIM.SIGNAL_NV_OFF:
        case MSSIM.SIGNAL_KEY_CACHE_ON:
        case MSSIM.SIGNAL_KEY_CACHE_OFF:
          write(s, u32(0));
          break;
        case MSSIM.SIGNAL_HASH_START:
        case MSSIM.SIGNAL_HASH_END:
          // the H-CRTM event sequence (TPM 2.0 Part 1 §37.4.4) is not supported: answered non-zero
          write(s, u32(1));
          break;
        case MSSIM.SIGNAL_HASH_DATA: {
          const n = await r.u32();
          if (n === null) return 'platform client closed mid-frame';
          if (n > MAX_COMMAND_SIZE || (await r.read(n)) === null) return 'platform hash data out of range or cut short';
          write(s, u32(1));
          break;
        }
        default:
          return `unknown platform signal ${sig}: connection closed`;
      }
    }
  });

  // port 0: any free pair (the platform port must be the next one, as the mssim TCTI assumes)
  let cmdServer: Server | undefined;
  let platServer: Server | undefined;
  let port = o.port;
  let platformPort: number | undefined;
  for (let attempt = 0; ; attempt++) {
    cmdServer = createServer(o.raw ? rawCommands : mssimCommands);
    port = await listen(cmdServer, o.port);
    if (o.raw) break;
    platServer = createServer(platform);
    try {
      platformPort = await listen(platServer, port + 1);
      break;
    } catch (e) {
      await new Promise((r) => cmdServer!.close(r));
      if (o.port !== 0 || attempt >= 20) throw e;
    }
  }
  return {
    port,
    platformPort,
    get connections() {
      return sockets.size;
    },
    async close() {
      const closed = Promise.all([cmdServer!, platServer].filter((x): x is Server => !!x).map((x) => new Promise((r) => x.close(r))));
      // a socket still in the set has not emitted 'close' yet (its handler removes it)
      const gone = [...sockets].map((s) => new Promise<void>((r) => s.once('close', () => r())));
      for (const s of sockets) s.destroy();
      await Promise.all([closed, ...gone]);
    },
  };
}
