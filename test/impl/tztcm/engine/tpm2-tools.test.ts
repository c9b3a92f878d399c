/**
 * Debian's tpm2-tools (ESAPI over tpm2-tss's swtpm TCTI) against the TZTCM engine through the
 * test-only raw TCP adapter (raw-tpm-server.ts; `tcv tztcm serve` is the product path): the
 * everyday commands of issue 15 part 4 work — getrandom, pcrread/pcrextend, createprimary,
 * create/load/unseal under a PCR policy, quote verified by tpm2_checkquote, sign/verifysignature
 * (ECDSA P-256, RSASSA-2048), nvdefine/nvwrite/nvread — and the unseal is refused once the PCR
 * changed. Skipped, with the reason, when tpm2-tools is not installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { spawnSync } from 'node:child_process';
import { startRawTpmServer, type RawTpmServer } from './raw-tpm-server.ts';

const run = promisify(execFile);
const skip = spawnSync('tpm2_getrandom', ['--version']).status === 0 ? false : 'tpm2-tools not installed (apt-get install tpm2-tools)';

describe('tpm2-tools against the TZTCM engine', { skip, timeout: 120_000 }, () => {
  let server: RawTpmServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const tool = async (cmd: string, ...args: string[]) => {
    try {
      return (await run(cmd, args, { cwd: dir, env })).stdout;
    } finally {
      // without a resource manager the tools leave their objects loaded (as with swtpm)
      await run('tpm2_flushcontext', ['-t'], { cwd: dir, env }).catch(() => {});
    }
  };
  before(async () => {
    server = await startRawTpmServer();
    dir = mkdtempSync(join(tmpdir(), 'tztcm-tools-'));
    env = { ...process.env, TPM2TOOLS_TCTI: `swtpm:host=127.0.0.1,port=${server.port}` };
    await tool('tpm2_startup', '-c');
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('getrandom, pcrread, pcrextend', async () => {
    assert.match(await tool('tpm2_getrandom', '--hex', '16'), /^[0-9a-f]{32}$/);
    await tool('tpm2_pcrextend', `16:sha256=${'00'.repeat(31)}01`);
    const pcrs = await tool('tpm2_pcrread', 'sha256:16');
    // PCR16 = SHA-256(0^32 || 0^31 01)
    assert.match(pcrs, /16: 0x90F4B39548DF55AD6187A1D20D731ECEE78C545B94AFD16F42EF7592D99CD365/);
  });

  it('seal under a PCR policy, unseal; after a PCR_Extend the unseal is refused', async () => {
    await tool('tpm2_createprimary', '-C', 'o', '-c', 'prim.ctx');
    writeFileSync(join(dir, 'secret.dat'), 'the sealed secret');
    await tool('tpm2_pcrread', 'sha256:16', '-o', 'pcr16.bin');
    await tool('tpm2_createpolicy', '--policy-pcr', '-l', 'sha256:16', '-f', 'pcr16.bin', '-L', 'pcr.policy');
    await tool('tpm2_create', '-C', 'prim.ctx', '-u', 'seal.pub', '-r', 'seal.priv', '-L', 'pcr.policy', '-i', 'secret.dat');
    await tool('tpm2_load', '-C', 'prim.ctx', '-u', 'seal.pub', '-r', 'seal.priv', '-c', 'seal.ctx');
    assert.equal(await tool('tpm2_unseal', '-c', 'seal.ctx', '-p', 'pcr:sha256:16'), 'the sealed secret');
    await tool('tpm2_pcrextend', `16:sha256=${'00'.repeat(31)}02`);
    await assert.rejects(tool('tpm2_unseal', '-c', 'seal.ctx', '-p', 'pcr:sha256:16'), /policy|0x99d|0x9d/i);
  });

  it('quote verified by tpm2_checkquote; a wrong nonce is refused by it', async () => {
    await tool('tpm2_create', '-C', 'prim.ctx', '-G', 'ecc:ecdsa-sha256:null', '-u', 'ak.pub', '-r', 'ak.priv', '-a', 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign');
    await tool('tpm2_load', '-C', 'prim.ctx', '-u', 'ak.pub', '-r', 'ak.priv', '-c', 'ak.ctx');
    await tool('tpm2_quote', '-c', 'ak.ctx', '-l', 'sha256:0,16', '-q', 'abcdef', '-m', 'q.msg', '-s', 'q.sig', '-o', 'q.pcrs', '-g', 'sha256');
    await tool('tpm2_readpublic', '-c', 'ak.ctx', '-o', 'ak.pem', '-f', 'pem');
    await tool('tpm2_checkquote', '-u', 'ak.pem', '-m', 'q.msg', '-s', 'q.sig', '-f', 'q.pcrs', '-q', 'abcdef', '-g', 'sha256');
    await assert.rejects(tool('tpm2_checkquote', '-u', 'ak.pem', '-m', 'q.msg', '-s', 'q.sig', '-f', 'q.pcrs', '-q', 'abcd00', '-g', 'sha256'));
  });

  for (const alg of ['ecc', 'rsa']) {
    it(`sign and verifysignature with ${alg === 'ecc' ? 'ECDSA P-256' : 'RSASSA-2048'}; another message does not verify`, async () => {
      await tool('tpm2_create', '-C', 'prim.ctx', '-G', alg, '-u', `${alg}.pub`, '-r', `${alg}.priv`, '-a', 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign');
      await tool('tpm2_load', '-C', 'prim.ctx', '-u', `${alg}.pub`, '-r', `${alg}.priv`, '-c', `${alg}.ctx`);
      writeFileSync(join(dir, 'msg.dat'), 'message to sign');
      writeFileSync(join(dir, 'other.dat'), 'another message');
      await tool('tpm2_sign', '-c', `${alg}.ctx`, '-g', 'sha256', '-o', `${alg}.sig`, 'msg.dat');
      await tool('tpm2_verifysignature', '-c', `${alg}.ctx`, '-g', 'sha256', '-m', 'msg.dat', '-s', `${alg}.sig`);
      await assert.rejects(tool('tpm2_verifysignature', '-c', `${alg}.ctx`, '-g', 'sha256', '-m', 'other.dat', '-s', `${alg}.sig`));
    });
  }

  it('nvdefine, nvwrite, nvread; a read past the end is refused', async () => {
    await tool('tpm2_nvdefine', '0x1500016', '-C', 'o', '-s', '32', '-a', 'ownerread|ownerwrite|authread|authwrite');
    writeFileSync(join(dir, 'nv.dat'), 'nv data 0123456789');
    await tool('tpm2_nvwrite', '0x1500016', '-C', 'o', '-i', 'nv.dat');
    assert.equal(await tool('tpm2_nvread', '0x1500016', '-C', 'o', '-s', '18'), 'nv data 0123456789');
    await assert.rejects(tool('tpm2_nvread', '0x1500016', '-C', 'o', '-s', '8', '--offset', '30'));
  });
});
