/**
 * Issue 5 — symbolic attacks replayed on real cryptography.
 *
 * An attack the explorer found is a sequence of steps of role instances; each received message
 * is a term the attacker built from what it knew. The replay recreates the same instances on the
 * concrete runtime (same roles, same agents, the attacker's own agent `E` included) and plays
 * the steps in order. The attacker's knowledge is a map from symbolic terms to concrete values:
 * long-term values it knows, values it saw (each honest message is matched against its symbolic
 * term, leaf by leaf), and fresh values of its own for the names it chose (`~x:…`). Each message
 * it sends is its symbolic term evaluated over that map with the real primitives (so an
 * attacker-made HMAC, DH share or decryption is really computed). At the end the violation is
 * checked on the concrete claims: agreement by the claim checks of the run, secrecy by the
 * attacker computing the secret's bytes and comparing them with what the party claimed.
 * @module
 */
import type { Protocol } from '../models/protocol.ts';
import { type Target, atSessions } from '../models/target.ts';
import { type Opening, openingOf } from '../models/equations.ts';
import { type Term, isAttackerChoice, show, v } from '../models/terms.ts';
import { type InstanceSpec, ProtocolRun } from '../impl/runtime/session.ts';
import type { CryptoSuite } from '../impl/crypto/index.ts';
import { EvalFailure, evaluate, freshValue } from '../impl/runtime/evaluate.ts';
import { checkClaims } from '../impl/runtime/claims-check.ts';
import { comparedWithCorrect, correctVersion } from './correct-version.ts';
import { decode, DecodeError, encode } from '../impl/wire/codec.ts';
import { type Value, constV, hex, valueEquals } from '../impl/wire/value.ts';
import { explore, generic } from './explorer/search.ts';
import type { Finding } from './explorer/search.ts';
import { ATTACKER, type Scenario } from './explorer/scenario.ts';
import { minimise } from './explorer/minimise.ts';

export interface ReplayStep {
  readonly n: number;
  readonly instance: string;
  readonly transition: string;
  readonly received?: { readonly label: string; readonly bytes: number; readonly hex: string; readonly forged: boolean };
  readonly sent: readonly { readonly to: string; readonly label: string; readonly bytes: number; readonly hex: string }[];
  readonly state: string;
  readonly note?: string;
}

export interface ReplayResult {
  readonly protocol: string;
  readonly variant: string | null;
  readonly property: string;
  /** the crypto suite of the concrete run */
  readonly suite: string;
  /** did the predicted violation happen on the real implementation */
  readonly reproduced: boolean;
  readonly detail: string;
  readonly steps: readonly ReplayStep[];
}

/** The attacker cannot build a term (yet): an expected outcome of a replay step, unlike a defect
 * of the runtime or the replay, which must surface as itself and never read as "the attack did
 * not reproduce". */
class CannotCompute extends Error {}

/** What a replay may meet without a defect: a term the attacker cannot build, or a primitive
 * failing on the values given (a wrong key, a malformed point). */
function expectedFailure(e: unknown): boolean {
  return e instanceof CannotCompute || e instanceof EvalFailure;
}

class AttackerKnowledge {
  private readonly known = new Map<string, Value>();
  /** ciphertexts seen but not opened yet (a key may be learned later) */
  /** ciphertexts observed and not opened yet: how a decryption of the table would open each */
  private sealed: [Opening, Value][] = [];
  constructor(private readonly run: ProtocolRun) {}

  learn(t: Term, x: Value): void {
    const k = show(t);
    if (!this.known.has(k)) this.known.set(k, x);
  }

  /** Match a symbolic message against the concrete value the attacker observed, and analyse it:
   * project tuples, open ciphertexts whose key it can compute (now or once it learns it). */
  observe(t: Term, x: Value): void {
    this.learn(t, x);
    if (t.t === 'app' && t.f === 'tuple' && x.k === 'tuple' && x.items.length === t.args.length) t.args.forEach((a, i) => this.observe(a, x.items[i]!));
    else if (t.t === 'app') {
      const o = openingOf(t);
      if (o) this.sealed.push([o, x]);
    }
    this.openSealed();
  }

