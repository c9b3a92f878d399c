/**
 * Readable traces: abbreviations with a legend that defines each once, attacker choices marked,
 * interception shown as interception, the violating step marked, initial-knowledge noise
 * folded unless verbose, traces shared by properties printed once, no line over 160 columns.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abbreviator } from '../../../impl/report/abbreviate.ts';
import { textTrace, wrapLine } from '../../../impl/report/text-trace.ts';
import { ATTACKER } from '../../../impl/report/sequence.ts';
import { app, attackerChoice, c, hmac, kdfa, name, tup, v } from '../../../models/terms.ts';
import { attackSequences, lowe, report } from './fixtures.ts';

test('an abbreviation stands for its term everywhere, and the legend defines it once, after what it uses', () => {
  const seed = app('kdfe', name('z.T1', 'point'), c('SECRET'), c('u'), c('v'));
  const sKey = kdfa(seed, 'ATH', name('nT.T1', 'nonce'), name('nC.T2', 'nonce'));
  const ab = abbreviator([
    { name: 'sKey.T1', term: sKey },
    { name: 'seed.T1', term: seed },
    { name: 'other.T2', term: sKey }, // the same term again: the first name keeps it
  ]);
  const m = ab.show(tup(hmac(sKey, c('x')), sKey, attackerChoice(v('ct$7', 'ct')), attackerChoice(v('ct$9', 'ct'))));
  assert.equal(m, "<hmac(sKey.T1, 'x'), sKey.T1, E.ct, E.ct2>");
  const legend = ab.legend();
  assert.deepEqual(legend.map((e) => e.name), ['seed.T1', 'sKey.T1', 'E.ct', 'E.ct2']);
  assert.equal(legend.find((e) => e.name === 'sKey.T1')!.term, "kdfa(seed.T1, 'ATH', ~nT.T1, ~nC.T2)");
  assert.match(legend.find((e) => e.name === 'E.ct')!.term, /ciphertext the attacker chose/);
});

test('wrapping keeps every character and no line longer than the width', () => {
  const line = '        TEE1 → (E)  PolicySigned: ' + Array.from({ length: 40 }, (_, i) => `~nC${i}.TEE1`).join(', ');
  const ls = wrapLine(line, 80);
  assert.ok(ls.length > 1);
  assert.ok(ls.every((l) => l.length <= 80), ls.join('\n'));
  assert.equal(ls.map((l) => l.trim()).join(' ').replace(/\s+/g, ''), line.replace(/\s+/g, ''));
});

test("Lowe's attack reads as what happened: a message to E as peer, two built by E, one forwarded, the violation marked", () => {
  const s = lowe();
  const steps = s.events.filter((e) => e.kind === 'step');
  const msgs = s.events.filter((e) => e.kind === 'message');
  // the trace the explorer found: every step a message is received in is drawn
  const received = msgs.filter((m) => m.how === 'built' || m.how === 'forwarded').length;
  assert.equal(received, steps.length - 1, 'every step but the first receives one message');
  assert.ok(msgs.some((m) => m.how === 'built' && m.from === ATTACKER), 'the attacker builds a message');
  assert.ok(msgs.some((m) => m.how === 'forwarded' && m.from !== ATTACKER && m.to !== ATTACKER), 'a message is forwarded unchanged');
  const text = textTrace(s);
  const stepLines = text.filter((l) => /^ .\s?\d+\. /.test(l));
  assert.equal(stepLines.length, steps.length);
  const marked = text.filter((l) => l.startsWith(' ▶'));
  assert.deepEqual(marked.length, new Set(s.violations.map((v) => v.step)).size);
  assert.ok(text.some((l) => / → E {2}msg1/.test(l)), 'I2 sends msg1 to E, its peer');
  assert.ok(text.some((l) => /\(E\) → R1 {2}msg\d \[built by E\]/.test(l)), 'E builds for R1');
  assert.match(s.summary!, /^The attacker /);
  for (const v of s.violations) assert.ok(text.some((l) => l.includes(`✗ ${v.property}: ${v.why}`)));
});

test('provisioning M3.2: no line over 160 columns, the session key named once in the legend', () => {
  for (const s of attackSequences('provisioning', 'M3.2')) {
    const text = textTrace(s);
    const long = text.filter((l) => l.length > 160);
    assert.deepEqual(long, [], 'lines over 160 columns');
    const sKey = s.legend.filter((e) => /^sKey\./.test(e.name));
    assert.equal(sKey.length, 1, 'one legend entry for the session key');
    const spelled = sKey[0]!.term;
    // its definition is written out once, in the legend, and nowhere else
    assert.equal(text.filter((l) => l.includes(spelled)).length, 1);
    assert.ok(text.filter((l) => l.includes(sKey[0]!.name)).length > 2, 'and used by name');
    assert.ok(text.some((l) => l.startsWith(' ▶')), 'the violating step is marked');
  }
});

test('initial-knowledge noise is folded, and shown with verbose', () => {
  const s = lowe();
  const folded = textTrace(s);
  const verbose = textTrace(s, { verbose: true });
  const noise = s.events.filter((e) => e.kind === 'deduction' && e.noise).length;
  assert.ok(noise > 0, 'the trace takes values from the initial knowledge');
  assert.equal(verbose.filter((l) => /from its initial knowledge$/.test(l)).length - folded.filter((l) => /from its initial knowledge$/.test(l)).length, noise);
  assert.ok(folded.some((l) => l.includes(`${noise} value`) && l.includes('--verbose')));
});

test('properties broken by the same trace share one printed trace (key-exchange M2.1)', () => {
  const r = report('key-exchange', 'M2.1');
  const traced = r.properties.filter((x) => x.trace);
  const groups = attackSequences('key-exchange', 'M2.1');
  assert.ok(traced.length >= 2, 'M2.1 breaks several properties');
  // every property traced is in exactly one group; traces with equal steps are in the same
  assert.deepEqual(groups.flatMap((g) => g.violations.map((v) => v.property)).sort(), traced.map((x) => x.id).sort());
  const key = (id: string) => JSON.stringify(traced.find((x) => x.id === id)!.trace!.steps.map((s) => [s.actor, s.transition, s.received?.term ?? '']));
  for (const g of groups) for (const v of g.violations) assert.equal(key(v.property), key(g.violations[0]!.property));
  assert.equal(new Set(traced.map((x) => key(x.id))).size, groups.length, 'as many printed traces as distinct traces');
});
