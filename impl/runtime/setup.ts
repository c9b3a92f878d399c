/**
 * Long-term set-up for a concrete run: one real value per (long-term name, agent), and each
 * role's initial environment from the protocol's `knows` terms.
 * @module
 */
import type { Protocol, RoleDecl } from '../../models/protocol.ts';
import { ltKey, ltRefOf } from '../../models/protocol.ts';
import { varsOf } from '../../models/terms.ts';
import { type Value, bytesV, constV, valueToJson } from '../wire/value.ts';
import { type EvalDeps, evaluate } from './evaluate.ts';

export class LongTermStore {
  private readonly values = new Map<string, Value>();
  constructor(
    private readonly protocol: Protocol,
    private readonly deps: EvalDeps,
  ) {}

  /** The long-term value `name` of `agent` (of the pair `agent`, `peer` for a value shared by
   * a pair: one value whichever way round if `shared: 'pair'`, k_AB = k_BA), created on first use — a per-pair key
   * is 32 fresh random bytes, an AES-256 key of that pair alone. */
  get(name: string, agent: string, peer?: string): Value {
    const decl = this.protocol.longTerm.find((l) => l.name === name);
    if (!decl) throw new Error(`undeclared long-term value '${name}'`);
    const key = ltKey(name, agent, peer, decl.shared);
    let v = this.values.get(key);
    if (!v) {
      if ((decl.shared !== undefined) !== (peer !== undefined)) throw new Error(`long-term value '${name}' is ${decl.shared ? 'shared by a pair of agents: name both' : 'one per agent: name one agent'}`);
      if (decl.sort === 'skey') v = { k: 'scalar', b: this.deps.suite.scalarFromSeed(this.deps.rng.bytes(48)) };
      else if (decl.sort === 'const' || decl.sort === 'agent') v = constV(`${name}:${agent}`);
      else v = bytesV(this.deps.rng.bytes(32));
      this.values.set(key, v);
    }
    return v;
  }

  entries(): [string, Value][] {
    return [...this.values.entries()];
  }
}

/** Which agent each agent variable of a role names, given the deployment. */
export function agentsOf(decl: RoleDecl, deployment: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [v, kind] of Object.entries(decl.agents)) {
    const a = deployment[kind];
    if (!a) throw new Error(`the deployment names no agent for '${kind}' (agent variable '${v}' of ${decl.role})`);
    out[v] = a;
  }
  return out;
}

/** The initial environment of a role instance: its agents and the values of its `knows`. */
export function initialEnv(
  decl: RoleDecl,
  agents: Readonly<Record<string, string>>,
  store: LongTermStore,
  deps: EvalDeps,
  /** long-term references with values from outside the store (`q@self` held by a real TPM) */
  given: Readonly<Record<string, Value>> = {},
): Record<string, Value> {
  const env: Record<string, Value> = {};
  for (const [v, a] of Object.entries(agents)) env[v] = constV(a);
  for (const [name, term] of Object.entries(decl.knows)) {
    const local: Record<string, Value> = { ...env, ...given };
    for (const x of varsOf(term)) {
      const ref = ltRefOf(x);
      if (ref && !(x.name in given)) local[x.name] = store.get(ref.name, agents[ref.agentVar]!, ref.peerVar === undefined ? undefined : agents[ref.peerVar]!);
    }
    env[name] = evaluate(term, local, deps);
  }
  return env;
}

/**
 * An enrolment kept across runs: the long-term values and every role's initial environment
 * (the TTP's tokens — its signatures over each party's key — and the public keys in them), made
 * by the first run and reused by later runs of the same protocol, suite, agents and given values.
 * A deployed TEE and TPM are enrolled once (protocol 1 leaves the tokens behind), not per key
 * exchange; a run without one (the default, `tcv run`) makes its own, as before. The values are
 * immutable, so sharing them between runs changes no run's messages, only the work before them.
 * Under a seed, the runs after the first draw fewer bytes from the seeded stream (no long-term
 * values), so their nonces differ from those of a run with its own enrolment.
 */
export class Enrolment {
  private readonly stores = new Map<string, LongTermStore>();
  private readonly envs = new Map<string, Record<string, Value>>();

  /** The long-term store of `protocol` on the run's suite (made with the first run's deps). */
  store(protocol: Protocol, deps: EvalDeps): LongTermStore {
    const key = `${protocol.name}|${deps.suite.name}`;
    let s = this.stores.get(key);
    if (!s) this.stores.set(key, (s = new LongTermStore(protocol, deps)));
    return s;
  }

  /** `initialEnv`, computed once per protocol, suite, role, agents and given values. */
  initialEnv(protocol: Protocol, decl: RoleDecl, agents: Readonly<Record<string, string>>, store: LongTermStore, deps: EvalDeps, given: Readonly<Record<string, Value>> = {}): Record<string, Value> {
    const givenKey = Object.entries(given).map(([k, v]) => [k, valueToJson(v), 'form' in v && v.form ? v.form.form.label : null]);
    const key = JSON.stringify([protocol.name, deps.suite.name, decl.role, agents, givenKey]);
    let env = this.envs.get(key);
    if (!env) this.envs.set(key, (env = initialEnv(decl, agents, store, deps, given)));
    return { ...env };
  }
}