  private openSealed(): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (const [o, x] of this.sealed) {
        try {
          const k = this.value(o.key);
          const dec = evaluate({ t: 'app', f: o.decryption, args: [v('c'), v('k')] }, { c: x, k }, this.run.deps);
          this.sealed = this.sealed.filter((e) => e[1] !== x);
          this.observe(o.plaintext, dec);
          progress = true;
          break;
        } catch (e) {
          if (!expectedFailure(e)) throw e;
          // not (yet) openable
        }
      }
    }
  }

  /** CFB ciphertexts are malleable: a message in which the attacker may choose a ciphertext is
   * made from the honest reply it replaces — the ciphertext with its last byte flipped (a valid
   * encoding of a different plaintext), its other open choices as the honest values. */
  preferMalleable(t: Term, honest: Value | undefined): void {
    if (!honest || !hasOpenCiphertext(t)) return;
    const align = (u: Term, h: Value) => {
      if (isAttackerChoice(u) && h.k !== 'tuple') {
        if (u.sort === 'ct' && h.k === 'bytes' && h.b.length > 0) {
          const b = Uint8Array.from(h.b);
          b[b.length - 1]! ^= 0x01;
          this.learn(u, { k: 'bytes', b });
        } else this.learn(u, h);
      } else if (u.t === 'app' && u.f === 'tuple' && h.k === 'tuple' && h.items.length === u.args.length) u.args.forEach((a, i) => align(a, h.items[i]!));
    };
    align(t, honest);
  }

  /** The concrete value of a symbolic term the attacker can build. Throws if it cannot. */
  value(t: Term): Value {
    const hit = this.known.get(show(t));
    if (hit) return hit;
    // the generator as a message is the base point
    if (t.t === 'const') return t.name === 'g' ? { k: 'point', b: this.run.deps.suite.basePointMul(ONE) } : constV(t.name);
    if (t.t === 'name') {
      // a long-term value (the trace only uses those the attacker knows), or one of its own
      // choices; an honest party's fresh value is known only if observed
      const o = t.origin;
      let x: Value;
      if (o?.kind === 'long-term') x = this.run.longTerm.get(o.value, o.agents[0]!, o.agents[1]);
      else if (o?.kind === 'attacker-choice') x = this.ownValue(t.sort);
      else throw new CannotCompute(`the attacker does not know ${show(t)}`);
      this.known.set(show(t), x);
      return x;
    }
    if (t.t === 'var') throw new Error(`open variable ${t.name} in an attacker term`);
    if (t.f === 'exp') return this.power(t);
    const env: Record<string, Value> = {};
    const args = t.args.map((a, i) => {
      env[`a${i}`] = this.value(a);
      return v(`a${i}`);
    });
    return evaluate({ ...t, args }, env, this.run.deps);
  }

  /** A value of its own of the right kind for a choice the trace leaves open. */
  private ownValue(sort: string): Value {
    const { suite, rng } = this.run.deps;
    switch (sort) {
      case 'point':
        return { k: 'point', b: suite.basePointMul(suite.scalarFromSeed(rng.bytes(48))) };
      case 'sig':
        return { k: 'sig', b: suite.sign(suite.scalarFromSeed(rng.bytes(48)), rng.bytes(8)) };
      case 'const':
      case 'agent':
        return constV('E');
      default:
        return freshValue(sort, this.run.deps);
    }
  }

  /** b^(x1*…*xn): start from a power the attacker saw (or the base) and multiply in known exponents. */
  private power(t: Term & { t: 'app' }): Value {
    const [base, e] = t.args as [Term, Term];
    const factors = e.t === 'app' && e.f === 'mult' ? [...e.args] : [e];
    for (let k = factors.length; k >= 0; k--) {
      // try every subset of size k of the factors as the part already inside a known point
      for (const inside of subsets(factors, k)) {
        const start = inside.length === 0 ? base : { t: 'app' as const, f: 'exp' as const, args: [base, inside.length === 1 ? inside[0]! : { t: 'app' as const, f: 'mult' as const, args: inside }] };
        const known = inside.length === 0 ? (base.t === 'const' ? constV(base.name) : this.known.get(show(base))) : this.known.get(show(start));
        if (!known) continue;
        const rest = factors.filter((f) => !inside.includes(f));
        try {
          let acc: Value = known;
          for (const f of rest) acc = evaluate({ t: 'app', f: 'exp', args: [v('b'), v('x')] }, { b: acc, x: this.value(f) }, this.run.deps);
          return acc;
        } catch (e) {
          if (!expectedFailure(e)) throw e;
          continue;
        }
      }
    }
    throw new CannotCompute(`the attacker cannot compute ${show(t)}`);
  }
}

