/**
 * The key-server classics (Otway–Rees, Yahalom; models/classic): each verdict the model declares
 * is the explorer's, and each broken version is caught — the Otway–Rees type flaw only where the
 * receiver does not check the key's type, Yahalom's B only where it does not check nb.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { otwayRees } from '../../../models/classic/otway-rees.ts';
import { yahalom } from '../../../models/classic/yahalom.ts';
import { explore } from '../../../properties/explorer/search.ts';
import { verifyTarget } from '../../../properties/explorer/verify.ts';
import { targetOf } from '../../../models/target.ts';
import { honestRun } from '../../../impl/runtime/report.ts';
import { verifyAt } from './verify-at.ts';

const verdict = (p: typeof otwayRees, variant: string | undefined, pid: string) =>
  explore(targetOf(p, variant, { sessions: 1 }), { properties: [pid] }).verdicts.get(pid)!.verdict;

test('Otway–Rees with typed messages: the key stays secret (a tuple is no key)', () => {
  assert.equal(verdict(otwayRees, undefined, 'OR1'), 'holds');
});

test("Otway–Rees with an untyped key: A's own message 1 replayed as message 4 gives kab = <M, A, B>", () => {
  const r = verifyTarget(targetOf(otwayRees, 'untyped-key', { sessions: 1 }), { properties: ['OR1'] });
  const x = r.properties[0]!;
  assert.deepEqual([x.verdict, x.expected], ['attack', 'attack']);
  const steps = x.trace!.steps;
  const sent = steps.find((s) => s.transition === 'a.msg1')!.sent[0]!.term;
  const got = steps.find((s) => s.transition === 'a.done')!.received!.term;
  // message 4 is <M, ct> with ct A's own ciphertext of message 1 (<M, A, B, ct>)
  const ct = sent.slice(sent.indexOf('senc('));
  assert.ok(got.includes(ct.slice(0, -1)), `message 4 ${got} carries A's ciphertext ${ct}`);
  assert.ok(!steps.some((s) => s.transition.startsWith('b.') || s.transition.startsWith('s.')), 'neither B nor S ran');
});

test('Otway–Rees: A gets no key confirmation (OR4), yet an honest run satisfies every claim', () => {
  assert.equal(verdict(otwayRees, undefined, 'OR4'), 'attack');
  const run = honestRun(targetOf(otwayRees), { seed: 3 });
  assert.ok(run.checks.every((c) => c.ok), JSON.stringify(run.checks));
});

test("Yahalom: B's agreement holds with the nb check, and fails without it", () => {
  assert.equal(verdict(yahalom, undefined, 'YA3'), 'holds');
  assert.equal(verdict(yahalom, 'no-nonce-check', 'YA3'), 'attack');
  assert.equal(verdict(yahalom, undefined, 'YA1'), 'holds');
});

test('Otway–Rees with an agent talking to itself (--runs 2): A completes on its own ciphertext as B\'s part (ProVerif 2.05 agrees)', () => {
  const r = verifyAt(otwayRees, undefined, { runs: 2, properties: ['OR2'] });
  const x = r.properties[0]!;
  assert.equal(x.verdict, 'attack');
  assert.match(x.trace!.claim, /A1 Commit\(run-a, <~m\.A1, 'a1', 'a1'>\)/, 'A = B = a1');
  assert.deepEqual(x.trace!.steps.map((s) => s.transition), ['a.msg1', 's.msg3', 'a.done'], 'no run of B');
  // with distinct agents (the default bound, the literature's setting) it holds
  assert.equal(verdict(otwayRees, undefined, 'OR2'), 'holds');
});
