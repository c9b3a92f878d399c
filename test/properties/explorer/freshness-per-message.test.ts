/**
 * P2.3 (no recorded command or response of the session accepted twice) is judged at every
 * message it covers (issue 24): each command the TPM accepts under the session and each response
 * the TEE accepts carries the claim P2.3 reads, and protocol 2 runs more than one command in its
 * session, so a replay of an earlier command into a later one is caught (M2.4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyExchange } from '../../../models/protocols/key-exchange.ts';
import { provisioning } from '../../../models/protocols/provisioning.ts';
import { roleOf } from '../../../models/role.ts';
import { recvOf, stepsOf } from '../../../models/steps.ts';
import type { Protocol } from '../../../models/protocol.ts';
import { explore } from '../../../properties/explorer/search.ts';
import { verifyTarget } from '../../../properties/explorer/verify.ts';
import { targetOf } from '../../../models/target.ts';

const P23 = keyExchange.properties.find((p) => p.id === 'P2.3')!;

/** The claims of `tag` a role makes, and the messages it receives after the session is set up
 * (the TPM: after StartAuthSession, every message is a command; the TEE: after AuthSession,
 * every message is a response). */
function sessionMessages(p: Protocol, role: string, after: string) {
  const def = roleOf(p.roles.find((r) => r.role === role)!.machine);
  const k = def.transitions.findIndex((t) => recvOf(t)?.label === after);
  const received = def.transitions.slice(k + 1).flatMap((t) => (recvOf(t) ? [recvOf(t)!.label] : []));
  const claims = def.transitions.flatMap((t) => stepsOf(t, 'claim').filter((c) => c.tag === P23.tag));
  return { received, commits: claims.filter((c) => c.event === 'Commit').length, runnings: claims.filter((c) => c.event === 'Running').length };
}

for (const p of [keyExchange, provisioning])
  test(`${p.name}: every command the TPM accepts and every response the TEE accepts carries P2.3's claim`, () => {
    const tpm = sessionMessages(p, 'TPM', 'StartAuthSession');
    const tee = sessionMessages(p, 'TEE', 'AuthSession');
    assert.ok(tpm.received.length >= 3, `more than one command in the session after ConfirmSession: ${tpm.received.join(', ')}`);
    // one Commit per accepted message, one Running per message the other side sent
    assert.equal(tpm.commits, tpm.received.length, `TPM commits on ${tpm.received.join(', ')}`);
    assert.equal(tee.commits, tee.received.length, `TEE commits on ${tee.received.join(', ')}`);
    assert.equal(tee.runnings, tpm.received.length);
    assert.equal(tpm.runnings, tee.received.length);
  });

test('key-exchange: P2.3 holds at one session and at two', () => {
  for (const sessions of [1, 2]) {
    const r = explore(targetOf(keyExchange, undefined, { sessions }), { properties: ['P2.3'] });
    assert.equal(r.verdicts.get('P2.3')!.verdict, 'holds', `sessions ${sessions}`);
  }
});

test("M2.4 (GetRandom's HMAC without nonceTPM): the recorded ConfirmSession is accepted again as the later GetRandom", () => {
  const r = verifyTarget(targetOf(keyExchange, 'M2.4', { sessions: 1 }), { properties: ['P2.3'] });
  const x = r.properties.find((y) => y.id === 'P2.3')!;
  assert.equal(x.verdict, 'attack');
  assert.equal(x.expected, 'attack');
  const steps = x.trace!.steps;
  const last = steps.at(-1)!;
  // the violation is the TPM's Commit at the second GetRandom, on a replayed first command
  assert.equal(last.transition, 'tpm.getRandom');
  assert.ok(last.claims.some((c) => c.startsWith('Commit(cmd')), last.claims.join('; '));
  const confirm = steps.find((s) => s.transition === 'tee.confirmSession')!.sent[0]!;
  assert.equal(last.received!.term, confirm.term, 'the GetRandom the TPM accepted is the ConfirmSession the TEE sent');
});
