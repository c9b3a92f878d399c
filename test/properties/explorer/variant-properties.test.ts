import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASSIC_PROTOCOLS } from '../../../models/classic/index.ts';
import { expectedVerdict } from '../../../models/protocol.ts';
import { protocolProblems } from '../../../models/validate.ts';
import { verifyTarget } from '../../../properties/explorer/verify.ts';
import { targetOf } from '../../../models/target.ts';

// a variant may add properties (with the claims they read): they are judged on the variant, with
// the expectation the variant declares, and not on the base protocol
const added = CLASSIC_PROTOCOLS.flatMap((p) => p.variants.filter((v) => v.properties?.length).map((v) => ({ p, v })));

test('the classic corpus has variants that add properties', () => assert.ok(added.length >= 2));

for (const { p, v } of added)
  test(`${p.name} ${v.id}: the properties it adds are judged on it, as it expects`, () => {
    const r = verifyTarget(targetOf(p, v.id));
    for (const prop of v.properties!) {
      const got = r.properties.find((x) => x.id === prop.id);
      assert.ok(got, `${prop.id} not judged`);
      assert.equal(got.verdict, expectedVerdict(p, prop.id, v), `${prop.id}`);
    }
    const base = verifyTarget(targetOf(p, undefined, { sessions: 1 }));
    for (const prop of v.properties!) assert.ok(!base.properties.some((x) => x.id === prop.id), `${prop.id} judged on the base protocol`);
  });

test('an added property is checked against the edited machines', () => {
  const nspk = CLASSIC_PROTOCOLS.find((p) => p.name === 'nspk')!;
  const v = nspk.variants[0]!;
  const bad = { ...nspk, variants: [{ ...v, properties: [{ ...v.properties![0]!, tag: 'nowhere' }] }] };
  assert.ok(protocolProblems(bad).some((x) => x.includes(`${v.id}`) && x.includes("'nowhere'")), protocolProblems(bad).join('\n'));
  const noEdit = { ...nspk, variants: [{ ...v, edit: () => ({}) }] };
  assert.ok(protocolProblems(noEdit).some((x) => x.includes('na-r')), 'the claim comes from the edit');
  const clash = { ...nspk, variants: [{ ...v, properties: [{ ...v.properties![0]!, id: 'NS1' }] }] };
  assert.ok(protocolProblems(clash).some((x) => x.includes('adds property NS1')));
});
