/**
 * Issue 22 row 8 (and --timeout on every command that waits): `tcv prove` runs the prover in its
 * own process group. SIGTERM to tcv kills the prover and the workers it forked (they were left
 * running); --timeout stops them and exits 4 (inconclusive). A fake tamarin-prover on the PATH
 * forks a worker and waits; both pids are written to a file.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function fakeProver() {
  const dir = mkdtempSync(join(tmpdir(), 'tcv-fake-prover-'));
  const pids = join(dir, 'pids');
  // the prover and one forked worker, both waiting far longer than any test
  writeFileSync(join(dir, 'tamarin-prover'), `#!/bin/sh\nsleep 300 &\necho "$$ $!" > '${pids}'\nwait\n`);
  chmodSync(join(dir, 'tamarin-prover'), 0o755);
  writeFileSync(join(dir, 't.spthy'), 'theory t begin\nlemma l:\n  "All #i. T()@i ==> T()@i"\nend\n');
  return { dir, pids, theory: join(dir, 't.spthy'), env: { ...process.env, PATH: `${dir}:${process.env['PATH']}` } };
}

const alive = (pid: number) => spawnSync('kill', ['-0', String(pid)]).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pidsOf(file: string): Promise<number[]> {
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(25);
  for (let i = 0; i < 40 && !readFileSync(file, 'utf8').includes('\n'); i++) await sleep(25);
  return readFileSync(file, 'utf8').trim().split(' ').map(Number);
}

test('SIGTERM to tcv prove kills the prover and its workers', async () => {
  const f = fakeProver();
  try {
    const child = spawn(process.execPath, ['bin/tcv.js', 'prove', f.theory], { env: f.env, stdio: 'ignore' });
    const pids = await pidsOf(f.pids);
    assert.ok(pids.every(alive));
    child.kill('SIGTERM');
    // tcv stops the prover's group, then ends as SIGTERM asks (exit 143 = 128 + 15, or the signal)
    const end = await new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    assert.ok(end.signal === 'SIGTERM' || end.code === 143, JSON.stringify(end));
    for (let i = 0; i < 40 && pids.some(alive); i++) await sleep(25);
    assert.deepEqual(pids.filter(alive), [], 'prover processes left running');
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('tcv prove --timeout 1: the prover group is stopped, exit 4 (inconclusive) in about a second', async () => {
  const f = fakeProver();
  try {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['bin/tcv.js', 'prove', f.theory, '--timeout', '1'], { env: f.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const pids = await pidsOf(f.pids);
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 4, err);
    assert.match(err, /tamarin-prover stopped after 1 s \(--timeout\): inconclusive/);
    assert.ok(performance.now() - t0 < 5000);
    // killed at once; a killed worker is reaped by init a moment later
    for (let i = 0; i < 40 && pids.some(alive); i++) await sleep(25);
    assert.deepEqual(pids.filter(alive), []);
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});
