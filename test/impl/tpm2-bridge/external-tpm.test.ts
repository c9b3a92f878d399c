/**
 * Issue 22 rows 2, 3 and 8: an external TPM (`--tpm-port`) is left as it was found, and child
 * processes die with tcv. A tiny loopback TPM that answers every command with TPM_RC_FAILURE or
 * TPM_RC_RETRY: the run reports and exits (it hung after its report). A proxy in front of swtpm
 * that hangs up at the Nth response, a response made unparsable, an error code mid-way, SIGINT:
 * after each, a run straight to swtpm succeeds and leaves no transient object or session behind.
 * A killed tcv leaves no swtpm and no state directory; a swtpm that exits at start is a named
 * error.
 * @module
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { protocolByName } from '../../../models/protocols/index.ts';
import { runWithSwtpm } from '../../../impl/tpm2-bridge/run.ts';
import { SwtpmProcess, TcpTpmTransport, TpmCommandExecutor, TPM_CC } from '../../../impl/tpm2/index.ts';
import { FOREIGN_RANGES, handlesInUse } from '../../../impl/tpm2/flush-foreign.ts';
import { tcv } from '../../cli/harness.ts';
import { commandCodeOf, swtpmSkip } from '../tpm2/swtpm-fixture.ts';

const skip = swtpmSkip;
const sizeOf = (b: Buffer) => b.readUInt32BE(2);

/** Splits a byte stream into TPM frames (size at bytes 2..5), calling `frame` for each. */
function framer(frame: (f: Buffer) => void): (d: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 10 && buf.length >= sizeOf(buf)) {
      const n = sizeOf(buf);
      frame(buf.subarray(0, n));
      buf = buf.subarray(n);
    }
  };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as net.AddressInfo).port)));
}

/** A TPM that answers every command with `rc`; counts commands and open connections. */
async function misbehavingTpm(rc: number) {
  const state = { commands: 0, open: 0 };
  const server = net.createServer((s) => {
    state.open++;
    s.on('close', () => state.open--);
    s.on('error', () => undefined);
    s.on(
      'data',
      framer(() => {
        state.commands++;
        const r = Buffer.alloc(10);
        r.writeUInt16BE(0x8001, 0);
        r.writeUInt32BE(10, 2);
        r.writeUInt32BE(rc, 6);
        s.write(r);
      }),
    );
  });
  return { port: await listen(server), state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A proxy to `target` that hangs up both sides instead of forwarding the `cutAt`th response
 * (or holds it until `release()` when `hold`). */
async function cuttingProxy(target: number, cutAt: number, hold = false) {
  const state = { responses: 0, held: false, release: () => undefined as void };
  const server = net.createServer((client) => {
    const up = net.connect({ host: '127.0.0.1', port: target });
    client.on('error', () => undefined);
    up.on('error', () => undefined);
    client.on('data', (d) => up.write(d));
    up.on(
      'data',
      framer((f) => {
        state.responses++;
        if (state.responses !== cutAt) return void client.write(f);
        if (!hold) {
          client.destroy();
          up.destroy();
          return;
        }
        state.held = true;
        state.release = () => void client.write(f);
      }),
    );
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  return { port: await listen(server), state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The transient objects and sessions swtpm holds right now. */
async function leftInTpm(port: number): Promise<number[]> {
  const t = await TcpTpmTransport.connect({ port });
  try {
    const x = new TpmCommandExecutor(t);
    const out: number[] = [];
    for (const first of Object.values(FOREIGN_RANGES)) out.push(...(await handlesInUse(x, first)));
    return out;
  } finally {
    await t.close();
  }
}

/** `tcv ...args` as a child process: exit code, output, wall time; killed after `killMs`. */
function tcvChild(args: string[], killMs: number, onSpawn?: (pid: number) => void) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/tcv.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), killMs);
  onSpawn?.(child.pid!);
  return new Promise<{ code: number | null; signal: string | null; out: string; err: string; ms: number }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, ms: performance.now() - t0 });
    }),
  );
}

