import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROTOCOLS } from '../../../models/catalog.ts';
import { explore } from '../../../properties/explorer/search.ts';
import { attackSteps, minimise, replay } from '../../../properties/explorer/minimise.ts';
import { partOf, stepSig, violatesAgain } from './short-traces.ts';
import { targetOf } from '../../../models/target.ts';

const byName = (n: string) => ALL_PROTOCOLS.find((p) => p.name === n)!;

function finding(p: string, variant: string | undefined, prop: string, sessions: number) {
  const r = explore(targetOf(byName(p), variant, { sessions }), { properties: [prop] });
  const f = r.verdicts.get(prop)!.finding;
  assert.ok(f, `${p} ${variant ?? ''} ${prop}: an attack at ${sessions} session(s)`);
  return { scen: r.scenario, f: f! };
}

test("Lowe's attack is shown in its four steps: the initiator's unused first session is left out", () => {
  const { scen, f } = finding('nspk', undefined, 'NS1', 1);
  const { finding: short, omitted } = minimise(scen, f);
  assert.ok(f.state.steps.length > 4, 'the path found holds a step the attack does not use');
  assert.deepEqual(
    short.state.steps.map((s) => s.transition),
    ['i.msg1', 'r.msg2', 'i.msg3', 'r.done'],
  );
  assert.equal(omitted, f.state.steps.length - 4);
  // one initiator instance (talking to E) and one responder do everything
  assert.equal(new Set(short.state.steps.map((s) => s.inst)).size, 2);
});

test('a schedule that is no attack is not accepted by the replay', () => {
  const { scen, f } = finding('nspk', undefined, 'NS1', 1);
  const steps = f.state.steps;
  // without the responder's last step nb is never claimed secret
  const cut = steps.filter((s) => s.transition !== 'r.done');
  assert.equal(replay(scen, f, cut), null);
  // a step whose instance never took the steps before it cannot be taken
  const skipped = steps.filter((s) => s.transition !== 'r.msg2');
  assert.equal(replay(scen, f, skipped), null);
  // the whole path replays to a violation
  assert.ok(replay(scen, f, steps));
});

// attacks on every kind of property the corpus breaks: secrecy (NS1 above, P2.1), non-injective
// agreement (NS2, NSSK1), injective agreement (P2.2, P2.3, P4.1: replays), forward secrecy with
// a reveal after the claim (P2.4)
const CASES: [string, string | undefined, string, number][] = [
  ['nspk', undefined, 'NS2', 1],
  // NSSK1 needs a second B session: at one, the initiator would have to accept a message 4 it
  // cannot decrypt (a false attack before the one sort discipline, models/sorts.ts)
  ['nssk', undefined, 'NSSK1', 2],
  ['signed-dh', undefined, 'DH2', 1],
  ['key-exchange', 'M2.1', 'P2.1', 1],
  ['key-exchange', undefined, 'P2.4', 1],
  ['key-exchange', 'M2.3', 'P2.3', 2],
  ['key-exchange', 'M2.3', 'P2.2', 2],
  ['tztcm-session', 'M4.2', 'P4.1', 2],
  ['attestation', 'M1.3', 'P1.4', 1],
];
for (const [p, variant, prop, sessions] of CASES) {
  test(`${p}${variant ? ' ' + variant : ''} ${prop}: the short trace is part of the path found and still violates ${prop}`, () => {
    const { scen, f } = finding(p, variant, prop, sessions);
    const { finding: short, omitted } = minimise(scen, f);
    const path = f.state.steps;
    const kept = short.state.steps;
    assert.ok(partOf(kept, path), `${kept.map(stepSig).join(' ')} within ${path.map(stepSig).join(' ')}`);
    assert.equal(omitted, path.length - kept.length);
    // judged again, by a fresh solver, on the state the short trace ends in
    assert.ok(violatesAgain(short), 'the short trace violates the property');
    // never longer than the dependency closure it started from
    assert.ok(kept.length <= attackSteps(f).length);
  });
}
