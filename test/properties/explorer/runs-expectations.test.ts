/**
 * Expectations at a runs bound (`PropertyDecl.attackFromRuns`, `expectedAtRuns`): an attack the
 * model declares to need N runs is expected at `--runs N` and above, and 'holds' is expected
 * below (Lowe's attack needs two runs). Each declaration in the classic corpus is checked at both
 * sides by the explorer, and a declaration that is off by one either way is a difference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Protocol } from '../../../models/protocol.ts';
import { CLASSIC_PROTOCOLS } from '../../../models/classic/index.ts';
import { asExpected } from '../../../properties/explorer/verify.ts';
import { verifyAt as verifyProtocol } from './verify-at.ts';

const nspk = CLASSIC_PROTOCOLS.find((p) => p.name === 'nspk')!;
const opts = (runs: number, id: string) => ({ runs, properties: [id], timeoutMs: 300_000 });


/** nspk with NS2's declared bound replaced. */
const declaring = (from: number): Protocol => ({ ...nspk, properties: nspk.properties.map((x) => (x.id === 'NS2' ? { ...x, attackFromRuns: from } : x)) });

test("runs expectations: below the declared bound 'holds' is expected and said so; at it the attack is", () => {
  const one = verifyProtocol(nspk, undefined, { runs: 1 });
  const ns2 = one.properties.find((x) => x.id === 'NS2')!;
  assert.equal(ns2.verdict, 'holds');
  assert.equal(ns2.expected, 'holds');
  assert.equal(ns2.expectedAttackFromRuns, 2);
  assert.ok(asExpected(one), JSON.stringify(one.properties.map((x) => [x.id, x.expected, x.verdict])));
  // the other bounds keep the declared expectation
  const two = verifyProtocol(nspk, undefined, opts(2, 'NS2')).properties[0]!;
  assert.deepEqual([two.expected, two.verdict, two.expectedAttackFromRuns], ['attack', 'attack', undefined]);
  const sessions = verifyProtocol(nspk, undefined, { sessions: 1, properties: ['NS2'] }).properties[0]!;
  assert.deepEqual([sessions.expected, sessions.verdict], ['attack', 'attack']);
});

test('runs expectations: a declaration one too low misses the attack (differs), one too high finds it early (differs)', () => {
  assert.equal(asExpected(verifyProtocol(declaring(1), undefined, opts(1, 'NS2'))), false, 'declared from 1 run: expected attack, got holds');
  const early = verifyProtocol(declaring(3), undefined, opts(2, 'NS2'));
  assert.deepEqual([early.properties[0]!.expected, early.properties[0]!.verdict], ['holds', 'attack']);
  assert.equal(asExpected(early), false, 'declared from 3 runs: the attack at 2 differs');
});

test('runs expectations: every declaration in the classic corpus holds one run below and is an attack at its bound', () => {
  const declared = CLASSIC_PROTOCOLS.flatMap((p) => p.properties.flatMap((x) => (x.attackFromRuns !== undefined ? [{ p, id: x.id, n: x.attackFromRuns }] : [])));
  assert.ok(declared.length >= 6, `declarations: ${declared.length}`);
  for (const { p, id, n } of declared) {
    const below = verifyProtocol(p, undefined, opts(n - 1, id)).properties[0]!;
    assert.deepEqual([below.verdict, below.expected], ['holds', 'holds'], `${p.name} ${id} at --runs ${n - 1}`);
    const at = verifyProtocol(p, undefined, opts(n, id)).properties[0]!;
    assert.deepEqual([at.verdict, at.expected], ['attack', 'attack'], `${p.name} ${id} at --runs ${n}`);
  }
});

test("runs expectations: an attack declared on a property that holds (only the runs bound reaches it) is expected from --runs N, and 'holds' under --sessions", () => {
  const raised = CLASSIC_PROTOCOLS.flatMap((p) => p.properties.flatMap((x) => (x.attackFromRuns !== undefined && (x.expected ?? 'holds') === 'holds' ? [{ p, id: x.id, n: x.attackFromRuns }] : [])));
  assert.ok(raised.length > 0, 'a declaration of this kind (Otway–Rees OR2/OR3: an agent talking to itself)');
  for (const { p, id, n } of raised) {
    const sessions = verifyProtocol(p, undefined, { properties: [id], timeoutMs: 300_000 }).properties[0]!;
    assert.deepEqual([sessions.expected, sessions.verdict, sessions.expectedAttackFromRuns], ['holds', 'holds', undefined], `${p.name} ${id} at the sessions bound`);
    const at = verifyProtocol(p, undefined, opts(n, id)).properties[0]!;
    assert.deepEqual([at.expected, at.verdict, at.expectedAttackFromRuns], ['attack', 'attack', n], `${p.name} ${id} at --runs ${n}`);
  }
});
