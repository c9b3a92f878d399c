/**
 * Replaying an attack on a property that a variant adds (`VariantDecl.properties`): the correct
 * protocol is compared only when the variant is declared to break the property; a variant that
 * only adds a property (nspk `any-peer`: NS6 is an attack on NSPK itself) is replayed like the
 * protocol as it is. Before, the correct protocol was judged without the added property and the
 * replay threw (`tcv report` exited 3 on nspk:any-peer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { expectedVerdict } from '../../models/protocol.ts';
import { targetOf } from '../../models/target.ts';
import { replayAttack } from '../../properties/attack-replay.ts';

// every (protocol, variant, added property) the models declare an attack on
const ADDED_ATTACKS = ALL_PROTOCOLS.flatMap((p) =>
  p.variants.flatMap((v) => (v.properties ?? []).filter((x) => expectedVerdict(p, x.id, v) === 'attack').map((x) => [p, v, x.id] as const)),
);

test('the models declare attacks on properties that variants add', () => {
  assert.ok(ADDED_ATTACKS.some(([, v, id]) => !v.breaks.includes(id)), 'a variant that only adds a property with an expected attack');
  assert.ok(ADDED_ATTACKS.some(([, v, id]) => v.breaks.includes(id)), 'a variant that breaks the property it adds');
});

for (const [p, v, id] of ADDED_ATTACKS) {
  test(`${p.name} ${v.id}: the attack on the added ${id} replays; the correct protocol is compared only if the variant breaks it`, () => {
    const r = replayAttack(targetOf(p, v.id), { property: id, timeoutMs: 120_000 });
    assert.ok(r.found, `no attack found (${r.bound})`);
    assert.ok(r.variantRun.reproduced, r.variantRun.detail);
    if (v.breaks.includes(id)) {
      assert.ok(r.correctRun, 'compared with the correct protocol');
      assert.ok(!r.correctRun.reproduced, `the correct protocol was violated too: ${r.correctRun.detail}`);
    } else assert.equal(r.correctRun, null, 'an attack on the protocol itself has no correct version to compare with');
  });
}
