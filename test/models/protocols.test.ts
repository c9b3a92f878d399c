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
