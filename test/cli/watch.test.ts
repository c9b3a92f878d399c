/**
 * `tcv verify FILE --watch` through the bin, as a user runs it: the first verdicts, then an edit
 * of a module the protocol file imports changes the printed verdict, a save with a syntax error
 * prints one line and the watch goes on, the fixed file recovers, and Ctrl-C ends the process
 * with 130 and nothing left running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tcv } from './harness.ts';

const bin = fileURLToPath(new URL('../../bin/tcv.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tcv-watch-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

const CHECK_LINE = /^\s*check\('signature of R'.*$/m;

test('verify --watch: an imported module edited, a syntax error, a fix, then Ctrl-C (130)', { timeout: 60_000 }, async () => {
  const dir = join(work, 'demo');
  assert.equal((await tcv('init', dir)).code, 0);
  // the initiator's check moves to a module of its own, which the protocol file imports
  const file = join(dir, 'protocol.ts');
  const starter = readFileSync(file, 'utf8');
  const checkLine = CHECK_LINE.exec(starter)![0].trim().replace(/,$/, '');
  const checks = join(dir, 'checks.ts');
  const withCheck = `import { check, verify, tup, v, c, agent, TRUE } from 'tee-tpm-channel-verifier';\nexport const checks = [${checkLine.replace(/\bAUTH\b/, "c('auth')").replace(/\bself\b/, "agent('self')").replace(/\bnI\b/, "v('nI', 'nonce')").replace(/\bpkPeer\b/, "v('pkPeer', 'point')").replace(/\bsig\b(?=,)/, "v('sig', 'sig')")}];\n`;
  writeFileSync(checks, withCheck);
  const imported = starter.replace(CHECK_LINE, '        ...checks,').replace(/^(import .*from 'tee-tpm-channel-verifier';)$/m, "$1\nimport { checks } from './checks.ts';");
  writeFileSync(file, imported);

  const child = spawn(process.execPath, [bin, 'verify', file, '--watch'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const until = async (re: RegExp, what: string) => {
    const t0 = Date.now();
    while (!re.test(out)) {
      if (Date.now() - t0 > 20_000) assert.fail(`no ${what} within 20 s; output:\n${out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await until(/\[watch\] .*2 verdicts, all as expected/, 'first round');
    assert.match(out, /challenge-response\s+-\s+A1\s+holds\s+holds/);

    // the check removed from the imported module: A1 is attacked, with the trace
    writeFileSync(checks, withCheck.replace(/\[.*\]/s, '[]'));
    await until(/A1: holds → attack/, 'changed verdict after editing the imported module');
    await until(/violates A1/, 'the attack trace');

    // a syntax error: one line, and the watch goes on
    const before = out.length;
    writeFileSync(file, imported + '\nexport const broken = ;\n');
    await until(/does not load/, 'the syntax error');
    await new Promise((r) => setTimeout(r, 300));
    const errLines = out.slice(before).split('\n').filter((l) => l.trim());
    assert.equal(errLines.length, 1, `one line for the syntax error, got:\n${errLines.join('\n')}`);
    assert.match(errLines[0]!, /protocol\.ts: does not load: line \d+:\d+: /);

    // fixed, and the check back: the verdicts recover
    writeFileSync(checks, withCheck);
    writeFileSync(file, imported);
    await until(/A1: attack → holds/, 'recovered verdict');
    const last = out.slice(out.lastIndexOf('[watch] '));
    assert.match(last, /2 verdicts, all as expected/);
  } finally {
    child.kill('SIGINT');
  }
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('still running'), 10_000)))]);
  clearTimeout(timer);
  if (code === 'still running') child.kill('SIGKILL');
  assert.equal(code, 130, `Ctrl-C exits 130; output:\n${out}`);
  assert.match(out, /\[watch\] stopped/);
});

test('verify --watch refuses what it cannot watch, in one line (exit 2)', async () => {
  for (const [args, want] of [
    [['verify', 'nspk', '--watch'], /built-in protocol/],
    [['verify', join(work, 'nope.ts'), '--watch'], /no such file/],
    [['verify', '--all', '--watch'], /--watch wants one protocol file/],
    [['verify', join(work, 'demo'), '--watch', '--json'], /does not go with --json/],
  ] as const) {
    const r = await tcv(...args);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, want);
    assert.equal(r.err.split('\n').length, 1);
  }
});

test('attack --watch (in this process): no attack, then the flaw replayed after a save, a broken save is one line, abort → 130', { timeout: 60_000 }, async () => {
  const { attackWatch } = await import('../../cli/commands/attack-watch.ts');
  const { SUITES } = await import('../../impl/crypto/index.ts');
  const dir = join(work, 'attack');
  assert.equal((await tcv('init', dir)).code, 0);
  const file = join(dir, 'protocol.ts');
  const starter = readFileSync(file, 'utf8');
  const lines: string[] = [];
  const stop = new AbortController();
  const done = attackWatch({ out: (l) => lines.push(l), err: (l) => lines.push(l), isTTY: false }, { path: file, seed: 1, suite: Object.values(SUITES)[0]!, timeoutMs: 30_000, signal: stop.signal });
  const until = async (re: RegExp, what: string) => {
    const t0 = Date.now();
    while (!lines.some((l) => re.test(l))) {
      if (Date.now() - t0 > 20_000) assert.fail(`no ${what} within 20 s:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until(/challenge-response: no attack within the bound/, 'first round');
  writeFileSync(file, starter.replace(CHECK_LINE, ''));
  await until(/attack on A1: VIOLATED with real crypto — a flaw/, 'the attack after the save');
  const before = lines.length;
  writeFileSync(file, starter + '\nexport const broken = ;\n');
  await until(/does not load/, 'the syntax error');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(lines.length - before, 1, lines.slice(before).join('\n'));
  writeFileSync(file, starter);
  const t0 = Date.now();
  while (lines.filter((l) => /no attack within the bound/.test(l)).length < 2 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
  assert.equal(lines.filter((l) => /no attack within the bound/.test(l)).length, 2, `recovered:\n${lines.join('\n')}`);
  stop.abort();
  assert.equal(await done, 130);
});
