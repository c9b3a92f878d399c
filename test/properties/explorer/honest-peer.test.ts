/**
 * Agreement "with an honest peer" (Lowe) versus with any peer (`PropertyDecl.peers`, the one
 * judge in models/judge.ts). With an honest peer a Commit naming the attacker's agent is not
 * judged; with any peer it holds only if the attacker had the Commit's data before the claim.
 * The corpus declares both readings (the `any-peer` variants) with the literature's verdicts:
 * NSL holds both ways; NSPK's initiator guarantee NS4 holds with an honest peer and breaks with
 * any peer (A, running with E, completes on B's nb: Lowe's relay, seen from A); CCITT X.509's
 * X2 holds, its any-peer X4 is BAN's attack. On main `peers` was not read: X4 and NS6 held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ccittX509 } from '../../../models/classic/ccitt-x509.ts';
import { nsl, nspk } from '../../../models/classic/needham-schroeder-pk.ts';
import { type JudgePolicy, type JudgedClaim, judgeProperty } from '../../../models/judge.ts';
import { type Protocol, type PropertyDecl, expectedVerdict } from '../../../models/protocol.ts';
import { protocolProblems } from '../../../models/validate.ts';
import { verifyAt as verifyProtocol } from './verify-at.ts';


const check = (p: Protocol, variant: string) => {
  const v = p.variants.find((x) => x.id === variant)!;
  const r = verifyProtocol(p, variant, {});
  for (const x of r.properties) assert.equal(x.verdict, expectedVerdict(p, x.id, v), `${p.name} ${variant} ${x.id}`);
  return r;
};

test('NSL: agreement holds with an honest peer and with any peer (the correct protocol)', () => {
  const r = check(nsl, 'any-peer');
  assert.equal(r.properties.find((x) => x.id === 'NS6')!.verdict, 'holds');
});

test("NSPK: NS4 holds with an honest peer, NS6 (the same with any peer) is broken: A's peer E never had nb", () => {
  const r = check(nspk, 'any-peer');
  assert.equal(r.properties.find((x) => x.id === 'NS4')!.verdict, 'holds');
  const ns6 = r.properties.find((x) => x.id === 'NS6')!;
  assert.equal(ns6.verdict, 'attack');
  assert.match(ns6.trace!.claim, /I\d Commit\(init, <'a1', 'E', ~na\.I\d, ~nb\.R\d>/, ns6.trace!.claim);
});

test("CCITT X.509: X2 holds, X4 is BAN's attack — B commits with peer E on A's ya", () => {
  const r = check(ccittX509, 'any-peer');
  const x4 = r.properties.find((x) => x.id === 'X4')!;
  assert.equal(x4.verdict, 'attack');
  assert.match(x4.trace!.claim, /B\d Commit\(b, <'E', 'b1', [^>]*~ya\.A\d>/, x4.trace!.claim);
  assert.equal(r.properties.find((x) => x.id === 'X2')!.verdict, 'holds');
});

// the judge itself, on hand-made claims: B commits with the attacker's agent E as its peer
type C = JudgedClaim<string> & { at: number; self: string; honest: boolean };
const commit: C = { role: 'B', event: 'Commit', tag: 'b', peer: 'E', data: 'ya', at: 1, self: 'b1', honest: false };
const policy = (had: boolean): JudgePolicy<string, C> => ({
  at: (c) => c.at,
  self: (c) => c.self,
  agentOf: (p) => p,
  equal: (a, b) => a === b,
  honest: (c) => c.honest,
  leaked: () => null,
  actorHonest: (c) => c.self !== 'E',
  attackerHad: () => had,
});
const X: PropertyDecl = { id: 'X', kind: 'non-injective-agreement', statement: '', tag: 'b', commit: 'B', running: 'A' };

test('the judge: a Commit with a dishonest peer is skipped with an honest peer, judged on what the attacker had with any peer', () => {
  assert.equal(judgeProperty(X, [commit], policy(false)).verdict, 'vacuous');
  assert.equal(judgeProperty({ ...X, peers: 'any' }, [commit], policy(false)).verdict, 'violated');
  assert.equal(judgeProperty({ ...X, peers: 'any' }, [commit], policy(true)).verdict, 'vacuous');
  assert.equal(judgeProperty({ ...X, peers: 'any' }, [{ ...commit, self: 'E' }], policy(false)).verdict, 'vacuous', "the attacker's own claims are never judged");
});

test("the validator: peers 'any' on a secrecy property is named", () => {
  const bad: Protocol = { ...nsl, properties: [...nsl.properties, { id: 'S', kind: 'secrecy', statement: '', tag: 'nb', peers: 'any' }] };
  assert.ok(protocolProblems(bad).some((m) => /S: peers 'any' is for agreement/.test(m)), protocolProblems(bad).join('\n'));
});
