/**
 * Message constructors (models/messages.ts): one definition builds and recognises a body; a
 * variant's edit names a constructor's input, and an edit that names an input the constructor
 * lacks, or that matches no message of the roles, is an error (never a variant equal to the
 * protocol).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editMessage, messageConstructor } from '../../models/messages.ts';
import { policyStatement, teeReport, teeToken } from '../../models/parties/messages.ts';
import { protocolByName } from '../../models/protocols/index.ts';
import { roleOf } from '../../models/role.ts';
import { c, h, name, termEquals, tup, v } from '../../models/terms.ts';

const nA = name('~nA', 'nonce');
const pkT = v('pkT', 'point');

test('build and parse are inverse; omitting an input drops it from its tuple (a 1-tuple collapses)', () => {
  const m = v('mTEE', 'digest');
  const t = teeReport({ measurement: m, nonce: nA, key: pkT });
  assert.ok(termEquals(t, tup(c('report'), m, h(tup(nA, pkT)))));
  const got = teeReport.parse(t)!;
  assert.ok(termEquals(got.key, pkT) && termEquals(got.nonce, nA));
  assert.ok(termEquals(teeReport.build(got, ['key']), tup(c('report'), m, h(nA))));
  assert.equal(teeReport.parse(tup(c('report'), m)), null);
});

test('a repeated input must be the same term to parse', () => {
  const twice = messageConstructor<'x'>('twice', (x) => tup(x('x'), x('x')));
  assert.ok(twice.parse(tup(nA, nA)));
  assert.equal(twice.parse(tup(nA, pkT)), null);
});

test('an edit naming an input the constructor lacks is an error', () => {
  assert.throws(() => editMessage(['TEE'], teeToken, { omit: ['nod' as never] }), /has no input 'nod'/);
});

test('an edit that matches no message of the roles is an error', () => {
  const machines = Object.fromEntries(protocolByName('tztcm-session').roles.map((r) => [r.role, r.machine]));
  assert.throws(() => editMessage(['TDDL'], policyStatement, { omit: ['nonce'] })(machines), /no policy message in TDDL/);
});

test('an edit rewrites the message wherever the roles build or check it, and nothing else', () => {
  const p = protocolByName('key-exchange');
  const machines = Object.fromEntries(p.roles.map((r) => [r.role, r.machine]));
  const edited = editMessage(['TEE', 'TPM'], policyStatement, { set: { nonce: c('empty') } })(machines);
  for (const role of ['TEE', 'TPM']) {
    const text = JSON.stringify(roleOf(edited[role]!).transitions);
    assert.ok(text.includes('"empty"'), role);
    assert.notEqual(text, JSON.stringify(roleOf(machines[role]!).transitions), role);
  }
});
