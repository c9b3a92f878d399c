import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attestation } from '../../../models/protocols/attestation.ts';
import { buildScenario } from '../../../properties/explorer/scenario.ts';
import { knownSends } from '../../../properties/explorer/known-sends.ts';

// The static pass behind "final steps that send only what the attacker has are leaves": on the
// attestation machines, which messages it finds attacker-built, and which not.
const scen = buildScenario(attestation, { sessions: 1 });
const sendsKnown = (label: string) => {
  const inst = scen.instances.find((i) => i.label === label)!;
  const def = scen.roles.get(inst.role)!;
  const known = knownSends(def.transitions, def.initial, inst.env, scen.knowledge);
  return Object.fromEntries(def.transitions.map((t) => [t.label, known(t)]));
};

test('TEE: the report is signed with its hardware key (not attacker-built); the final token echo is', () => {
  const tee = sendsKnown('TEE1');
  assert.equal(tee['tee.report'], false);
  // tup(tokTEE, idTEE, pkT): a token it received, a public id, a key it sent in its report
  assert.equal(tee['tee.checkPeerToken'], true);
});

test('TPM: certify and quote are signed with its AK (not attacker-built); forwarding a received token with Q it sent is', () => {
  const tpm = sendsKnown('TPM1');
  assert.equal(tpm['tpm.certify'], false);
  assert.equal(tpm['tpm.quote'], false);
  assert.equal(tpm['tpm.receiveToken'], true);
});

test('TTP: tokens it signs are not attacker-built, for its honest node', () => {
  const ttp = sendsKnown('TTP1');
  assert.equal(ttp['ttp.issueTEE'], false);
  assert.equal(ttp['ttp.issueTPM'], false);
  // a fresh challenge is not attacker-built either
  assert.equal(ttp['ttp.challengeTEE'], false);
});
