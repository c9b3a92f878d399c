import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { exportProverif } from '../../proofs-export/proverif/model.ts';
import { isSecrecyQuery, oneQuery } from '../../proofs-export/proverif/one-query.ts';
import { proverifGoals } from '../../proofs-export/prover-output.ts';
import { targetOf } from '../../models/target.ts';

const ke = exportProverif(targetOf(PROTOCOLS.find((p) => p.name === 'key-exchange')!)).text;
const queries = (t: string) => t.split('\n').filter((l) => l.startsWith('query '));

test('one query of a model: that query alone, the rest of the model unchanged', () => {
  const all = queries(ke);
  assert.ok(all.length > 2);
  all.forEach((q, i) => {
    const one = oneQuery(ke, i);
    assert.deepEqual(queries(one), [q]);
    assert.equal(one.split('\n').length, ke.split('\n').length - all.length + 1);
    assert.equal(proverifGoals(one).length, 1);
  });
  assert.throws(() => oneQuery(ke, all.length), /has \d+ queries/);
});

test('plain names: every new takes no arguments; only secrecy queries are tried that way', () => {
  const plain = oneQuery(ke, 0, { plainNames: true });
  assert.match(plain, /^\s*new e\[\]: bitstring;$/m);
  assert.doesNotMatch(plain, /^\s*new \w+: /m);
  assert.match(oneQuery(ke, 0), /^\s*new e: bitstring;$/m);
  const kinds = queries(ke).map((_, i) => isSecrecyQuery(ke, i));
  assert.deepEqual(kinds, proverifGoals(ke).map((g) => /^P2\.[14]$/.test(g.name)));
});
