/**
 * Flipping any byte of any delivered message of an honest run stops the run with a typed
 * failure: a party ends in `failed`, saying which step failed and why; nobody completes.
 * (A flipped byte in a field the receiver cannot check by itself — a nonce in a challenge — is
 * caught by the party that later checks a signature or MAC over it.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { suiteId } from '../../support/arbitraries.ts';
import { PROTOCOLS } from '../../../models/protocols/index.ts';
import { ProtocolRun } from '../../../impl/runtime/session.ts';
import type { FailureCode } from '../../../models/role.ts';
import { SUITE_IDS, SUITES, type SuiteId } from '../../../impl/crypto/index.ts';

const CODES: readonly string[] = ['decode', 'type', 'mismatch', 'check', 'destructor', 'crypto', 'unexpected'] satisfies FailureCode[];
const SEED = 11;

/** Run honestly, flipping byte `pos` of the `index`-th message delivered to a party. */
function tamperedRun(pi: number, index: number, pos: number, mask: number, suite: SuiteId = 'tpm2') {
  const run = new ProtocolRun(PROTOCOLS[pi]!, { seed: SEED, suite: SUITES[suite] });
  run.start();
  let n = 0;
  let flipped: { label: string; to: string } | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const next = run.network.pending()[0];
    if (!next) break;
    if (n === index && !flipped) {
      const b = Uint8Array.from(next.bytes);
      b[pos % b.length]! ^= mask;
      const env = run.network.replace(next.id, b);
      flipped = { label: env.label, to: env.to };
      run.deliver(env.id);
    } else run.deliver(next.id);
    n++;
  }
  return { run, flipped };
}

/** Number of messages delivered to parties in the honest run of each protocol. */
const deliveredCounts = PROTOCOLS.map((p) => {
  const run = new ProtocolRun(p, { seed: SEED });
  run.start();
  run.runHonest();
  return run.network.log.filter((e) => e.kind === 'delivered').length - run.sinks.length;
});

test('a flipped byte in any delivered message ends the run in a typed failure (both crypto suites)', () => {
  const arb = fc
    .integer({ min: 0, max: PROTOCOLS.length - 1 })
    .chain((pi) => fc.tuple(fc.constant(pi), fc.integer({ min: 0, max: deliveredCounts[pi]! - 1 }), fc.nat({ max: 400 }), fc.integer({ min: 1, max: 255 }), suiteId));
  fc.assert(
    fc.property(arb, ([pi, index, pos, mask, suite]) => {
      const { run, flipped } = tamperedRun(pi, index, pos, mask, suite);
      assert.ok(flipped, 'the message to flip was never sent');
      const states = run.partyStates();
      const failed = states.filter((s) => s.state === 'failed');
      assert.ok(failed.length > 0, `${PROTOCOLS[pi]!.name}: flipping ${flipped.label} byte ${pos} went unnoticed`);
      for (const f of failed) {
        assert.ok(f.failure && CODES.includes(f.failure.code), `untyped failure: ${JSON.stringify(f.failure)}`);
        assert.ok(f.failure.label.length > 0 && f.failure.message.length > 0);
      }
      assert.ok(!states.every((s) => s.done), 'every party completed despite the flip');
      run.stop();
    }),
    { seed: Number(process.env['FC_SEED'] ?? 20261123), numRuns: Number(process.env['FC_RUNS'] ?? 400) },
  );
});

test('the receiver itself rejects a flip in the message structure (type tag of the first value)', () => {
  for (let pi = 0; pi < PROTOCOLS.length; pi++) {
    for (let i = 0; i < deliveredCounts[pi]!; i++) {
      const { run, flipped } = tamperedRun(pi, i, 0, 0xff);
      const receiver = run.partyStates().find((s) => s.role === flipped!.to)!;
      assert.equal(receiver.state, 'failed', `${PROTOCOLS[pi]!.name} message ${i} (${flipped!.label})`);
      assert.equal(receiver.failure!.code, 'decode');
      run.stop();
    }
  }
});

test('paired with the above: with the Unseal response HMAC check skipped (M3.2), a flipped MAC byte goes unnoticed', async () => {
  const { applyVariant } = await import('../../../models/protocol.ts');
  const { protocolByName } = await import('../../../models/protocols/index.ts');
  const weak = applyVariant(protocolByName('provisioning'), 'M3.2').protocol;
  const run = new ProtocolRun(weak, { seed: SEED });
  run.start();
  for (let g = 0; g < 100; g++) {
    const next = run.network.pending()[0];
    if (!next) break;
    if (next.label === 'UnsealResponse') {
      const b = Uint8Array.from(next.bytes);
      b[b.length - 1]! ^= 1; // the last byte of the response HMAC
      run.deliver(run.network.replace(next.id, b).id);
    } else run.deliver(next.id);
  }
  assert.ok(run.partyStates().every((s) => s.done), 'the weakened TEE should accept the altered response');
  run.stop();
});