function hasOpenCiphertext(t: Term): boolean {
  if (t.t === 'name') return isAttackerChoice(t) && t.sort === 'ct';
  return t.t === 'app' && t.args.some(hasOpenCiphertext);
}

const ONE = Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 1 : 0));

function subsets<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [h, ...rest] = xs;
  return [...subsets(rest, k - 1).map((s) => [h!, ...s]), ...subsets(rest, k)];
}

/** A runtime role instance: its id in the run (`TEE#1`, the runtime's name for it) and the role
 * and session it is made of — read from here, never parsed back from the id. */
interface ReplayInstance {
  readonly id: string;
  readonly role: string;
  readonly session: number;
}

/** Runtime instances for the scenario's symbolic instances (`TEE1` → `TEE#1`). */
function instanceSpecs(scen: Scenario): { specs: InstanceSpec[]; names: Map<number, string>; byId: Map<number, ReplayInstance> } {
  const count = new Map<string, number>();
  const names = new Map<number, string>();
  const byId = new Map<number, ReplayInstance>();
  const specs = scen.instances.map((inst) => {
    const k = (count.get(inst.role) ?? 0) + 1;
    count.set(inst.role, k);
    names.set(inst.id, `${inst.role}#${k}`);
    byId.set(inst.id, { id: `${inst.role}#${k}`, role: inst.role, session: k });
    return { role: inst.role, session: k, agents: inst.agents };
  });
  return { specs, names, byId };
}

