/**
 * The one target list and resolver (models/target.ts): every protocol then each of its variants;
 * a request validated once, with one error class naming what exists; the variant applied; the
 * default bound the protocol's own or the explorer's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { UnknownNameError } from '../../models/protocol.ts';
import { BoundError, DEFAULT_SESSIONS, MAX_SESSIONS, allTargets, atSessions, resolveTarget, targetName, targetRequest } from '../../models/target.ts';
import { roleOf } from '../../models/role.ts';
import { targetsOf } from '../../proofs-export/corpus.ts';

test('the target list: each protocol, then each of its variants; the exporters use the same list', () => {
  const list = allTargets(ALL_PROTOCOLS);
  assert.equal(list.length, ALL_PROTOCOLS.reduce((n, p) => n + 1 + p.variants.length, 0));
  assert.deepEqual(
    targetsOf(ALL_PROTOCOLS).map((t) => `${t.base.name} ${t.variant?.id ?? ''}`),
    list.map((t) => `${t.protocol.name} ${t.variant ?? ''}`),
  );
});

test('resolveTarget applies the variant once and fixes the bound', () => {
  for (const { protocol, variant } of allTargets(ALL_PROTOCOLS)) {
    const t = resolveTarget(ALL_PROTOCOLS, protocol.name, variant);
    assert.equal(t.base, protocol);
    assert.equal(t.variant?.id, variant);
    assert.equal(t.bound.sessions, protocol.bound?.sessions ?? DEFAULT_SESSIONS);
    assert.equal(t.bound.chosen, false);
    // a variant edits the machines, or only adds properties (the any-peer readings)
    if (variant !== undefined && !t.variant?.properties?.length)
      assert.notEqual(JSON.stringify(t.protocol.roles.map((r) => roleOf(r.machine).transitions)), JSON.stringify(protocol.roles.map((r) => roleOf(r.machine).transitions)));
  }
  const one = resolveTarget(ALL_PROTOCOLS, 'nspk', undefined, { sessions: 1 });
  assert.deepEqual(one.bound, { sessions: 1, chosen: true });
  assert.deepEqual(resolveTarget(ALL_PROTOCOLS, 'nspk', undefined, { runs: 3 }).bound, { sessions: DEFAULT_SESSIONS, runs: 3, chosen: true });
});

test('a target crosses to a worker as the request it was resolved from, and resolves there to the same', () => {
  for (const variant of [undefined, 'M2.2'])
    for (const bound of [undefined, { sessions: 1 }, { runs: 2 }]) {
      const t = resolveTarget(ALL_PROTOCOLS, 'key-exchange', variant, bound);
      const r = targetRequest(t);
      assert.deepEqual(JSON.parse(JSON.stringify(r)), { protocol: 'key-exchange', ...(variant ? { variant } : {}), ...(bound ? { bound } : {}) });
      const again = resolveTarget(ALL_PROTOCOLS, r.protocol, r.variant, r.bound);
      assert.deepEqual([again.bound, again.variant], [t.bound, t.variant]);
    }
  const kx = resolveTarget(ALL_PROTOCOLS, 'key-exchange', 'M2.2');
  assert.equal(atSessions(kx, 1).protocol, kx.protocol, 'a rung keeps the edited machines');
  assert.equal(targetName(kx), 'key-exchange M2.2');
});

test('one error class for a name that does not exist, naming what does', () => {
  assert.throws(() => resolveTarget(ALL_PROTOCOLS, 'nope'), (e) => e instanceof UnknownNameError && e.message.includes('attestation'));
  assert.throws(() => resolveTarget(ALL_PROTOCOLS, 'attestation', 'M9.9'), (e) => e instanceof UnknownNameError && e.message.includes('M1.1'));
  for (const bound of [{ sessions: 0 }, { sessions: MAX_SESSIONS + 1 }, { sessions: 1.5 }, { runs: 9 }, { sessions: 1, runs: 1 }])
    assert.throws(() => resolveTarget(ALL_PROTOCOLS, 'attestation', undefined, bound), BoundError, JSON.stringify(bound));
  assert.throws(() => atSessions(resolveTarget(ALL_PROTOCOLS, 'nspk'), 9), BoundError);
});
