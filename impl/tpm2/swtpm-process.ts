/**
 * Starts and stops a private swtpm (libtpms, the TCG reference TPM 2.0) on free loopback ports
 * with a temporary state directory:
 *   swtpm socket --tpm2 --server type=tcp,port=P,bindaddr=127.0.0.1
 *                --ctrl type=tcp,port=C,bindaddr=127.0.0.1 --flags not-need-init,startup-clear
 *                --tpmstate dir=<tmp>
 * `not-need-init,startup-clear` makes swtpm power on and run TPM2_Startup(CLEAR) itself. Every
 * started process is registered so a process exit or SIGINT/SIGTERM/SIGHUP of Node still kills
 * it and removes its state directory; `stop()` is idempotent and bounded in time.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { TcpTpmTransport, type TcpTransportOptions } from './tcp-transport.ts';

export const SWTPM_INSTALL_HINT =
  'install it with `bash scripts/install-swtpm.sh` (or `apt-get install -y swtpm` on Debian/Ubuntu)';

/** The swtpm binary is not installed. */
export class SwtpmNotFoundError extends Error {
  constructor(binary: string) {
    super(`swtpm not found (looked for '${binary}' on PATH); ${SWTPM_INSTALL_HINT}`);
    this.name = 'SwtpmNotFoundError';
  }
}

/** swtpm was found but did not come up. */
export class SwtpmStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SwtpmStartError';
  }
}

/** Absolute path of `binary` on PATH (or as given, if it contains a '/'), or null. */
export function findSwtpm(binary = 'swtpm'): string | null {
  const candidates = binary.includes('/') ? [binary] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, binary));
  for (const c of candidates) {
    try {
      accessSync(c, fsConstants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

/** A free TCP port on 127.0.0.1, asked of the OS by binding port 0. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SwtpmOptions {
  /** Binary name or path (default 'swtpm'). */
  readonly binary?: string;
  /** Deadline for swtpm to accept connections, ms (default 5000). */
  readonly startupTimeoutMs?: number;
  /** Attempts with fresh ports if swtpm loses a port race (default 3). */
  readonly attempts?: number;
}

/** Live swtpm processes, killed synchronously if Node exits while they run. */
const live = new Set<SwtpmProcess>();
let hooksInstalled = false;

function killAllSync(): void {
  for (const p of live) p.killSync();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAllSync();
      // only claim the signal if nobody else handles it: re-raise with the default action
      process.removeListener(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

export class SwtpmProcess {
  private exited: Promise<void>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private stderr = '';
  private stopped = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly serverPort: number,
    readonly ctrlPort: number,
    readonly stateDir: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve();
      });
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      if (this.stderr.length < 8192) this.stderr += d;
    });
    // neither the child nor its pipe keeps Node alive; the exit hook cleans up instead
    child.unref();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  }

  readonly host = '127.0.0.1';

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.exitInfo === null;
  }

  /** Start swtpm; throws SwtpmNotFoundError if the binary is missing, SwtpmStartError on timeout. */
  static async start(opts: SwtpmOptions = {}): Promise<SwtpmProcess> {
    const binary = findSwtpm(opts.binary ?? 'swtpm');
    if (binary === null) throw new SwtpmNotFoundError(opts.binary ?? 'swtpm');
    installExitHooks();
    const attempts = opts.attempts ?? 3;
    let lastError: Error | null = null;
    for (let i = 0; i < attempts; i++) {
      try {
        return await SwtpmProcess.startOnce(binary, opts.startupTimeoutMs ?? 5000);
      } catch (e) {
        lastError = e as Error;
        if (e instanceof SwtpmNotFoundError) throw e;
      }
    }
    throw lastError ?? new SwtpmStartError('swtpm did not start');
  }

  private static async startOnce(binary: string, timeoutMs: number): Promise<SwtpmProcess> {
    const serverPort = await freeLoopbackPort();
    let ctrlPort = await freeLoopbackPort();
    while (ctrlPort === serverPort) ctrlPort = await freeLoopbackPort();
    const stateDir = mkdtempSync(join(tmpdir(), 'tcv-swtpm-'));
    const args = [
      'socket',
      '--tpm2',
      '--server', `type=tcp,port=${serverPort},bindaddr=127.0.0.1`,
      '--ctrl', `type=tcp,port=${ctrlPort},bindaddr=127.0.0.1`,
      '--flags', 'not-need-init,startup-clear',
      '--tpmstate', `dir=${stateDir}`,
    ];
    let child: ChildProcess;
    try {
      child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      rmSync(stateDir, { recursive: true, force: true });
      throw new SwtpmStartError(`cannot spawn ${binary}: ${(e as Error).message}`);
    }
    const proc = new SwtpmProcess(child, serverPort, ctrlPort, stateDir);
    live.add(proc);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const err = await Promise.race([spawnError, sleep(0).then(() => null)]);
        if (err) throw new SwtpmStartError(`cannot run ${binary}: ${err.message}`);
        if (!proc.running) throw new SwtpmStartError(`swtpm exited during startup (${proc.describeExit()})`);
        if ((await canConnect(ctrlPort)) && (await canConnect(serverPort))) return proc;
        if (Date.now() > deadline) throw new SwtpmStartError(`swtpm not accepting connections on 127.0.0.1:${serverPort} within ${timeoutMs} ms`);
        await sleep(20);
      }
    } catch (e) {
      await proc.stop();
      throw e;
    }
  }

  /** Exit status and the first lines swtpm wrote to stderr. */
  describeExit(): string {
    const status = this.exitInfo ? (this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `exit code ${this.exitInfo.code}`) : 'running';
    const err = this.stderr.trim().split('\n').slice(0, 3).join(' | ');
    return err ? `${status}; stderr: ${err}` : status;
  }

  /** Open a command connection to this swtpm (it serves one client at a time). */
  connect(opts: Omit<TcpTransportOptions, 'port' | 'host'> = {}): Promise<TcpTpmTransport> {
    return TcpTpmTransport.connect({ ...opts, host: this.host, port: this.serverPort });
  }

  /** Send a signal without waiting (fault tests: kill swtpm mid-run). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  /** Resolves when the process has exited. */
  waitExit(): Promise<void> {
    // the child is unref'd so a forgotten swtpm cannot keep Node alive; while someone waits for
    // its exit it must hold the event loop open, or Node could drain and drop the wait
    if (this.running) this.child.ref();
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; then remove the state directory. Idempotent. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.waitExit();
      clearTimeout(timer);
    }
    this.removeState();
  }

  /** Synchronous last-resort cleanup for process exit. */
  killSync(): void {
    if (this.running) this.child.kill('SIGKILL');
    this.removeState();
  }

  private removeState(): void {
    if (this.stopped) return;
    this.stopped = true;
    live.delete(this);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** swtpm processes started here and not yet stopped (for "nothing left running" checks). */
export function liveSwtpmCount(): number {
  return live.size;
}