/** Play the finding's steps on `protocol` (the variant it was found on, or the correct one). */
export function replayFinding(protocol: Protocol, scen: Scenario, f: Finding, seed: number, suite?: CryptoSuite): { run: ProtocolRun; steps: ReplayStep[]; failure: string | null; attacker: AttackerKnowledge; names: Map<number, string> } {
  const { specs, names, byId } = instanceSpecs(scen);
  const run = new ProtocolRun(protocol, { seed, instances: specs, ...(suite ? { suite } : {}) });
  const attacker = new AttackerKnowledge(run);
  const st = f.state;
  const steps: ReplayStep[] = [];
  const states = () => new Map(run.partyStates().map((p) => [p.instance, p]));
  for (const [k, s] of st.steps.entries()) {
    if (s.reveal) continue; // the attacker reads the long-term value when it needs it
    const { id: inst, role, session } = byId.get(s.inst)!;
    const before = run.network.observed.length;
    let received: ReplayStep['received'];
    try {
      if (!s.recv) run.startInstance(inst);
      else {
        const sym = generic(s.recv.term, st.s);
        const isHonestReply = (e: { to: string; label: string; session: number; origin: string }) => e.to === role && e.label === s.recv!.label && e.session === session && e.origin === 'party';
        // forging a ciphertext concretely means tampering with a real one (CFB malleability):
        // if none is there yet, let the honest peers answer first (they do not touch `inst`)
        if (hasOpenCiphertext(sym))
          for (let g = 0; g < 20 && !run.network.pending().some(isHonestReply); g++) {
            const other = run.network.pending().find((e) => !(e.to === role && e.session === session));
            if (!other) break;
            run.deliver(other.id);
          }
        const honest = run.network.pending().find(isHonestReply);
        const hv = honest ? decode(honest.bytes) : undefined;
        attacker.preferMalleable(sym, hv instanceof DecodeError ? undefined : hv);
        const value = attacker.value(sym);
        const bytes = encode(value);
        const same = run.network.pending().find((e) => e.to === role && valueEquals(decode(e.bytes) as Value, value));
        const env = same ?? run.network.inject('attacker', role, s.recv.label, bytes, session);
        received = { label: s.recv.label, bytes: bytes.length, hex: hex(bytes), forged: !same };
        run.deliver(env.id, inst);
      }
    } catch (e) {
      if (!expectedFailure(e)) throw e;
      return { run, steps, failure: `step ${k + 1} (${inst} ${s.transition}): ${(e as Error).message}`, attacker, names };
    }
    const out = run.network.observed.slice(before).filter((e) => e.origin === 'party' && e.from === role && e.session === session);
    out.forEach((e, i) => {
      const sym = s.sends[i];
      const val = decode(e.bytes);
      if (sym && !(val instanceof DecodeError)) attacker.observe(generic(sym.term, st.s), val);
    });
    const me = states().get(inst)!;
    steps.push({
      n: k + 1,
      instance: inst,
      transition: s.transition,
      ...(received ? { received } : {}),
      sent: out.map((e) => ({ to: e.to, label: e.label, bytes: e.bytes.length, hex: hex(e.bytes) })),
      state: me.state,
      ...(me.failure ? { note: `${me.failure.code}: ${me.failure.message}` } : {}),
    });
    if (me.state === 'failed') return { run, steps, failure: `${inst} rejected step ${k + 1}: ${me.failure?.message}`, attacker, names };
  }
  return { run, steps, failure: null, attacker, names };
}

/** Did the finding's violation happen concretely in this replayed run? */
function violated(protocol: Protocol, f: Finding, replay: ReturnType<typeof replayFinding>): { yes: boolean; detail: string } {
  if (replay.failure) return { yes: false, detail: replay.failure };
  const prop = f.prop;
  if (prop.kind === 'secrecy' || prop.kind === 'forward-secrecy') {
    const claim = f.violation.claim;
    const concrete = replay.run.claims.find((c) => c.event === 'Secret' && c.tag === prop.tag && c.instance === replay.names.get(claim.inst));
    if (!concrete) return { yes: false, detail: `no Secret(${prop.tag}) claim by ${claim.role} in the concrete run` };
    let derived: Value;
    try {
      derived = replay.attacker.value(generic(claim.data, f.goal?.s ?? f.state.s));
    } catch (e) {
      if (!expectedFailure(e)) throw e;
      return { yes: false, detail: (e as Error).message };
    }
    return valueEquals(derived, concrete.data)
      ? { yes: true, detail: `the attacker computed ${prop.tag} = ${hex(encode(derived)).slice(0, 32)}…, the value ${concrete.instance} claimed secret` }
      : { yes: false, detail: `the attacker's value of ${prop.tag} differs from the claimed one` };
  }
  // judged as the explorer judges: the attacker's agent's instances are not honest
  const c = checkClaims(protocol, replay.run.claims, replay.run.network.observed, { attacker: ATTACKER }).find((x) => x.id === prop.id);
  if (!c) return { yes: false, detail: `${prop.id} is not a property of ${protocol.name}` };
  return { yes: c.verdict === 'violated', detail: c.detail };
}

/** What replaying a finding with real crypto shows: on the variant it was found on, and the
 * same schedule on the correct protocol (where the violation must not happen) — null when the
 * variant does not break the property (`comparedWithCorrect`). */
