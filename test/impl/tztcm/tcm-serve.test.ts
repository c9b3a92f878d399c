/**
 * `tcv tztcm serve --suite tcm`: the TZTCM in TCM mode as a TPM 2.0 on loopback, seen by Debian's
 * tpm2-tools through the mssim TCTI (the whole TDDL → protocol-4 → s-core path): the only curve is
 * TPM_ECC_SM2_P256, the only PCR bank SM3_256, and pcrextend of the SM3 bank gives
 * SM3(old ‖ digest) computed with the tcm suite's SM3; the SHA-256 bank a TPM would have is refused.
 * Skips with a printed reason where tpm2-tools cannot be installed (scripts/install-tpm2-tools.sh).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sm3 } from '../../../impl/crypto/index.ts';
import { freePortPair, root, skipWithoutTools } from './fixtures/tpm2-tools.ts';

const skip = skipWithoutTools;

let server: ChildProcess | undefined;
let tcti = '';
let log = '';

before(async () => {
  if (skip) return;
  const port = await freePortPair();
  tcti = `mssim:host=127.0.0.1,port=${port}`;
  server = spawn(process.execPath, [join(root, 'bin/tcv.js'), 'tztcm', 'serve', '--port', String(port), '--suite', 'tcm'], { env: { ...process.env, TCV_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  for (let i = 0; i < 600 && !log.includes('listening'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.match(log, /TCM mode \(SM2\/SM3\/SM4\)/);
});

after(async () => {
  if (!server) return;
  const exited = new Promise((r) => server!.once('exit', r));
  server.kill('SIGTERM');
  await exited;
});

const tool = (args: string[]) => spawnSync(args[0]!, [...args.slice(1), '-T', tcti], { encoding: 'utf8', timeout: 60_000 });

test('tpm2-tools against the TZTCM in TCM mode: SM2 curve, SM3 bank, SM3 extend; SHA-256 refused', { skip }, () => {
  assert.equal(tool(['tpm2_startup', '-c']).status, 0);
  const curves = tool(['tpm2_getcap', 'ecc-curves']);
  assert.match(curves.stdout, /TPM2_ECC_SM2_P256: 0x20/);
  assert.doesNotMatch(curves.stdout, /NIST_P256/);
  const algs = tool(['tpm2_getcap', 'algorithms']).stdout;
  for (const a of ['sm2:', 'sm3_256:', 'sm4:']) assert.ok(algs.includes(a), a);
  for (const a of ['sha256:', 'aes:', 'rsa:', 'ecdsa:']) assert.ok(!algs.includes(a), a);
  const d = 'ab'.repeat(32);
  assert.equal(tool(['tpm2_pcrextend', `16:sm3_256=${d}`]).status, 0);
  const read = tool(['tpm2_pcrread', 'sm3_256:16']).stdout;
  const want = Buffer.from(sm3(Buffer.concat([Buffer.alloc(32), Buffer.from(d, 'hex')]))).toString('hex').toUpperCase();
  assert.ok(read.includes(`0x${want}`), read);
  // the pair that must fail: a SHA-256 bank does not exist in TCM mode
  assert.notEqual(tool(['tpm2_pcrextend', `16:sha256=${d}`]).status, 0);
});
