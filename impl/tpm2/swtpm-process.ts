/**
 * Starts and stops a private swtpm (libtpms, the TCG reference TPM 2.0) on free loopback ports
 * with a temporary state directory:
 *   swtpm socket --tpm2 --server type=tcp,port=P,bindaddr=127.0.0.1
 *                --ctrl type=tcp,port=C,bindaddr=127.0.0.1 --flags not-need-init,startup-clear
 *                --tpmstate dir=<tmp>
 * `not-need-init,startup-clear` makes swtpm power on and run TPM2_Startup(CLEAR) itself. Every
 * started process is registered so a process exit or SIGINT/SIGTERM/SIGHUP of Node still kills
 * it and removes its state directory; `stop()` is idempotent and bounded in time.
 *
 * Nothing of that runs when Node is killed outright (SIGKILL, the OOM killer), so swtpm runs
 * under a parent-death watch: a small `sh` that starts it, holds the read end of a pipe whose
 * only write end is Node's, and on that pipe's end of file (Node is gone, however it died)
 * terminates swtpm and removes the state directory. (swtpm's own `--terminate` ends it when its
 * client connection closes, which the readiness probes below would trigger, and leaves the
 * state directory.)
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

/**
 * The parent-death watch swtpm runs under (`sh -c WATCH tcv-swtpm-watch swtpm args…`): fd 3 is
 * the pipe from Node; swtpm gets neither it nor stdin; its pid is the first line on stdout; the
 * watch's exit status is swtpm's, and it removes the state directory however swtpm ended.
 */
const PARENT_DEATH_WATCH = [
  'exec 3<&0 </dev/null',
  '"$@" 3<&- >/dev/null &',
  'p=$!',
  'echo "$p"',
  '{ read -r _ <&3; kill "$p" 2>/dev/null; } &',
  'w=$!',
  'wait "$p"; rc=$?',
  'kill "$w" 2>/dev/null',
  'rm -rf "$TCV_SWTPM_STATE"',
  'exit "$rc"',
].join('\n');

export class SwtpmProcess {
  private exited: Promise<void>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private stderr = '';
  private stopped = false;
  /** swtpm's own pid, as the watch reports it (the child process is the watch) */
  swtpmPid: number | undefined;

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
    let first = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      if (this.swtpmPid !== undefined) return;
      first += d;
      const m = /^(\d+)\n/.exec(first);
      if (m) this.swtpmPid = Number(m[1]);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      if (this.stderr.length < 8192) this.stderr += d;
    });
    // neither the child nor its pipe keeps Node alive; the exit hook cleans up instead
    child.unref();
    for (const pipe of [child.stdin, child.stdout, child.stderr]) (pipe as unknown as { unref?: () => void } | null)?.unref?.();
  }

  readonly host = '127.0.0.1';

  /** swtpm's pid (not the watch's) */
  get pid(): number | undefined {
    return this.swtpmPid;
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      if (this.swtpmPid !== undefined) process.kill(this.swtpmPid, signal);
      else this.child.kill(signal);
    } catch {
      // already gone
    }
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
      child = spawn('/bin/sh', ['-c', PARENT_DEATH_WATCH, 'tcv-swtpm-watch', binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TCV_SWTPM_STATE: stateDir } });
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
        if (proc.swtpmPid !== undefined && (await canConnect(ctrlPort)) && (await canConnect(serverPort))) return proc;
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
    if (this.running) this.signal(signal);
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
      this.signal('SIGTERM');
      const timer = setTimeout(() => {
        this.signal('SIGKILL');
        this.child.kill('SIGKILL');
      }, graceMs);
      await this.waitExit();
      clearTimeout(timer);
    }
    this.removeState();
  }

  /** Synchronous last-resort cleanup for process exit. */
  killSync(): void {
    if (this.running) {
      this.signal('SIGKILL');
      this.child.kill('SIGKILL');
    }
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