const provisioning = protocolByName('provisioning');
const injected: Record<string, number> = {};
const count = (kind: string) => (injected[kind] = (injected[kind] ?? 0) + 1);

describe('a TPM that fails TPM2_Startup', { timeout: 60_000 }, () => {
  for (const [name, rc] of [
    ['TPM_RC_FAILURE', 0x101],
    ['TPM_RC_RETRY', 0x922],
  ] as const) {
    it(`answers ${name} to everything: the run reports, closes the connection and exits (it hung)`, async () => {
      const tpm = await misbehavingTpm(rc);
      try {
        const r = await tcvChild(['run', 'provisioning', '--tpm', 'swtpm', '--tpm-port', String(tpm.port), '--json'], 30_000);
        count(`loopback TPM answering ${name}`);
        assert.equal(r.code, 1, `exit ${r.code} ${r.signal ?? ''} after ${Math.round(r.ms)} ms: ${r.err}`);
        assert.ok(r.ms < 15_000, `${Math.round(r.ms)} ms`); // it never ended before
        const j = JSON.parse(r.out) as { ok: boolean; tpm: { failure: { kind: string; command: string; rc: string } } };
        assert.equal(j.ok, false);
        assert.deepEqual([j.tpm.failure.kind, j.tpm.failure.command, j.tpm.failure.rc], ['tpm-rc', 'TPM2_Startup', name]);
        assert.equal(tpm.state.open, 0, 'the connection was closed');
      } finally {
        await tpm.close();
      }
    });
  }
});

