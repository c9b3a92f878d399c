/**
 * Long-term set-up for a concrete run: one real value per (long-term name, agent), and each
 * role's initial environment from the protocol's `knows` terms.
 * @module
 */
import type { Protocol, RoleDecl } from '../../models/protocol.ts';
import { ltKey, parseLt } from '../../models/protocol.ts';
import { varsOf } from '../../models/terms.ts';
import { type Value, bytesV, constV } from '../wire/value.ts';
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
      const ref = parseLt(x);
      if (ref && !(x.name in given)) local[x.name] = store.get(ref.name, agents[ref.agentVar]!, ref.peerVar === undefined ? undefined : agents[ref.peerVar]!);
    }
    env[name] = evaluate(term, local, deps);
  }
  return env;
}