export interface ReplayOutcome {
  readonly variant: { readonly reproduced: boolean; readonly detail: string };
  readonly correct: { readonly reproduced: boolean; readonly detail: string } | null;
  /** wall time of both replays */
  readonly ms: number;
}

/** Replay a (minimised) finding of a variant on the variant and on the correct protocol. */
export function replayOutcome(target: Target, scen: Scenario, found: Finding, seed = 1): ReplayOutcome {
  const t0 = performance.now();
  const { protocol } = target;
  const on = (proto: Protocol) => {
    const v = violated(proto, found, replayFinding(proto, scen, found, seed));
    return { reproduced: v.yes, detail: v.detail };
  };
  const variant = on(protocol);
  const correct = comparedWithCorrect(target, found.prop.id) ? on(correctVersion(target)) : null;
  return { variant, correct, ms: Math.round((performance.now() - t0) * 10) / 10 };
}

/**
 * Find the attack on `propertyId` (or the first attacked property) of a variant with the
 * explorer, replay it on the real implementation, and replay the same schedule against the
 * correct protocol, where it must not produce the violation. Without a variant the protocol is
 * attacked as it is (a user's protocol with a flaw, a textbook protocol's known attack): at one
 * session per role first, then at the protocol's bound, and the attack found is replayed on the
 * protocol itself (`correctRun` is null: there is no other version to compare with). A bound the
 * user chose (`Target.bound.chosen`) is the one searched.
 */
export function replayAttack(target: Target, opts: { property?: string; seed?: number; timeoutMs?: number; suite?: CryptoSuite } = {}) {
  const { base: p, protocol, variant, bound } = target;
  const variantId = variant?.id;
  const focus = opts.property ? [opts.property] : variant?.breaks.length ? variant.breaks : undefined;
  const t0 = performance.now();
  const budget = opts.timeoutMs ?? 60_000;
  const search = (sessions: number) => explore(atSessions(target, sessions), { timeoutMs: budget, deadlineAt: t0 + budget, ...(focus ? { properties: focus } : {}) });
  const first = bound.chosen ? bound.sessions : (variant?.sessions ?? 1);
  let r = search(first);
  const pick = () => opts.property ?? variant?.breaks.find((id) => r.verdicts.get(id)?.finding) ?? [...r.verdicts].find(([, x]) => x.finding)?.[0];
  // the base protocol: an attack needing more sessions is looked for at the protocol's bound
  if (variant === undefined && !bound.chosen && !pick() && !r.stats.cut && bound.sessions > first) r = search(bound.sessions);
  const wanted = pick();
  const finding = wanted ? r.verdicts.get(wanted)?.finding : undefined;
  // `cut`: the search stopped at a budget, so "no attack" is inconclusive, not a result
  if (!wanted || !finding) return { found: false as const, verdicts: r.verdicts, bound: r.bound, cut: r.stats.cut };
  // the steps the attack uses, as `tcv verify` shows them
  const found = minimise(r.scenario, finding).finding;
  const seed = opts.seed ?? 1;
  const onVariant = replayFinding(protocol, r.scenario, found, seed, opts.suite);
  const v1 = violated(protocol, found, onVariant);
  const result = (rep: typeof onVariant, v: typeof v1, variant: string | null): ReplayResult => ({
    protocol: p.name,
    variant,
    property: wanted,
    suite: rep.run.deps.suite.name,
    reproduced: v.yes,
    detail: v.detail,
    steps: rep.steps,
  });
  let correctRun: ReplayResult | null = null;
  if (comparedWithCorrect(target, wanted)) {
    const correct = correctVersion(target);
    const onCorrect = replayFinding(correct, r.scenario, found, seed, opts.suite);
    correctRun = result(onCorrect, violated(correct, found, onCorrect), null);
  }
  return {
    found: true as const,
    bound: r.bound,
    scenario: r.scenario,
    finding: found,
    variantRun: result(onVariant, v1, variantId ?? null),
    correctRun,
  };
}
