/**
 * Protocols from the user's own files (cli/protocol-files.ts, tcv init): in a directory outside
 * the checkout, the starter verifies as declared, the same file with its check removed shows the
 * attack and exits 1, it runs with real crypto, and every kind of broken file is refused in one
 * line naming the file. One test goes through the bin (which must run the sources for a file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tcv } from './harness.ts';

const bin = fileURLToPath(new URL('../../bin/tcv.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tcv-user-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

test('tcv init writes a starter that verifies as declared (base and variant)', async () => {
  const dir = join(work, 'demo');
  const init = await tcv('init', dir);
  assert.equal(init.code, 0, init.err);
  const r = await tcv('verify', dir, '--json');
  assert.equal(r.code, 0, r.err + r.out);
  const reports = JSON.parse(r.out) as { variant: string | null; properties: { verdict: string; expected: string }[] }[];
  assert.deepEqual(reports.map((x) => [x.variant, x.properties.map((p) => p.verdict)]), [[null, ['holds']], ['M1', ['attack']]]);
  const again = await tcv('init', dir);
  assert.equal(again.code, 2, 'init never overwrites');
  assert.match(again.err, /already exist/);
});

test('the starter with its check removed: the attack is shown and the exit is 1', async () => {
  const dir = join(work, 'broken');
  await tcv('init', dir);
  const file = join(dir, 'protocol.ts');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^\s*check\('signature of R'.*$/m, ''));
  const r = await tcv('verify', dir);
  assert.equal(r.code, 1);
  assert.match(r.out, /attack on A1/);
  assert.match(r.out, /violates A1/);
  assert.match(r.err, /M1: dropCheck: no check 'signature of R'/, 'the variant whose edit no longer applies is named');
});

test('a protocol file runs with real crypto, and the built-in classic corpus runs too', async () => {
  const dir = join(work, 'run');
  await tcv('init', dir);
  const r = await tcv('run', join(dir, 'protocol.ts'), '--json');
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out).ok, true);
  const n = await tcv('run', 'nspk');
  assert.equal(n.code, 0, n.err);
});

test('broken files are refused in one line naming the file (exit 2)', async () => {
  const dir = join(work, 'bad');
  mkdirSync(dir);
  const cases: [string, string, RegExp][] = [
    ['syntax.ts', 'export const x = ;', /syntax\.ts: does not load/],
    ['throws.ts', "throw new Error('boom at load');", /throws\.ts: does not load: boom at load/],
    ['empty.ts', 'export const notAProtocol = 42;', /empty\.ts: exports no protocol/],
  ];
  for (const [name, text, want] of cases) {
    writeFileSync(join(dir, name), text);
    const r = await tcv('verify', join(dir, name));
    assert.equal(r.code, 2, `${name}: ${r.err}`);
    assert.match(r.err, want);
    assert.equal(r.err.split('\n').length, 1, `${name}: one line, got ${r.err}`);
  }
  const missing = await tcv('verify', join(dir, 'nope.ts'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no such file/);
});

test('an ill-formed protocol from a file is refused with the problem named, not verified', async () => {
  const dir = join(work, 'unbound');
  await tcv('init', dir);
  const file = join(dir, 'protocol.ts');
  // the responder signs a variable nobody bound
  writeFileSync(file, readFileSync(file, 'utf8').replace("send('I', 'msg2', sign(tup(AUTH, peer, nI), sk))", "send('I', 'msg2', sign(tup(AUTH, peer, v('oops', 'nonce')), sk))"));
  const r = await tcv('verify', file);
  assert.equal(r.code, 2, r.out);
  assert.match(r.err, /not well formed/);
  assert.match(r.err, /oops/);
});

test('through the bin, from outside the checkout: the file imports the package by name', () => {
  const dir = join(work, 'bin');
  assert.equal(spawnSync(process.execPath, [bin, 'init', dir], { cwd: work }).status, 0);
  assert.match(readFileSync(join(dir, 'protocol.ts'), 'utf8'), /from 'tee-tpm-channel-verifier'/);
  const r = spawnSync(process.execPath, [bin, 'verify', 'bin'], { cwd: work, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /all 2 verdicts as expected/);
});

test('a slip in a name gets a suggestion; a tie or a far name gets none; --version answers', async () => {
  const cmd = await tcv('verfy', 'nspk');
  assert.match(cmd.err, /did you mean 'verify'\?/);
  assert.match((await tcv('verify', 'nspkk')).err, /did you mean 'nspk'\?/);
  assert.doesNotMatch((await tcv('verify', 'nspk', '--property', 'NS9')).err, /did you mean/);
  assert.doesNotMatch((await tcv('verify', 'zzzzzz')).err, /did you mean/);
  const v = await tcv('--version');
  assert.equal(v.code, 0);
  assert.match(v.out, /^tcv \d+\.\d+\.\d+$/);
});

test('list, export and attack take a protocol file too', async () => {
  const dir = join(work, 'more');
  await tcv('init', dir);
  const file = join(dir, 'protocol.ts');
  const l = await tcv('list', dir, '--json');
  assert.equal(l.code, 0, l.err);
  assert.deepEqual((JSON.parse(l.out) as { name: string }[]).map((x) => x.name), ['challenge-response']);
  const e = await tcv('export', file, '--tamarin', join(dir, 'cr.spthy'), '--proverif', join(dir, 'cr.pv'));
  assert.equal(e.code, 0, e.err);
  assert.match(readFileSync(join(dir, 'cr.spthy'), 'utf8'), /theory challenge_response/);
  const a = await tcv('attack', file, '--variant', 'M1', '--json');
  assert.equal(a.code, 0, a.err + a.out);
});