describe('an external swtpm is left as it was found', { timeout: 120_000 }, () => {
  let swtpm: SwtpmProcess;
  before(async () => {
    if (!skip) swtpm = await SwtpmProcess.start();
  });
  after(async () => {
    await swtpm?.stop();
    console.log(`# fault injections: ${JSON.stringify(injected)}`);
  });

  const straightRunSucceeds = async () => {
    const r = await runWithSwtpm(provisioning, { port: swtpm.serverPort, seed: 5 });
    assert.equal(r.tpm.failure, null, JSON.stringify(r.tpm.failure));
    assert.ok(r.ok);
    assert.deepEqual(await leftInTpm(swtpm.serverPort), [], 'no transient object or session left');
  };

  it('a proxy that hangs up at the Nth response (N = 2..14): the next run straight to swtpm succeeds', { skip }, async () => {
    for (let n = 2; n <= 14; n++) {
      const proxy = await cuttingProxy(swtpm.serverPort, n);
      try {
        const r = await runWithSwtpm(provisioning, { port: proxy.port, seed: n, responseTimeoutMs: 5000 });
        count('proxy hangs up at the Nth response');
        assert.equal(r.ok, false, `cut at ${n}`);
        assert.equal(r.tpm.failure?.kind, 'transport', `cut at ${n}: ${JSON.stringify(r.tpm.failure)}`);
      } finally {
        await proxy.close();
      }
    }
    // the cut runs left their objects loaded (swtpm holds 3): the next run's start flushes them
    await straightRunSucceeds();
  });

  it('an unparsable response and an error code mid-way: the next run succeeds, nothing left', { skip }, async () => {
    for (const cmd of [TPM_CC.Load, TPM_CC.CreatePrimary, TPM_CC.StartAuthSession, TPM_CC.PolicySigned]) {
      // the response cut to its header, its size field made to match: it does not parse
      const cut = await runWithSwtpm(provisioning, {
        port: swtpm.serverPort,
        rewriteResponse: (c, rsp) => {
          if (commandCodeOf(c) !== cmd || rsp.length <= 14) return rsp;
          const b = Buffer.from(rsp.subarray(0, 14));
          b.writeUInt32BE(14, 2);
          return b;
        },
      });
      count('unparsable response');
      assert.equal(cut.ok, false);
      // TPM_RC_FAILURE in place of the response
      const failed = await runWithSwtpm(provisioning, {
        port: swtpm.serverPort,
        rewriteResponse: (c, rsp) => (commandCodeOf(c) === cmd ? Uint8Array.from([0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x01]) : rsp),
      });
      count('error code mid-way');
      assert.equal(failed.tpm.failure?.kind, 'tpm-rc', JSON.stringify(failed.tpm.failure));
    }
    await straightRunSucceeds();
  });

  it('SIGINT in the middle of a --tpm-port run: exit 130 after its clean-up; the next run succeeds', { skip }, async () => {
    const proxy = await cuttingProxy(swtpm.serverPort, 6, true);
    try {
      let pid = 0;
      const done = tcvChild(['run', 'provisioning', '--tpm', 'swtpm', '--tpm-port', String(proxy.port)], 20_000, (p) => (pid = p));
      for (let i = 0; i < 200 && !proxy.state.held; i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(proxy.state.held, 'the run reached the 6th response');
      process.kill(pid, 'SIGINT');
      setTimeout(() => proxy.state.release(), 200);
      const r = await done;
      count('SIGINT mid-run');
      assert.equal(r.code, 130, `exit ${r.code} ${r.signal ?? ''}: ${r.err}`);
      assert.match(r.err, /interrupted by SIGINT/);
    } finally {
      await proxy.close();
    }
    await straightRunSucceeds();
  });
});

describe('child processes die with tcv', { timeout: 60_000 }, () => {
  it('kill -9 of the process that started swtpm: swtpm ends and its state directory is removed', { skip }, async () => {
    const script = [
      "import { SwtpmProcess } from './impl/tpm2/swtpm-process.ts';",
      'const p = await SwtpmProcess.start();',
      'console.log(JSON.stringify({ pid: p.pid, dir: p.stateDir }));',
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    const info = JSON.parse(line) as { pid: number; dir: string };
    const alive = () => spawnSync('kill', ['-0', String(info.pid)]).status === 0;
    assert.ok(alive() && existsSync(info.dir));
    child.kill('SIGKILL');
    count('kill -9 of tcv with a private swtpm');
    for (let i = 0; i < 100 && (alive() || existsSync(info.dir)); i++) await new Promise((r) => setTimeout(r, 30));
    assert.equal(alive(), false, `swtpm ${info.pid} still running`);
    assert.equal(existsSync(info.dir), false, `${info.dir} still there`);
  });

  it('a swtpm that exits at start is a named error in one line, exit 2 (not "internal error")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcv-fake-swtpm-'));
    writeFileSync(join(dir, 'swtpm'), '#!/bin/sh\necho "swtpm: cannot open the state directory" >&2\nexit 1\n');
    chmodSync(join(dir, 'swtpm'), 0o755);
    const path = process.env['PATH'];
    process.env['PATH'] = `${dir}:${path}`;
    try {
      const r = await tcv('run', 'key-exchange', '--tpm', 'swtpm', '--json');
      count('swtpm exiting at start');
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.split('\n').length, 1);
      assert.match(r.err, /^tcv run: swtpm exited during startup \(exit code 1; stderr: swtpm: cannot open the state directory\)$/);
    } finally {
      process.env['PATH'] = path;
      rmSync(dir, { recursive: true });
    }
  });
});

describe('what a failure is called', { timeout: 30_000 }, () => {
  it('a RangeError that is not the TSS refusing a value is a defect, not a tss-check (issue 14 point 8)', { skip }, async () => {
    const defect = new RangeError('Offset is outside the bounds of the DataView');
    await assert.rejects(
      runWithSwtpm(protocolByName('key-exchange'), {
        beforeMessage: async () => {
          throw defect;
        },
      }),
      (e: unknown) => e === defect,
    );
    // the TSS's own refusals still are checks
    const { TssRefusal } = await import('../../../impl/tpm2/tss-refusal.ts');
    const r = await runWithSwtpm(protocolByName('key-exchange'), {
      beforeMessage: async () => {
        throw new TssRefusal('E must be an uncompressed P-256 point');
      },
    });
    assert.equal(r.tpm.failure?.kind, 'tss-check');
  });
});
