/**
 * The real-TPM bindings of models/real-tpm.ts fit their machines (every transition bound, every
 * variable read bound before the command, every decided one computed by the transition), and a
 * binding that names what the machine does not have is reported by name — so a model edit that
 * breaks the TSS endpoint is caught before a TPM command is sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { checkRealTpmBinding, realTpmRole } from '../../models/real-tpm.ts';
import { v } from '../../models/terms.ts';

const bound = PROTOCOLS.filter((p) => realTpmRole(p.roles));

test('the protocols a real TPM can play a role of are the seed-000 protocols', () => {
  assert.ok(bound.length >= 3, bound.map((p) => p.name).join(', '));
});

for (const p of bound) {
  const decl = realTpmRole(p.roles)!;
  const caller = p.roles.find((r) => r.role === decl.realTpm.caller);

  test(`${p.name}: the ${decl.role} binding fits the machine`, () => {
    assert.deepEqual(checkRealTpmBinding(decl, decl.realTpm, caller), []);
  });

  test(`${p.name}: a binding that decides a variable the transition does not compute is refused`, () => {
    const [label, op] = Object.entries(decl.realTpm.transitions).find(([, o]) => 'decides' in o)!;
    const broken = { ...decl.realTpm, transitions: { ...decl.realTpm.transitions, [label]: { ...op, decides: { ...(op as { decides: object }).decides, extra: v('notInTheMachine', 'nonce') } } } };
    const problems = checkRealTpmBinding(decl, broken as never, caller);
    assert.ok(problems.some((x) => x.includes(label) && x.includes('notInTheMachine')), problems.join('; '));
  });

  test(`${p.name}: a transition without an operation, and an unknown caller, are refused`, () => {
    const [label] = Object.keys(decl.realTpm.transitions);
    const transitions = Object.fromEntries(Object.entries(decl.realTpm.transitions).filter(([l]) => l !== label));
    const problems = checkRealTpmBinding(decl, { ...decl.realTpm, transitions, caller: 'Nobody' }, undefined);
    assert.ok(problems.some((x) => x.includes(label!) && x.includes('no TPM 2.0 operation')), problems.join('; '));
    assert.ok(problems.some((x) => x.includes("'Nobody'")), problems.join('; '));
  });
}
