/**
 * Issue 16 items 6–7: the boot measurements in the TZTCM engine's PCRs, with an event log, and
 * `tcv run attestation --tpm tztcm` checking that boot state against the verifier's reference
 * values. Each tampered boot is paired with the honest one that passes.
 * @module
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { protocolByName } from '../../../../models/protocols/index.ts';
import { runWithSwtpm } from '../../../../impl/tpm2-bridge/run.ts';
import { openTztcmBackend } from '../../../../impl/tztcm/backend.ts';
import { extendedPcr, referenceBootPcr0 } from '../../../../impl/tztcm/boot/reference-values.ts';
import { createTztcmEngine } from '../../../../impl/tztcm/engine/tztcm-engine.ts';
import { measuredHost } from '../../../../impl/tztcm/measured-host.ts';
import { loadKernelText } from '../../../../impl/tztcm/monitor/kernel-text.ts';
import { textDigest } from '../../../../impl/tztcm/monitor/measurement.ts';
import { measuredEngine } from '../../../../impl/tztcm/score/measured-engine.ts';
import { TpmSessionClient } from '../../../../impl/tpm2/session-client.ts';
import { EngineTransport } from '../../../../impl/tztcm/backend.ts';
import { TPM_ALG } from '../../../../impl/tpm2/spec-constants.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sel = (...pcrs: number[]) => [{ hashAlg: TPM_ALG.SHA256, pcrs }];

describe('measured boot into the engine', () => {
  it('the log is extended once, at the Startup(CLEAR) that succeeds; never before it', async () => {
    const d = new Uint8Array(32).fill(7);
    const engine = measuredEngine(createTztcmEngine(), () => [{ pcr: 0, eventType: 1, alg: 'sha256', digest: hex(d), event: 'x' }]);
    const client = new TpmSessionClient(new EngineTransport(engine));
    assert.equal(engine.extended.length, 0);
    assert.equal(await client.startup(), true);
    assert.equal(await client.startup(), false, 'a second Startup is TPM_RC_INITIALIZE');
    assert.deepEqual(engine.extended.map((e) => e.rc), [0], 'extended once');
    assert.equal(hex((await client.pcrRead(sel(0))).values[0]!), hex(extendedPcr([d])));
  });

  it('a service boot: PCR 0 is the reference of the BootROM → GRU → secure-OS chain, PCR 4 the host kernel', async () => {
    const kernel = loadKernelText(64 * 4096);
    const host = measuredHost(undefined, kernel);
    const b = await openTztcmBackend({ host });
    try {
      assert.deepEqual(b.eventLog.map((e) => [e.pcr, e.event.split(' ')[0]]), [[0, 'gru'], [0, 'secure-os'], [4, 'kernel'], [10, 'host']]);
      const r = await b.client.pcrRead(sel(0, 4));
      assert.equal(hex(r.values[0]!), hex(referenceBootPcr0()));
      assert.equal(hex(r.values[1]!), hex(extendedPcr([textDigest(kernel.bytes)])));
    } finally {
      await b.close();
    }
    // a rolled-back secure OS (signed, so it boots) gives another PCR 0
    const t = await openTztcmBackend({ tamper: 'os-rollback' });
    try {
      assert.notEqual(hex((await t.client.pcrRead(sel(0))).values[0]!), hex(referenceBootPcr0()));
      assert.match(t.eventLog[1]!.event, /secure-os image v0/);
    } finally {
      await t.close();
    }
  });
});

describe('tcv run attestation --tpm tztcm checks the boot', () => {
  const attestation = protocolByName('attestation');

  it('an honest boot: the quote covers the boot PCRs, the log replays to it, every event is the reference value', async () => {
    const r = await runWithSwtpm(attestation, { backend: 'tztcm', seed: 3 });
    const a = r.tpm.attestation!;
    assert.equal(a.pcrSelection, 'sha256:0,4,7,10,16');
    assert.equal(a.measuredBoot?.logMatchesQuote, true);
    assert.deepEqual(a.measuredBoot?.problems, []);
    assert.equal(a.quote?.quoteState, a.pcrReference, "the quote is the TTP's reference state");
    assert.ok(r.checks.find((c) => c.id === 'TTP-boot')?.ok);
    assert.ok(r.ok);
  });

  for (const [tamper, why] of [
    ['os-rollback', /PCR 0 event 2 'secure-os image v0': digest \w+… is not the reference/],
    ['kernel', /PCR 4 event 1 'kernel code .*is not the reference/],
    ['event-log', /the event log does not replay to the quoted PCR digest/],
  ] as const) {
    it(`--tamper ${tamper}: the boot completes, the TTP machine refuses the quote, the check names why`, async () => {
      const r = await runWithSwtpm(attestation, { backend: 'tztcm', seed: 3, tamper });
      assert.equal(r.ok, false);
      assert.equal(r.tpm.failure, null, 'the TPM did its part');
      assert.equal(r.checks.find((c) => c.id === 'TTP-quote')?.ok, false);
      const boot = r.checks.find((c) => c.id === 'TTP-boot')!;
      assert.equal(boot.ok, false);
      assert.match(boot.detail, why);
    });
  }

  it('--tamper os-image: the verified boot stops, the run fails naming the step', async () => {
    const r = await runWithSwtpm(attestation, { backend: 'tztcm', tamper: 'os-image' });
    assert.equal(r.ok, false);
    assert.equal(r.tpm.failure?.kind, 'boot');
    assert.match(r.tpm.failure!.message, /verify secure-OS image: secure-os image signature does not verify/);
  });
});
