/**
 * `tcv run channel --stream SIZE`: the data read back equals the data sent (our TPM machine and,
 * per backend, a real TPM); bad sizes and combinations are usage errors (exit 2, one line).
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCommand } from '../../cli/commands/run.ts';
import { streamSize } from '../../cli/commands/run-stream.ts';
import { UsageError } from '../../cli/command.ts';
import { INTEROP_BACKENDS } from '../impl/tpm2/swtpm-fixture.ts';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand.run(args, { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false }).catch((e: unknown) => {
    if (e instanceof UsageError) {
      err.push(e.message);
      return 2;
    }
    throw e;
  });
  return { code, out: out.join('\n'), err };
}

test('tcv run key-exchange --stream 8KiB --json: read back equal to what was sent, exit 0', async () => {
  const r = await run(['key-exchange', '--stream', '8KiB', '--seed', '3', '--json']);
  assert.equal(r.code, 0, r.err.join('\n'));
  const j = JSON.parse(r.out) as { equal: boolean; bytes: number; bytesRead: number; sentSha256: string; readSha256: string };
  assert.equal(j.bytes, 8192);
  assert.equal(j.bytesRead, 8192);
  assert.equal(j.equal, true);
  assert.equal(j.readSha256, j.sentSha256);
});

for (const b of INTEROP_BACKENDS)
  test(`tcv run channel --stream 4KiB --tpm ${b.name} --json: read back equal`, { skip: b.skip }, async () => {
    const r = await run(['channel', '--stream', '4KiB', '--tpm', b.name, '--json']);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal((JSON.parse(r.out) as { equal: boolean }).equal, true);
  });

test('sizes: 4096, 64KiB, 1MiB, 1MB; 0, 65MiB, 1GB, 1 parsec are usage errors', () => {
  assert.equal(streamSize('4096'), 4096);
  assert.equal(streamSize('64KiB'), 65536);
  assert.equal(streamSize('1MiB'), 1 << 20);
  assert.equal(streamSize('1MB'), 1e6);
  for (const bad of ['0', '65MiB', '1GB', '1 parsec', '-1', '']) assert.throws(() => streamSize(bad), UsageError, bad);
});

test('--stream on a protocol other than channel / key-exchange, or with --variant: exit 2, one line', async () => {
  for (const args of [
    ['nspk', '--stream', '1KiB'],
    ['channel', '--stream', '1KiB', '--variant', 'M6.1'],
    ['channel', '--records-per-session', '4'],
    ['channel', '--stream', '1KiB', '--records-per-session', '0'],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.err.length, 1);
    assert.ok(!r.err[0]!.includes('\n'));
  }
});
