/**
 * A network attacker against the concrete runtime, as data: a program is a list of actions
 * (deliver, route to another session, drop, replay, flip bits, splice a field from another
 * observed message, forge a field with the attacker's own nonce / key / signature), run on a
 * `ProtocolRun`. fast-check generates programs; attack traces from the explorer can be compiled
 * into the same actions.
 * @module
 */
import fc from 'fast-check';
import type { ProtocolRun } from '../impl/runtime/session.ts';
import { decode, DecodeError, encode } from '../impl/wire/codec.ts';
import type { Value } from '../impl/wire/value.ts';
import { tpm2P256 } from '../impl/crypto/index.ts';

export type AttackAction =
  | { readonly op: 'deliver'; readonly pick: number }
  | { readonly op: 'route'; readonly pick: number; readonly session: number }
  | { readonly op: 'drop'; readonly pick: number }
  | { readonly op: 'replay'; readonly pick: number; readonly session: number }
  | { readonly op: 'flip'; readonly pick: number; readonly pos: number; readonly mask: number }
  | { readonly op: 'splice'; readonly pick: number; readonly from: number; readonly leaf: number }
  | { readonly op: 'forge'; readonly pick: number; readonly leaf: number; readonly seed: number };

export const attackAction: fc.Arbitrary<AttackAction> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('deliver' as const), pick: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('route' as const), pick: fc.nat(7), session: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), pick: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), pick: fc.nat(30), session: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('flip' as const), pick: fc.nat(7), pos: fc.nat(400), mask: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('splice' as const), pick: fc.nat(7), from: fc.nat(30), leaf: fc.nat(12) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('forge' as const), pick: fc.nat(7), leaf: fc.nat(12), seed: fc.nat() }) },
);

type Leaf = Exclude<Value, { k: 'tuple' }>;

function leavesOf(v: Value, out: Leaf[] = []): Leaf[] {
  if (v.k === 'tuple') v.items.forEach((i) => leavesOf(i, out));
  else out.push(v);
  return out;
}

function replaceLeaf(v: Value, index: number, by: (old: Leaf) => Value): Value {
  let i = 0;
  const go = (x: Value): Value => (x.k === 'tuple' ? { k: 'tuple', items: x.items.map(go) } : i++ === index ? by(x) : x);
  return go(v);
}

/** The attacker's own material: a nonce, a DH/public key it holds, a signature with its key. */
function forgedLeaf(old: Leaf, seed: number): Value {
  const sk = tpm2P256.scalarFromSeed(new Uint8Array(32).fill((seed % 250) + 1));
  switch (old.k) {
    case 'bytes':
      return { k: 'bytes', b: Uint8Array.from({ length: old.b.length || 32 }, (_, i) => (seed * 31 + i) & 0xff) };
    case 'point':
      return { k: 'point', b: tpm2P256.basePointMul(sk) };
    case 'sig':
      return { k: 'sig', b: tpm2P256.sign(sk, Uint8Array.of(seed & 0xff)) };
    case 'scalar':
      return { k: 'scalar', b: sk };
    case 'const':
      return { k: 'const', s: seed % 2 ? 'E' : old.s === '1' ? '2' : '1' };
  }
}

/** Run one action; picks index modulo what exists, so every program is meaningful. */
export function applyAction(run: ProtocolRun, a: AttackAction, sessions: number): void {
  const pending = run.network.pending();
  const observed = run.network.observed;
  const pick = pending.length ? pending[a.op === 'replay' ? 0 : a.pick % pending.length] : undefined;
  switch (a.op) {
    case 'deliver':
      if (pick) run.deliver(pick.id);
      return;
    case 'route':
      if (pick && run.protocol.roles.some((r) => r.role === pick.to)) run.deliver(pick.id, `${pick.to}#${(a.session % sessions) + 1}`);
      return;
    case 'drop':
      if (pick) run.network.drop(pick.id);
      return;
    case 'replay':
      if (observed.length) run.network.duplicate(observed[a.pick % observed.length]!.id, (a.session % sessions) + 1);
      return;
    case 'flip': {
      if (!pick) return;
      const b = Uint8Array.from(pick.bytes);
      b[a.pos % b.length]! ^= a.mask;
      run.network.replace(pick.id, b);
      return;
    }
    case 'splice':
    case 'forge': {
      if (!pick) return;
      const v = decode(pick.bytes);
      if (v instanceof DecodeError) return;
      const n = leavesOf(v).length;
      let by: (old: Leaf) => Value;
      if (a.op === 'forge') by = (old) => forgedLeaf(old, a.seed);
      else {
        const src = decode(observed[a.from % observed.length]!.bytes);
        if (src instanceof DecodeError) return;
        by = (old) => leavesOf(src).find((l) => l.k === old.k) ?? old;
      }
      run.network.replace(pick.id, encode(replaceLeaf(v, a.leaf % n, by)));
      return;
    }
  }
}

/** After the program, the honest network delivers what is left (each to its own session). */
export function drain(run: ProtocolRun, max = 200): void {
  for (let i = 0; i < max && run.network.pending().length; i++) run.deliver((run.deliverable()[0] ?? run.network.pending()[0])!.id);
}

/** An action taken after `at` honest deliveries. */
export interface TimedAction {
  readonly at: number;
  readonly action: AttackAction;
}

export const attackProgram: fc.Arbitrary<TimedAction[]> = fc
  .array(fc.record({ at: fc.nat(24), action: attackAction }), { minLength: 1, maxLength: 8 })
  .map((xs) => [...xs].sort((a, b) => a.at - b.at));

/** Interleave the program with honest deliveries: the attacker acts at chosen points of an
 * otherwise honest run, so it reaches late messages as easily as early ones. */
export function runProgram(run: ProtocolRun, program: readonly TimedAction[], sessions: number, max = 200): void {
  let i = 0;
  for (let t = 0; t < max; t++) {
    while (i < program.length && program[i]!.at <= t) applyAction(run, program[i++]!.action, sessions);
    const next = run.deliverable()[0] ?? run.network.pending()[0];
    if (!next) {
      if (i >= program.length) return;
      continue;
    }
    run.deliver(next.id);
  }
}
