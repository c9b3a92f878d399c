import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS, protocolByName } from '../../../models/protocols/index.ts';
import { ProtocolRun } from '../../../impl/runtime/session.ts';
import { honestRun } from '../../../impl/runtime/report.ts';
import { valueEquals } from '../../../impl/wire/value.ts';
import { SUITE_IDS, SUITES } from '../../../impl/crypto/index.ts';
import { targetOf } from '../../../models/target.ts';

for (const id of SUITE_IDS) {
  const suite = SUITES[id];

  for (const p of PROTOCOLS) {
    test(`${p.name} on the ${id} suite: an honest run with real crypto completes and its claims are consistent`, () => {
      const r = honestRun(targetOf(p), { seed: 7, suite });
      assert.equal(r.suite, suite.name);
      for (const party of r.parties) assert.equal(party.state, 'done', `${party.role} ended in ${party.state}: ${JSON.stringify(party.failure)}`);
      for (const c of r.checks) assert.ok(c.ok, `${c.id}: ${c.detail}`);
      assert.ok(r.claims.some((c) => c.event === 'Finish'), 'no party finished');
    });
  }

  test(`key-exchange on the ${id} suite: the TEE and the TPM derive the same session key, and only they`, () => {
    const run = new ProtocolRun(protocolByName('key-exchange'), { seed: 3, suite });
    run.start();
    run.runHonest();
    const keys = run.claims.filter((c) => c.event === 'Secret' && c.tag === 'skey');
    assert.deepEqual(keys.map((k) => k.role).sort(), ['TEE', 'TPM']);
    assert.ok(valueEquals(keys[0]!.data, keys[1]!.data));
    // a second run (other randomness) derives another key
    const run2 = new ProtocolRun(protocolByName('key-exchange'), { seed: 4, suite });
    run2.start();
    run2.runHonest();
    const k2 = run2.claims.find((c) => c.event === 'Secret' && c.tag === 'skey')!;
    assert.ok(!valueEquals(keys[0]!.data, k2.data));
  });

  test(`two-phase mode on the ${id} suite: both sides derive the same key from (Q^e, R^e)`, () => {
    const r = honestRun(targetOf(protocolByName('key-exchange'), 'two-phase'), { seed: 9, suite });
    const s = r.secrets.find((x) => x.tag === 'skey')!;
    assert.equal(s.values.length, 2);
    assert.ok(s.equal);
  });
}

test('the suite is the one computing: with the same seed, tpm2 and tcm put other bytes in the messages', () => {
  const [a, b] = SUITE_IDS.map((id) => honestRun(targetOf(protocolByName('key-exchange')), { seed: 3, suite: SUITES[id] }));
  assert.notEqual(a!.secrets[0]!.values[0]!.hex, b!.secrets[0]!.values[0]!.hex);
  // the same message sequence (the protocol is suite-independent); the messages carrying a
  // point, a signature or a ciphertext differ (those of fresh nonces alone come from the same
  // seeded generator and need not)
  assert.deepEqual(a!.messages.map((m) => m.label), b!.messages.map((m) => m.label));
  const hexOf = (r: typeof a, label: string) => r!.messages.find((m) => m.label === label)!.hex;
  for (const label of ['PublicKeyQ', 'StartAuthSession', 'PolicySigned']) assert.notEqual(hexOf(a, label), hexOf(b, label), label);
});

test('provisioning: the TEE stores exactly the secret the TPM sealed', () => {
  const run = new ProtocolRun(protocolByName('provisioning'), { seed: 5 });
  run.start();
  run.runHonest();
  const tee = run.partyStates().find((s) => s.role === 'TEE')!;
  assert.equal(tee.state, 'done');
  const sealed = run.longTerm.get('S', 'n1');
  assert.ok(valueEquals(tee.stored['tee-secure-storage']!, sealed));
});
