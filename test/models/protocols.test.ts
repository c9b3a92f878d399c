import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { applyVariant } from '../../models/protocol.ts';
import { protocolProblems } from '../../models/validate.ts';
import { roleOf } from '../../models/role.ts';

for (const p of PROTOCOLS) {
  test(`${p.name}: well formed`, () => {
    assert.deepEqual(protocolProblems(p), []);
  });
  for (const v of p.variants) {
    test(`${p.name} ${v.id}: well formed, and the edit changes a machine`, () => {
      const { protocol } = applyVariant(p, v.id);
      assert.deepEqual(protocolProblems(protocol), []);
      const before = JSON.stringify(p.roles.map((r) => roleOf(r.machine).transitions));
      const after = JSON.stringify(protocol.roles.map((r) => roleOf(r.machine).transitions));
      assert.notEqual(after, before, `${v.id} changed nothing`);
    });
  }
}

test('a broken model is reported by name: unbound variable, missing set-up, unknown claim tag', async () => {
  const { roleMachine } = await import('../../models/role.ts');
  const { send, claim } = await import('../../models/steps.ts');
  const { v, tup } = await import('../../models/terms.ts');
  const { agent } = await import('../../models/protocol.ts');
  const broken = {
    ...PROTOCOLS[3]!,
    roles: [
      {
        role: 'TDDL',
        machine: roleMachine({
          role: 'TDDL',
          party: 'TDDL',
          initial: 's',
          knows: [agent('self'), v('k', 'digest')],
          transitions: [{ label: 'bad', from: 's', to: 'done', trigger: 'START', steps: [send('TZTCM', 'M', tup(v('ghost'))), claim('Running', 'cmd', null, v('x')), send('TZTCM', 'N', v('typo', 'nonceX' as never))] }],
        }),
        agents: { self: 'TDDL' },
        initiator: true,
        knows: {},
      },
      PROTOCOLS[3]!.roles[1]!,
    ],
  };
  const problems = protocolProblems(broken).join('\n');
  assert.match(problems, /send 'M' uses 'ghost' before it is bound/);
  assert.match(problems, /known variable 'k' has no set-up value/);
  assert.match(problems, /claim Running\(cmd\) uses 'x'/);
  // a sort the term algebra does not have (a user's file is not type-checked): named, once
  assert.match(problems, /variable 'typo' has an unknown sort 'nonceX'/);
  assert.equal(problems.split('\n').filter((l) => l.includes("unknown sort 'nonceX'")).length, 1);
});
