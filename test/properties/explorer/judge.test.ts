import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PropertyDecl } from '../../../models/protocol.ts';
import { type Term, c, name, termEquals, tup, v, varsOf } from '../../../models/terms.ts';
import type { SymClaim } from '../../../properties/explorer/execute.ts';
import { commitReads, judge, reads } from '../../../properties/explorer/judge.ts';

// What a state key may leave out of a Commit (`commitReads`) must be what no extension of the
// trace can make the judge read: checked against the judge itself on extensions.

const claim = (step: number, event: 'Commit' | 'Running', role: string, tag: string, data: Term, over: Partial<SymClaim> = {}): SymClaim => ({
  step,
  inst: step,
  role,
  self: role === 'I' ? 'a1' : 'b1',
  agents: role === 'I' ? ['a1', 'b1'] : ['b1', 'a1'],
  event,
  tag,
  peer: c(role === 'I' ? 'b1' : 'a1'),
  data,
  ...over,
});
const prop = (kind: PropertyDecl['kind']): PropertyDecl => ({ id: 'X', kind, statement: '', tag: 't', commit: 'R', running: 'I' });
const equal = (a: Term, b: Term) => termEquals(a, b);
const fixed = (t: Term) => varsOf(t).length === 0;
const na = name('~na.I1', 'nonce');
const nb = name('~nb.I2', 'nonce');

test('a commit with an equal earlier Running is settled for non-injective agreement, not for injective', () => {
  const claims = [claim(0, 'Running', 'I', 't', tup(na)), claim(1, 'Commit', 'R', 't', tup(na))];
  assert.equal(commitReads([prop('non-injective-agreement')], claims, claims[1]!, equal, fixed), null);
  assert.deepEqual(commitReads([prop('injective-agreement')], claims, claims[1]!, equal, fixed), [claims[0]]);
  // and the judge agrees on an extension: a later commit with the same data
  const more = [...claims, claim(2, 'Commit', 'R', 't', tup(na))];
  assert.equal(judge(prop('non-injective-agreement'), { claims: more, reveals: [], derivable: () => false, equal }), null);
  assert.notEqual(judge(prop('injective-agreement'), { claims: more, reveals: [], derivable: () => false, equal }), null);
});

test('a Running with other fixed data is left out; one with an open choice is kept', () => {
  const x = v('x$1', 'nonce');
  const claims = [claim(0, 'Running', 'I', 't', tup(nb)), claim(1, 'Running', 'I', 't', tup(x)), claim(2, 'Running', 'I', 'other', tup(na)), claim(3, 'Commit', 'R', 't', tup(na))];
  assert.deepEqual(commitReads([prop('injective-agreement')], claims, claims[3]!, equal, fixed), [claims[1]]);
  // the open one may still become a witness (x := na); the fixed one never
  assert.deepEqual(commitReads([prop('non-injective-agreement')], claims, claims[3]!, equal, fixed), [claims[1]]);
});

test('aliveness: settled by a Running of its constant peer; a peer still open settles nothing', () => {
  const claims = [claim(0, 'Running', 'I', 'other', tup(na)), claim(1, 'Commit', 'R', 't', tup(nb))];
  assert.equal(commitReads([prop('aliveness')], claims, claims[1]!, equal, fixed), null);
  const open = claim(1, 'Commit', 'R', 't', tup(nb), { peer: v('p$2', 'agent') });
  assert.deepEqual(commitReads([prop('aliveness')], [claims[0]!, open], open, equal, fixed), [claims[0]]);
  const other = claim(0, 'Running', 'I', 'other', tup(na), { self: 'a2' });
  assert.deepEqual(commitReads([prop('aliveness')], [other, claims[1]!], claims[1]!, equal, fixed), []);
});

test('commits no property judges, and commits of instances naming the attacker, read nothing', () => {
  const claims = [claim(0, 'Commit', 'R', 'untracked', tup(na)), claim(1, 'Commit', 'R', 't', tup(na), { agents: ['b1', 'E'] })];
  assert.equal(commitReads([prop('injective-agreement')], claims, claims[0]!, equal, fixed), null);
  assert.equal(commitReads([prop('injective-agreement')], claims, claims[1]!, equal, fixed), null);
  assert.equal(commitReads([prop('secrecy')], claims, claims[0]!, equal, fixed), null);
});

test('which claims a property reads: its tag and roles, both ways if mutual, any Running tag for aliveness', () => {
  assert.equal(reads(prop('non-injective-agreement'), 'Commit', 'R', 't'), true);
  assert.equal(reads(prop('non-injective-agreement'), 'Commit', 'I', 't'), false);
  assert.equal(reads(prop('non-injective-agreement'), 'Commit', 'R', 'other'), false);
  assert.equal(reads(prop('non-injective-agreement'), 'Running', 'I', 't'), true);
  assert.equal(reads(prop('non-injective-agreement'), 'Running', 'I', 'other'), false);
  assert.equal(reads(prop('aliveness'), 'Running', 'I', 'other'), true);
  assert.equal(reads({ ...prop('injective-agreement'), mutual: true }, 'Commit', 'I', 't'), true);
  assert.equal(reads({ ...prop('injective-agreement'), mutual: true }, 'Running', 'R', 't'), true);
  assert.equal(reads(prop('secrecy'), 'Secret', 'I', 't'), true);
  assert.equal(reads(prop('secrecy'), 'Secret', 'I', 'other'), false);
  assert.equal(reads(prop('secrecy'), 'Running', 'I', 't'), false);
  assert.equal(reads(prop('non-injective-agreement'), 'Finish', 'R', 't'), false);
});
