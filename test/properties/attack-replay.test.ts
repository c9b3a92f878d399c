/**
 * Issue 5 — each attack the explorer finds on a known-bad variant reproduces on the real
 * implementation (the same claims fire with real bytes), and the same schedule against the
 * correct protocol does not produce it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS, protocolByName } from '../../models/protocols/index.ts';
import { replayAttack } from '../../properties/attack-replay.ts';
import { SUITE_IDS, SUITES } from '../../impl/crypto/index.ts';
import { targetOf } from '../../models/target.ts';

// every known-bad variant the models declare (those with `breaks`), each at its own bound
const VARIANTS = PROTOCOLS.flatMap((p) => p.variants.filter((v) => v.breaks.length > 0).map((v) => [p.name, v.id] as const));

test('the models declare known-bad variants, each an M id of the design', () => {
  assert.ok(VARIANTS.length > 0);
  for (const [, id] of VARIANTS) assert.match(id, /^M\d+\.\d+$/);
});

for (const id of SUITE_IDS) for (const [name, variant] of VARIANTS) {
  test(`${name} ${variant}: the symbolic attack reproduces on real crypto (${id} suite), and not on the correct protocol`, () => {
    const r = replayAttack(targetOf(protocolByName(name), variant), { timeoutMs: 60_000, suite: SUITES[id] });
    assert.ok(r.found, `the explorer found no attack (${r.bound})`);
    assert.ok(r.variantRun.reproduced, `${r.variantRun.property} not violated concretely: ${r.variantRun.detail}`);
    assert.ok(!r.correctRun!.reproduced, `the correct protocol was violated too: ${r.correctRun!.detail}`);
    assert.equal(r.variantRun.suite, SUITES[id].name);
    assert.ok(r.variantRun.steps.length > 0 && r.variantRun.steps.every((s) => s.sent.every((m) => m.hex.length === 2 * m.bytes)));
  });
}
