/**
 * One judge for both interpreters: the explorer (symbolic claims, properties/explorer/judge.ts)
 * and the runtime (concrete claims, impl/runtime/claims-check.ts) give the same verdict on the
 * same claim log, for every property kind — in particular aliveness and weak agreement, where
 * the runtime once demanded the same tag and equal data (Lowe 1997: aliveness asks only that the
 * peer ran, weak agreement that it ran the protocol with us). A vacuous log (nothing judged) is a
 * typed verdict, not prose.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PropertyDecl, PropertyKind } from '../../models/protocol.ts';
import { type Term, c, name, termEquals, tup } from '../../models/terms.ts';
import type { ClaimEvent as Event } from '../../models/steps.ts';
import type { SymClaim } from '../../properties/explorer/execute.ts';
import { judge } from '../../properties/explorer/judge.ts';
import { checkClaims } from '../../impl/runtime/claims-check.ts';
import type { LoggedClaim } from '../../impl/runtime/session.ts';
import { type Value, bytesV, constV, tupleV } from '../../impl/wire/value.ts';
import type { Protocol } from '../../models/protocol.ts';

/** One claim, given once and built in both value types. */
interface Spec {
  readonly event: Event;
  readonly role: 'I' | 'R';
  readonly self: string;
  readonly peer: string;
  readonly tag: string;
  /** the claim data: nonce names */
  readonly data: readonly string[];
  readonly agents?: readonly string[];
}

const NONCES = new Map<string, Uint8Array>();
const bytesOf = (n: string) => NONCES.get(n) ?? (NONCES.set(n, new Uint8Array(32).fill(NONCES.size + 1)), NONCES.get(n)!);

function symbolic(specs: readonly Spec[]): SymClaim[] {
  return specs.map((s, i) => ({
    step: i,
    inst: i,
    role: s.role,
    self: s.self,
    agents: s.agents ?? [s.self, s.peer],
    event: s.event,
    tag: s.tag,
    peer: c(s.peer),
    data: tup(...s.data.map((n): Term => name(n, 'nonce'))),
  }));
}

function concrete(specs: readonly Spec[]): LoggedClaim[] {
  return specs.map((s, i) => ({
    seq: i,
    instance: `${s.role}#${i}`,
    session: 1,
    role: s.role,
    agent: s.self,
    agents: s.agents ?? [s.self, s.peer],
    event: s.event,
    tag: s.tag,
    peer: constV(s.peer) as Value,
    data: tupleV(s.data.map((n) => bytesV(bytesOf(n)))),
  }));
}

const prop = (kind: PropertyKind, mutual = false): PropertyDecl => ({ id: 'X', kind, statement: '', tag: 't', commit: 'R', running: 'I', mutual });

/** Both judges on one log: does each find a violation? */
function verdicts(p: PropertyDecl, specs: readonly Spec[]) {
  const explorer = judge(p, { claims: symbolic(specs), reveals: [], derivable: () => false, equal: termEquals }) !== null;
  const protocol = { properties: [p] } as unknown as Protocol;
  const check = checkClaims(protocol, concrete(specs), [], { attacker: 'E' })[0]!;
  return { explorer, runtime: check.verdict === 'violated', verdict: check.verdict };
}

const running = (tag: string, data: string[], self = 'a1'): Spec => ({ event: 'Running', role: 'I', self, peer: 'b1', tag, data });
const commit = (data: string[], over: Partial<Spec> = {}): Spec => ({ event: 'Commit', role: 'R', self: 'b1', peer: 'a1', tag: 't', data, ...over });

const CASES: { name: string; log: Spec[]; violated: Partial<Record<PropertyKind, boolean>> }[] = [
  { name: 'a Running of another tag by the peer', log: [running('other', ['x']), commit(['y'])], violated: { aliveness: false, 'weak-agreement': true, 'non-injective-agreement': true, 'injective-agreement': true } },
  { name: 'a Running of the tag with other data', log: [running('t', ['x']), commit(['y'])], violated: { aliveness: false, 'weak-agreement': false, 'non-injective-agreement': true, 'injective-agreement': true } },
  { name: 'a Running of the tag by another agent', log: [running('t', ['y'], 'a2'), commit(['y'])], violated: { aliveness: true, 'weak-agreement': true, 'non-injective-agreement': false, 'injective-agreement': false } },
  { name: 'two Commits on one Running', log: [running('t', ['y']), commit(['y']), commit(['y'])], violated: { aliveness: false, 'weak-agreement': false, 'non-injective-agreement': false, 'injective-agreement': true } },
  { name: 'a Running only after the Commit', log: [commit(['y']), running('t', ['y'])], violated: { aliveness: true, 'weak-agreement': true, 'non-injective-agreement': true, 'injective-agreement': true } },
  { name: "a Commit of an instance naming the attacker's agent", log: [commit(['y'], { peer: 'E', agents: ['b1', 'E'] })], violated: { aliveness: false, 'weak-agreement': false, 'non-injective-agreement': false, 'injective-agreement': false } },
];

for (const k of CASES)
  for (const [kind, expected] of Object.entries(k.violated) as [PropertyKind, boolean][])
    test(`${kind}, ${k.name}: explorer and runtime agree (${expected ? 'violated' : 'not violated'})`, () => {
      const v = verdicts(prop(kind), k.log);
      assert.equal(v.explorer, expected, 'explorer');
      assert.equal(v.runtime, expected, 'runtime');
    });

test('no Commit at all: vacuous in the runtime (a typed verdict, not ok), holds in the explorer', () => {
  const v = verdicts(prop('non-injective-agreement'), [running('t', ['x'])]);
  assert.deepEqual(v, { explorer: false, runtime: false, verdict: 'vacuous' });
});

test('mutual agreement judges both directions', () => {
  const log: Spec[] = [running('t', ['y']), commit(['y']), { event: 'Commit', role: 'I', self: 'a1', peer: 'b1', tag: 't', data: ['z'] }];
  const v = verdicts(prop('non-injective-agreement', true), log);
  assert.deepEqual([v.explorer, v.runtime], [true, true]);
});
