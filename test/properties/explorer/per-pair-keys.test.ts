/**
 * Per-pair long-term keys (models/protocol.ts `shared`, `lt(name, a, b, sort)`) in the explorer,
 * the runtime and the validator, on Andrew secure RPC. With the key named by the initiator alone
 * (main before per-pair keys) `--runs 3` finds A's run with one peer accepting B's message 4
 * meant for a run with another (ProVerif 2.05 found the same): the key named no peer. With a
 * per-pair key AR1 holds at both bounds; with a symmetric k_AB an agent playing both roles is
 * made to answer its own challenge (reflection).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { andrewRpc } from '../../../models/classic/andrew-rpc.ts';
import { type Protocol, lt } from '../../../models/protocol.ts';
import { protocolProblems } from '../../../models/validate.ts';
import { verifyAt as verifyProtocol } from './verify-at.ts';
import { targetOf } from '../../../models/target.ts';

import { LongTermStore } from '../../../impl/runtime/setup.ts';
import { honestRun } from '../../../impl/runtime/report.ts';
import { valueEquals } from '../../../impl/wire/value.ts';

const withKeys = (kab: Protocol['longTerm'][number], a: ReturnType<typeof lt>, b: ReturnType<typeof lt>): Protocol => ({
  ...andrewRpc,
  roles: andrewRpc.roles.map((r) => ({ ...r, knows: { kab: r.role === 'A' ? a : b } })),
  longTerm: [kab],
});
// the model as it was: A's own long-term key, which its responder reads (no peer named)
const perInitiator = withKeys({ name: 'kab', owner: 'A', sort: 'symkey' }, lt('kab', 'self', 'symkey'), lt('kab', 'peer', 'symkey'));
// the literature's symmetric k_AB = k_BA
const symmetric = withKeys({ name: 'kab', owner: 'A', sort: 'symkey', shared: 'pair' }, lt('kab', 'self', 'peer', 'symkey'), lt('kab', 'self', 'peer', 'symkey'));

const verdict = (p: Protocol, pid: string, opts: { runs?: number } = {}) => verifyProtocol(p, undefined, { properties: [pid], ...opts }).properties[0]!;

test("AR1 holds with the client's key at its server, at the default bound and at --runs 3 (the model's expectation)", () => {
  const expected = andrewRpc.properties.find((p) => p.id === 'AR1')!.expected ?? 'holds';
  assert.equal(verdict(andrewRpc, 'AR1').verdict, expected);
  assert.equal(verdict(andrewRpc, 'AR1', { runs: 3 }).verdict, expected);
  assert.deepEqual(protocolProblems(andrewRpc), []);
});

test('with a key that names no peer, --runs 3 finds A accepting a message 4 meant for a run with another peer', () => {
  const x = verdict(perInitiator, 'AR1', { runs: 3 });
  assert.equal(x.verdict, 'attack');
});

test('with a symmetric k_AB, --runs 3 finds a reflection: one agent in both roles answers its own challenge', () => {
  const x = verdict(symmetric, 'AR1', { runs: 3 });
  assert.equal(x.verdict, 'attack');
  // the run that answered is played by the committing agent itself, in role B, with the peer A believes it talks to
  const actors = new Set(x.trace!.steps.map((s) => s.actor));
  assert.ok([...actors].some((a) => /^A\d+ \(self=a1, peer=b1\)/.test(a)), [...actors].join('; '));
  assert.ok([...actors].some((a) => /^B\d+ \(self=a1, peer=b1\)/.test(a)), [...actors].join('; '));
  assert.equal(verdict(symmetric, 'AR1').verdict, 'holds', 'fixed roles cannot reflect');
});

test('the runtime: one key per pair, the same both ways round when symmetric, two when ordered; honest runs complete', () => {
  const deps = { suite: undefined as never, rng: { bytes: (n: number) => crypto.getRandomValues(new Uint8Array(n)) } } as never;
  const sym = new LongTermStore(symmetric, deps);
  assert.ok(valueEquals(sym.get('kab', 'a1', 'b1'), sym.get('kab', 'b1', 'a1')));
  assert.ok(!valueEquals(sym.get('kab', 'a1', 'b1'), sym.get('kab', 'a1', 'c1')));
  const ord = new LongTermStore(andrewRpc, deps);
  assert.ok(!valueEquals(ord.get('kab', 'a1', 'b1'), ord.get('kab', 'b1', 'a1')));
  assert.throws(() => ord.get('kab', 'a1'), /shared by a pair/);
  for (const p of [andrewRpc, symmetric]) {
    const r = honestRun(targetOf(p), { seed: 3 });
    assert.ok(r.checks.every((c) => c.ok || c.id === 'AR3'), JSON.stringify(r.checks));
  }
});

test('the validator: a pair reference to a per-agent value, and a per-agent reference to a pair value, are each named', () => {
  const wrong1 = withKeys({ name: 'kab', owner: 'A', sort: 'symkey', shared: 'pair' }, lt('kab', 'self', 'symkey'), lt('kab', 'self', 'peer', 'symkey'));
  assert.ok(protocolProblems(wrong1).some((m) => /'kab' is shared by a pair/.test(m)), protocolProblems(wrong1).join('\n'));
  const wrong2 = withKeys({ name: 'kab', owner: 'A', sort: 'symkey' }, lt('kab', 'self', 'peer', 'symkey'), lt('kab', 'peer', 'symkey'));
  assert.ok(protocolProblems(wrong2).some((m) => /'kab' is one per agent/.test(m)), protocolProblems(wrong2).join('\n'));
  const wrong3 = withKeys({ name: 'kab', owner: 'A', sort: 'symkey', shared: 'pair' }, lt('kab', 'self', 'nobody', 'symkey'), lt('kab', 'self', 'peer', 'symkey'));
  assert.ok(protocolProblems(wrong3).some((m) => /unknown agent variable 'nobody'/.test(m)));
});
