import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { verifyMany } from '../../properties/explorer/verify-pool.ts';

const byName = (n: string) => ALL_PROTOCOLS.find((p) => p.name === n)!;

test('verify pool: two workers give the reports one thread gives, in target order', async () => {
  const targets = ['nspk', 'nsl', 'nssk', 'tztcm-session'].map((n) => ({ protocol: byName(n), variant: undefined, opts: { sessions: 1 } }));
  const seen: string[] = [];
  const two = await verifyMany(targets, 2, (done, t) => seen.push(`${done}:${t.protocol.name}`));
  const one = await verifyMany(targets, 1);
  assert.deepEqual(two.map((r) => r.protocol), ['nspk', 'nsl', 'nssk', 'tztcm-session']);
  const verdicts = (rs: typeof one) => rs.map((r) => r.properties.map((x) => `${r.protocol} ${x.id} ${x.verdict}`));
  assert.deepEqual(verdicts(two), verdicts(one));
  // Lowe's attack came back across the thread as trace data
  assert.ok(two[0]!.properties.find((x) => x.id === 'NS2')!.trace!.steps.length > 0);
  assert.equal(seen.length, 4);
  assert.deepEqual(seen.map((s) => Number(s.split(':')[0])), [1, 2, 3, 4]);
});

test('verify pool: a protocol the workers cannot load by name is verified in this thread', async () => {
  const nspk = byName('nspk');
  const edited = { ...nspk, name: 'nspk-edited' };
  const [r] = await verifyMany([{ protocol: edited, variant: undefined, opts: { sessions: 1 } }, { protocol: byName('nsl'), variant: undefined, opts: { sessions: 1 } }], 2);
  assert.equal(r!.protocol, 'nspk-edited');
  assert.equal(r!.properties.find((x) => x.id === 'NS2')!.verdict, 'attack');
});
