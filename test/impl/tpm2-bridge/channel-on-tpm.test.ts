/**
 * The channel against a real TPM 2.0 (impl/tpm2-bridge/channel-on-tpm.ts), once per backend
 * (swtpm, the TZTCM's engine): records are real TPM2_NV_Write / NV_Read commands with parameter
 * encryption, the data read back equals the data sent; a byte changed in a TPM response on the
 * wire ends the stream with one line.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../impl/crypto/index.ts';
import { pipeThroughChannel } from '../../../impl/runtime/channel-pipe.ts';
import { ChannelError } from '../../../impl/runtime/channel-stream.ts';
import { openTpmChannel } from '../../../impl/tpm2-bridge/channel-on-tpm.ts';
import { TPM_CC } from '../../../impl/tpm2/index.ts';
import { commandCodeOf, flipByte, INTEROP_BACKENDS } from '../tpm2/swtpm-fixture.ts';

for (const b of INTEROP_BACKENDS)
  describe(`channel over ${b.name}`, { timeout: 120_000 }, () => {
    it('3 000 bytes in records of the TPM NV buffer, 2 records per session: read back equal', { skip: b.skip }, async () => {
      const tpm = await openTpmChannel({ backend: b.name, seed: 11 });
      try {
        assert.ok(tpm.recordBytes >= 512, `TPM_PT_NV_BUFFER_MAX ${tpm.recordBytes}`);
        const data = seededRandom(11).bytes(3000);
        const r = await pipeThroughChannel({ recordBytes: tpm.recordBytes, recordsPerSession: 2, runSession: tpm.runSession }, data);
        assert.equal(r.equal, true);
        const records = Math.ceil(3000 / tpm.recordBytes);
        assert.equal(r.summary.records, records);
        // every record one NV_Write and one NV_Read on the TPM
        assert.ok(r.summary.tpmCommands >= 2 * records, `${r.summary.tpmCommands} TPM commands`);
      } finally {
        await tpm.close();
      }
    });

    it('a byte changed in an NV_Read response on the wire: one line, the stream ends', { skip: b.skip }, async () => {
      const rewriteResponse = (cmd: Uint8Array, rsp: Uint8Array) => (commandCodeOf(cmd) === TPM_CC.NV_Read ? flipByte(rsp, 20) : rsp);
      const tpm = await openTpmChannel({ backend: b.name, seed: 12, rewriteResponse });
      try {
        await assert.rejects(pipeThroughChannel({ recordBytes: tpm.recordBytes, recordsPerSession: 2, runSession: tpm.runSession }, seededRandom(12).bytes(100)), (e: unknown) => {
          assert.ok(e instanceof ChannelError);
          assert.ok(!e.message.includes('\n'));
          assert.match(e.message, /NV_Read/);
          return true;
        });
      } finally {
        await tpm.close();
      }
    });
  });
