/**
 * `tcv tztcm serve`'s command line: usage errors are one line and exit 2, a port in use is one
 * line and exit 1, and nothing is left running after either (the s-core is stopped before the
 * command returns). The serving itself is tested in tpm-server.test.ts and tpm2-tools.test.ts.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcv } from '../../cli/harness.ts';
import { tztcmServeCommand } from '../../../cli/commands/tztcm-serve.ts';

test('tcv tztcm lists serve with its flags', async () => {
  // (tcv's main answers any --help with the command's help, so the flags are on this line)
  const r = await tcv('tztcm', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /serve\s+\[--port P\] \[--state DIR\] \[--sync\] \[--raw\]: the TZTCM as a TPM on loopback/);
  assert.match(tztcmServeCommand.help, /--port P[\s\S]*--state DIR[\s\S]*--sync[\s\S]*--raw/);
});

test('usage errors: one line, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tztcm-cli-'));
  const file = join(dir, 'plain-file');
  writeFileSync(file, 'x');
  try {
    for (const [args, msg] of [
      [['--port', 'abc'], /--port wants a whole number.*got 'abc'/],
      [['--port', '65535'], /--port must be 1\.\.65534 \(the platform port is P\+1\), got 65535/],
      [['--port', '0'], /--port must be 1\.\.65534/],
      [['--bogus'], /unknown flag '--bogus'/],
      [['extra'], /unexpected argument 'extra'/],
      [['--state', file], /--state .* exists and is not a directory/],
    ] as const) {
      const r = await tcv('tztcm', 'serve', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, msg);
      assert.equal(r.err.trim().split('\n').length, 1, 'one line, no stack trace');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a port in use: one line naming it, exit 2 (the environment, as the exit-code table says), the s-core stopped', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await tcv('tztcm', 'serve', '--raw', '--port', String(port));
    assert.equal(r.code, 2);
    assert.equal(r.err, `tcv tztcm serve: port ${port} on 127.0.0.1 is already in use`);
  } finally {
    blocker.close();
  }
});
