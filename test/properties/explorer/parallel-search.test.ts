/**
 * One search split between threads (`properties/explorer/parallel-search.ts`): the parts'
 * merged verdicts are the single search's, on targets of the catalog; one part alone is not
 * (it misses attacks the other part finds), so the merge is what makes the verdicts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROTOCOLS } from '../../../models/catalog.ts';
import { verifyTarget } from '../../../properties/explorer/verify.ts';
import { mergeParts, verifySplit } from '../../../properties/explorer/parallel-search.ts';
import { targetOf } from '../../../models/target.ts';

const byName = (n: string) => ALL_PROTOCOLS.find((p) => p.name === n)!;
const verdicts = (r: ReturnType<typeof verifyTarget>) => r.properties.map((x) => `${x.id}:${x.verdict}`).join(' ');

for (const [name, variant] of [['nspk'], ['nsl'], ['key-exchange', 'M2.2'], ['tztcm-session', 'M4.2']] as const)
  test(`split search: ${name}${variant ? ' ' + variant : ''} in 2 and 3 parts merges to the single search's verdicts`, () => {
    const one = verifyTarget(targetOf(byName(name), variant));
    for (const parts of [2, 3]) {
      const each = Array.from({ length: parts }, (_, part) => verifyTarget(targetOf(byName(name), variant), { split: { part, parts, depth: 3 } }));
      assert.equal(verdicts(mergeParts(each, 0)), verdicts(one), `${parts} parts`);
    }
  });

test('split search: one part alone misses attacks the other finds (key-exchange M2.2)', () => {
  const p = byName('key-exchange');
  const each = [0, 1].map((part) => verifyTarget(targetOf(p, 'M2.2'), { split: { part, parts: 2, depth: 3 } }));
  const one = verifyTarget(targetOf(p, 'M2.2'));
  assert.ok(each.some((r) => verdicts(r) !== verdicts(one)), 'some part alone differs from the whole');
  assert.equal(verdicts(mergeParts(each, 0)), verdicts(one));
});

test('split search over worker threads: nspk in 2 parts gives Lowe’s attack with its trace', async () => {
  const r = await verifySplit(targetOf(byName('nspk')), {}, 2);
  assert.equal(verdicts(r), verdicts(verifyTarget(targetOf(byName('nspk')))));
  assert.ok(r.properties.find((x) => x.id === 'NS2')!.trace!.steps.length > 0);
});
