import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nssk } from '../../../models/classic/needham-schroeder-sk.ts';
import type { Protocol } from '../../../models/protocol.ts';
import { explore } from '../../../properties/explorer/search.ts';
import { verifyTarget } from '../../../properties/explorer/verify.ts';
import { honestRun } from '../../../impl/runtime/report.ts';
import { targetOf } from '../../../models/target.ts';

// NSSK2: kab secret unless this session's key leaked (Paulson's Oops). The initiator reveals kab
// at the end of every run, naming its session <kab, nb>.
const prop = nssk.properties.find((p) => p.id === 'NSSK2')!;
const without: Protocol = { ...nssk, properties: [{ ...prop, unlessOops: false }] };

test("a session's own key reveal does not count against its secrecy; without the exemption it does", () => {
  const one = explore(targetOf(nssk, undefined, { sessions: 1 }), { properties: ['NSSK2'] });
  assert.equal(one.verdicts.get('NSSK2')!.verdict, 'holds');
  const plain = explore(targetOf(without, undefined, { sessions: 1 }), { properties: ['NSSK2'] });
  assert.equal(plain.verdicts.get('NSSK2')!.verdict, 'attack');
});

test("Denning–Sacco: B accepts an old session's revealed key in a new session (the model's verdict)", () => {
  const r = verifyTarget(targetOf(nssk), { properties: ['NSSK2'] });
  const x = r.properties[0]!;
  assert.equal(x.verdict, x.expected);
  assert.equal(x.expected, 'attack');
  const steps = x.trace!.steps;
  assert.match(x.trace!.claim, /: B2 Secret/, `a second B session accepts the key: ${x.trace!.claim}`);
  assert.ok(steps.some((s) => s.actor.startsWith('A1') && s.claims.some((c) => c.startsWith('Oops'))), "the old session's reveal");
});

test('the runtime judges the same way: an honest run reveals kab at its end and NSSK2 is consistent', () => {
  const r = honestRun(targetOf(nssk), { seed: 2 });
  assert.ok(r.checks.find((c) => c.id === 'NSSK2')!.ok, JSON.stringify(r.checks));
  const plain = honestRun(targetOf(without), { seed: 2 });
  assert.ok(!plain.checks.find((c) => c.id === 'NSSK2')!.ok, 'the leak is seen without the exemption');
});
