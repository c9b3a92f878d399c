/**
 * The design's TPM protocols with the tcm suite against the TZTCM in TCM mode (issue 18 item 4),
 * through the same endpoint seam as swtpm (impl/tpm2-bridge TSS endpoint, impl/tztcm/backend.ts):
 * the TEE computes with SM2/SM3/SM4, the TZTCM answers with TPM_ALG_SM2 / SM3_256 / SM4.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tcmSm2 } from '../../../impl/crypto/index.ts';
import { runWithSwtpm } from '../../../impl/tpm2-bridge/run.ts';
import { protocolByName } from '../../../models/protocols/index.ts';
import { main } from '../../../cli/main.ts';

describe('tcv run --suite tcm --tpm tztcm', () => {
  for (const name of ['key-exchange', 'provisioning', 'attestation']) {
    it(`${name}: completes on the TCM suite in TCM mode, every secret equal`, async () => {
      const r = await runWithSwtpm(protocolByName(name), { backend: 'tztcm', suite: tcmSm2, seed: 18 });
      assert.equal(r.tpm.failure, null, JSON.stringify(r.tpm.failure));
      assert.ok(r.ok);
      assert.equal(r.suite, tcmSm2.name);
      for (const s of r.secrets) assert.ok(s.equal, `${s.tag} equal`);
      if (name === 'key-exchange') assert.ok(r.secrets.length > 0 && r.tpm.responseHmacsVerified === true);
      if (name === 'provisioning') assert.ok(r.tpm.secret?.equal);
      if (name === 'attestation') assert.match(r.tpm.attestation!.pcrSelection, /^sm3_256:/);
    });
  }

  it('the TCM suite against the TZTCM in TPM mode does not run, and swtpm is refused at the command line', async () => {
    // a TEE on the tcm suite with a TPM-mode TZTCM: the SM3 session / SM2 key requests are refused
    const { runOnRealTpm } = await import('../../../impl/tpm2-bridge/run.ts');
    const { openTztcmBackend } = await import('../../../impl/tztcm/backend.ts');
    const b = await openTztcmBackend({ path: 'direct' });
    try {
      const r = await runOnRealTpm(protocolByName('key-exchange'), b.client.transport, { suite: tcmSm2, device: 'tztcm', backendName: 'tztcm (TPM mode)' });
      assert.equal(r.ok, false);
      assert.match(r.tpm.failure?.rc ?? '', /TPM_RC_HASH/);
    } finally {
      await b.close();
    }
    const err: string[] = [];
    const code = await main(['run', 'key-exchange', '--suite', 'tcm', '--tpm', 'swtpm'], { out: () => {}, err: (l: string) => void err.push(l), isTTY: false });
    assert.equal(code, 2);
    assert.match(err.join('\n'), /swtpm has no SM3\/SM4/);
  });
});
