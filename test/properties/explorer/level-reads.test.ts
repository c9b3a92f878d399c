/**
 * Level reads (`SolveContext.levelRead`, level relevance in visited.ts): which reads the solver
 * reports for an open choice bound to a ground term, with `skipUnderivableReads` (a term the whole
 * knowledge cannot derive reads no level) — and that a read that matters is still reported.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { c, name, senc, tup, v } from '../../../models/terms.ts';
import { type SolveContext, solve } from '../../../properties/explorer/deduction.ts';
import { EMPTY, FreshVars } from '../../../properties/explorer/unify.ts';
import type { Term } from '../../../models/terms.ts';

const n = name('n', 'nonce');
const k = name('k', 'digest');
const x = v('x', 'nonce');

/** Solve `x` (an open choice of level 1) bound to `t`, with knowledge `know`: the reads reported,
 * and whether the constraint held. */
function readsOf(know: Term[], t: Term, skip: boolean): { reads: string[]; held: boolean } {
  const reads: string[] = [];
  const ctx: SolveContext = { know, fresh: new FreshVars(), budget: { perCall: 100_000, cut: false }, levelRead: (w, names) => reads.push(`${w}:${names ? [...names].sort().join(',') : '*'}`), skipUnderivableReads: skip };
  const sols = solve([{ lvl: 1, t: x }], new Map([...EMPTY, ['x', t]]), ctx);
  return { reads, held: sols.length > 0 };
}

test('a choice bound to a term no part of the knowledge derives reads no level (and did without the rule)', () => {
  const know = [c('hello'), senc(n, k)];
  assert.deepEqual(readsOf(know, n, true), { reads: [], held: false });
  // the read the rule leaves out: its answer is "no" at every level
  assert.deepEqual(readsOf(know, n, false), { reads: ['x:k,n'], held: false });
});

test('a choice bound to a term the knowledge derives above its level still reads it (skipping that read would be unsound)', () => {
  // n is had from entry 1, above x's level 1: at level 1 the answer is "no", at level 2 "yes" —
  // a visited state with x at level 1 must not cover one with x at level 2. A rule that also
  // skipped reads of terms the whole knowledge derives would drop this read: caught here.
  const know = [c('hello'), tup(n, c('m'))];
  const r = readsOf(know, n, true);
  assert.equal(r.held, false);
  assert.deepEqual(r.reads, ['x:n']);
  const ctx: SolveContext = { know, fresh: new FreshVars(), budget: { perCall: 100_000, cut: false } };
  assert.equal(solve([{ lvl: 2, t: x }], new Map([['x', n]]), ctx).length, 1, 'at level 2 it holds');
});
