/**
 * Issue 22 rows 1, 5, 9 and the exit codes of issue 14: arguments out of range are one line and
 * exit 2, output that cannot be written is one line and exit 5, a defect is one line and exit 3,
 * and every command's --help states the codes.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tcv } from './harness.ts';
import { ProtocolRun } from '../../impl/runtime/session.ts';

const BIN = ['bin/tcv.js'];

test('numbers out of range are one line each, exit 2 (no "ambiguous argument", no internal error)', async () => {
  const cases: [string[], RegExp][] = [
    [['verify', 'nspk', '--sessions', '-1'], /--sessions wants a whole number from 1 to 8, got -1$/],
    [['verify', 'nspk', '--timeout', '-5'], /--timeout wants a whole number from 1 to \d+, got -5$/],
    [['run', 'nspk', '--seed', '-3'], /--seed wants a whole number from 0 to 2\^53 - 1, got -3$/],
    [['run', 'key-exchange', '--seed', '99999999999999999999'], /--seed wants a whole number from 0 to 2\^53 - 1/],
    [['verify', 'nspk', '--sessions', '10000'], /--sessions wants a whole number from 1 to 8, got 10000$/],
    [['verify', 'nspk', '--sessions', '1000000000'], /--sessions wants a whole number from 1 to 8/],
    [['attack', 'provisioning', '--variant', 'M3.2', '--sessions', '99999999999999999999'], /--sessions wants a whole number from 1 to 8/],
    [['attack', 'provisioning', '--variant', 'M3.2', '--sessions', '0'], /--sessions wants a whole number from 1 to 8, got 0$/],
    [['attack', 'provisioning', '--variant', 'M3.2', '--timeout', '0'], /--timeout wants a whole number from 1/],
    [['verify', '--all', '--jobs', '-2'], /--jobs wants a whole number from 1 to 256, got -2$/],
  ];
  for (const [args, re] of cases) {
    const r = await tcv(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re, args.join(' '));
    assert.equal(r.err.split('\n').length, 1, `one line for ${args.join(' ')}: ${r.err}`);
  }
});

test('control characters from arguments are escaped in error lines', async () => {
  const r = await tcv('verify', 'nsp\x1b[31mk\nX');
  assert.equal(r.code, 2);
  assert.equal(r.err.split('\n').length, 1);
  assert.doesNotMatch(r.err, /[\x00-\x1f\x7f]/);
  assert.match(r.err, /nsp\\x1b\[31mk\\x0aX/);
  const u = await tcv('\x07frob');
  assert.match(u.err, /unknown command '\\x07frob'/);
});

test('every command --help ends with the exit-code table', async () => {
  const top = await tcv('--help');
  assert.match(top.out, /4: inconclusive/);
  const names = [...top.out.matchAll(/^ {2}(\S+) {2}/gm)].map((m) => m[1]!);
  assert.ok(names.length >= 8, names.join(' '));
  for (const n of names) {
    const r = await tcv(n, '--help');
    assert.equal(r.code, 0, n);
    for (const k of ['0: as expected', '1: a verdict', '2: usage error', '3: internal error', '4: inconclusive', '5: the output could not be written']) assert.ok(r.out.includes(k), `${n} --help: ${k}`);
  }
});

test('verify validates the model first, as run and export do (issue 22 row 4): no verdicts for an ill-formed one', async () => {
  const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
  const nspk = ALL_PROTOCOLS.find((p) => p.name === 'nspk')!;
  // a property naming a claim no machine makes: it used to get a verdict all the same (holds)
  const props = nspk.properties as unknown as object[];
  props.push({ ...nspk.properties[0]!, id: 'NSX', tag: 'no-such-claim' });
  try {
    const r = await tcv('verify', 'nspk', '--property', 'NSX');
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^tcv verify: the model is not well formed:\n {2}- .*no-such-claim/);
    assert.equal(r.out, '');
  } finally {
    props.pop();
  }
});

test('a defect is an internal error: one line, exit 3 — not "the attack did not reproduce" (issue 14 point 8)', async () => {
  const original = ProtocolRun.prototype.deliver;
  ProtocolRun.prototype.deliver = function () {
    throw new TypeError('a bug in the runtime');
  };
  try {
    const r = await tcv('attack', 'provisioning', '--variant', 'M3.2');
    assert.equal(r.code, 3, r.out + r.err);
    assert.equal(r.err, 'tcv attack: internal error: a bug in the runtime');
    process.env['TCV_DEBUG'] = '1';
    const d = await tcv('attack', 'provisioning', '--variant', 'M3.2');
    assert.equal(d.code, 3);
    assert.match(d.err, /\n\s+at /, 'TCV_DEBUG=1 shows the stack');
  } finally {
    delete process.env['TCV_DEBUG'];
    ProtocolRun.prototype.deliver = original;
  }
});

test('stdout on a full device: one line on stderr, exit 5 (not a stack trace and exit 1)', () => {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [...BIN, 'verify', 'nspk', '--property', 'NS2'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 5, r.stderr);
    assert.equal(r.stderr.trim(), 'tcv verify: cannot write to stdout: ENOSPC');
  } finally {
    closeSync(full);
  }
});

test('stderr on a full device: exit 5 even for a usage error', () => {
  const full = openSync('/dev/full', 'w');
  try {
    const r = spawnSync(process.execPath, [...BIN, 'verify', 'nope'], { stdio: ['ignore', 'pipe', full], encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 5);
    assert.equal(r.stdout, '');
  } finally {
    closeSync(full);
  }
});

test('a reader that hangs up (EPIPE): one line on stderr, exit 5', async () => {
  const child = spawn(process.execPath, [...BIN, 'list'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader is gone before tcv writes
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 5, err);
  assert.equal(err.trim(), 'tcv list: cannot write to stdout: EPIPE');
});

test('an fs error with a path is a usage-class line naming it (EACCES, which root never meets, by hand)', async () => {
  const { errorLine } = await import('../../cli/error-line.ts');
  const e = Object.assign(new Error("EACCES: permission denied, open '/srv/x.spthy'"), { code: 'EACCES', path: '/srv/x.spthy', syscall: 'open' });
  assert.deepEqual(errorLine('export', e), { code: 2, lines: ["tcv export: cannot write '/srv/x.spthy': permission denied (EACCES)"] });
  const r = Object.assign(new Error('EISDIR'), { code: 'EISDIR', path: '/srv', syscall: 'read' });
  assert.deepEqual(errorLine('prove', r), { code: 2, lines: ["tcv prove: cannot read '/srv': is a directory (EISDIR)"] });
  // without a path it is no I/O problem of the caller's: a defect
  assert.equal(errorLine('x', Object.assign(new Error('boom'), { code: 'EACCES' })).code, 3);
});
