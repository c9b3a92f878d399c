/**
 * The one target list and resolver (models/target.ts): every protocol then each of its variants;
 * a request validated once, with one error class naming what exists; the variant applied; the
 * default bound the protocol's own or the explorer's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { UnknownNameError } from '../../models/protocol.ts';
import { DEFAULT_SESSIONS, allTargets, resolveTarget } from '../../models/target.ts';
import { roleOf } from '../../models/role.ts';
import { targetsOf } from '../../proofs-export/corpus.ts';

test('the target list: each protocol, then each of its variants; the exporters use the same list', () => {
  const list = allTargets(ALL_PROTOCOLS);
  assert.equal(list.length, ALL_PROTOCOLS.reduce((n, p) => n + 1 + p.variants.length, 0));
  assert.deepEqual(
    targetsOf(ALL_PROTOCOLS).map((t) => `${t.protocol.name} ${t.variant ?? ''}`),
    list.map((t) => `${t.protocol.name} ${t.variant ?? ''}`),
  );
});

test('resolveTarget applies the variant once and fixes the bound', () => {
  for (const { protocol, variant } of allTargets(ALL_PROTOCOLS)) {
    const t = resolveTarget(ALL_PROTOCOLS, protocol.name, variant);
    assert.equal(t.base, protocol);
    assert.equal(t.variant?.id, variant);
    assert.equal(t.sessions, protocol.bound?.sessions ?? DEFAULT_SESSIONS);
    // a variant edits the machines, or only adds properties (the any-peer readings)
    if (variant !== undefined && !t.variant?.properties?.length)
      assert.notEqual(JSON.stringify(t.protocol.roles.map((r) => roleOf(r.machine).transitions)), JSON.stringify(protocol.roles.map((r) => roleOf(r.machine).transitions)));
  }
  assert.equal(resolveTarget(ALL_PROTOCOLS, 'nspk', undefined, 1).sessions, 1);
});

test('one error class for a name that does not exist, naming what does', () => {
  assert.throws(() => resolveTarget(ALL_PROTOCOLS, 'nope'), (e) => e instanceof UnknownNameError && e.message.includes('attestation'));
  assert.throws(() => resolveTarget(ALL_PROTOCOLS, 'attestation', 'M9.9'), (e) => e instanceof UnknownNameError && e.message.includes('M1.1'));
  assert.throws(() => resolveTarget(ALL_PROTOCOLS, 'attestation', undefined, 0), RangeError);
});
