/**
 * The runs bound (`properties/explorer/runs.ts`, `tcv verify --runs N`): N role instances in all,
 * any role, any honest agent, peers honest or E. Each test pairs what the bound reaches with what
 * it must not (or what `--sessions` does not reach).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Protocol, agent, lt } from '../../../models/protocol.ts';
import { roleMachine } from '../../../models/role.ts';
import { claim, fresh, match, recv, send } from '../../../models/steps.ts';
import { adec, aenc, pk, tup, v } from '../../../models/terms.ts';
import { ALL_PROTOCOLS } from '../../../models/catalog.ts';
import { explore } from '../../../properties/explorer/search.ts';
import { buildScenario } from '../../../properties/explorer/scenario.ts';
import { targetOf } from '../../../models/target.ts';

const self = agent('self');
const peer = agent('peer');
const sk = v('sk', 'skey');
const pkPeer = v('pkPeer', 'point');
const n = v('n', 'nonce');
const x = v('x', 'nonce');

/** A challenge whose answer has the challenge's own shape: I sends aenc(<n, I>, pk(P)) and
 * accepts aenc(<n, P>, pk(I)), R answers aenc(<x, A>, pk(R)) with aenc(<x, R>, pk(A)). An
 * initiator talking to itself accepts its own challenge reflected back (no responder ran): a
 * reflection attack on I's agreement, with every message of its declared sort. The `fixed`
 * version puts a direction tag in the answer, which the challenge lacks. */
function echo(fixed: boolean): Protocol {
  const ct = v('ct', 'ct');
  const i = roleMachine({
    role: 'I',
    party: 'I',
    initial: 's0',
    knows: [self, peer, sk, pkPeer],
    transitions: [
      { label: 'i.ask', from: 's0', to: 's1', trigger: 'START', steps: [fresh(n), send('R', 'ask', aenc(tup(n, self), pkPeer))] },
      { label: 'i.done', from: 's1', to: 'done', trigger: 'MSG', steps: [recv('R', 'ans', ct), match(fixed ? tup(n, peer, peer) : tup(n, peer), adec(ct, sk), 'open the answer'), claim('Commit', 'echo', peer, tup(self, peer, n))] },
    ],
  });
  const r = roleMachine({
    role: 'R',
    party: 'R',
    initial: 's0',
    knows: [self, peer, sk, pkPeer],
    transitions: [
      { label: 'r.ans', from: 's0', to: 'done', trigger: 'MSG', steps: [recv('I', 'ask', ct), match(tup(x, peer), adec(ct, sk), 'open the challenge'), claim('Running', 'echo', peer, tup(peer, self, x)), send('I', 'ans', aenc(fixed ? tup(x, self, self) : tup(x, self), pkPeer))] },
    ],
  });
  return {
    name: fixed ? 'echo-fixed' : 'echo',
    title: 'reflection toy',
    source: 'test',
    roles: [
      { role: 'I', machine: i, agents: { self: 'I', peer: 'R' }, initiator: true, knows: { sk: lt('sk', 'self'), pkPeer: pk(lt('sk', 'peer')) } },
      { role: 'R', machine: r, agents: { self: 'R', peer: 'I' }, initiator: false, knows: { sk: lt('sk', 'self'), pkPeer: pk(lt('sk', 'peer')) } },
    ],
    longTerm: [{ name: 'sk', owner: 'I', sort: 'skey' }],
    deployment: { I: 'a1', R: 'b1' },
    properties: [{ id: 'E1', kind: 'non-injective-agreement', statement: 'If I completes with P, P ran R with I on n.', tag: 'echo', commit: 'I', running: 'R', expected: 'holds' }],
    variants: [],
  };
}

test('runs bound: an honest agent talking to itself (reflection) is in it, and not in the sessions bound', () => {
  const r = explore(targetOf(echo(false), undefined, { runs: 1 }));
  assert.equal(r.verdicts.get('E1')!.verdict, 'attack');
  const inst = r.scenario.instances[r.verdicts.get('E1')!.finding!.state.steps[0]!.inst]!;
  assert.equal(inst.agents['self'], inst.agents['peer'], 'the attack is the initiator reflected onto itself');
  // per-role sessions put I on a1 and R on b1: no instance talks to itself
  assert.equal(explore(targetOf(echo(false), undefined, { sessions: 2 })).verdicts.get('E1')!.verdict, 'holds');
  // the fixed answer is not a reflected challenge: holds at the same runs bound
  assert.equal(explore(targetOf(echo(true), undefined, { runs: 2 })).verdicts.get('E1')!.verdict, 'holds');
});

test("runs bound: Lowe's attack needs two runs, and at most N instances ever start", () => {
  const nspk = ALL_PROTOCOLS.find((p) => p.name === 'nspk')!;
  assert.equal(explore(targetOf(nspk, undefined, { runs: 1 }), { properties: ['NS2'] }).verdicts.get('NS2')!.verdict, 'holds');
  const two = explore(targetOf(nspk, undefined, { runs: 2 }), { properties: ['NS2'] });
  assert.equal(two.verdicts.get('NS2')!.verdict, 'attack');
  const used = new Set(two.verdicts.get('NS2')!.finding!.state.steps.map((s) => s.inst));
  assert.ok(used.size <= 2, `instances ${[...used].join(',')}`);
  assert.match(two.bound, /2 run\(s\) in all, each of any role/);
});

test('runs bound: the scenario has every kind of run (role × self honest × peer honest or E), N of each', () => {
  const scen = buildScenario(echo(false), { sessions: 1, runs: 3 });
  // per role: self ∈ {a1, b1}, peer ∈ {a1, b1, E}: 6 kinds, 12 for both roles, 3 copies each
  assert.equal(scen.instances.length, 36);
  assert.ok(scen.instances.some((i) => i.role === 'R' && i.agents['self'] === 'a1' && i.agents['peer'] === 'a1'), 'an initiator agent plays the responder, with itself');
  assert.ok(!scen.instances.some((i) => i.agents['self'] === 'E'));
  // the bound is checked once, when the target is resolved (models/target.ts)
  assert.throws(() => targetOf(echo(false), undefined, { runs: 9 }), /runs must be a whole number from 1 to 8/);
});
