/**
 * The bounded scenario the explorer searches: which role instances exist, which agents play
 * them, what each knows at the start, what the attacker knows at the start, and which
 * compromise events it may trigger.
 *
 * Agents. The deployment names one agent per role kind. Kinds that share a deployment agent
 * (the TEE and the TPM of node `n1`) are node-scoped: a second honest node is made by changing
 * the agent's index (`n1` → `n2`). A deployment agent without an index (`ttp`) is a unique
 * trusted authority. `E` is the attacker's own agent: its long-term values are known to the
 * attacker from the start, and it holds the credentials an honest authority issued to it (the
 * set-up of every role evaluated with `self = E`), so the attacker can play any role as `E`.
 *
 * Instances, for `sessions = N`:
 * - per role, N instances on the primary agents (the deployment);
 * - per role and per non-self agent variable of a non-authority kind, one instance with that
 *   variable bound to `E` (an honest party talking to the attacker: an oracle, never judged);
 * - with `nodes = 2` and node-scoped agents, one more instance per role on the second node.
 * Compromise events are explored only where a forward-secrecy property names them (other
 * compromises of third parties are covered by the attacker's own agent `E`).
 * @module
 */
import { normalize } from '../../models/equations.ts';
import { type Protocol, ltAgents, ltKey, ltRefOf } from '../../models/protocol.ts';
import { type RoleDef, roleOf } from '../../models/role.ts';
import { type Term, G, app, c, name, substitute, varsOf } from '../../models/terms.ts';
import { honestAgents, runKinds, runsBound } from './runs.ts';

export const ATTACKER = 'E';

export interface Instance {
  readonly id: number;
  /** e.g. `TEE1` */
  readonly label: string;
  readonly role: string;
  /** agent variable → agent name */
  readonly agents: Readonly<Record<string, string>>;
  readonly state: string;
  /** variable → term (raw; resolve with the state's substitution) */
  readonly env: Readonly<Record<string, Term>>;
  /** has it taken a step yet (symmetry reduction) */
  readonly started: boolean;
}

export interface RevealOption {
  readonly event: string;
  readonly lt: string;
  readonly agent: string;
  readonly value: Term;
}

export interface Scenario {
  readonly roles: ReadonlyMap<string, RoleDef>;
  readonly instances: readonly Instance[];
  readonly knowledge: readonly Term[];
  readonly reveals: readonly RevealOption[];
  /** one line saying what was searched */
  readonly bound: string;
  /** with `ScenarioOptions.runs`: at most this many instances start in a trace */
  readonly runs?: number;
}

/** The bound of a resolved target (models/target.ts checked it once; it is not checked again). */
export interface ScenarioOptions {
  readonly sessions: number;
  readonly nodes?: number;
  /** Scyther's bound instead of sessions per role (`runs.ts`): this many role instances in all,
   * each of any role, played by any honest agent, with any peers */
  readonly runs?: number;
}

/** The long-term value `name` of `agent` (or shared by the pair `agent`, `peer`: for an
 * unordered pair one name whichever way round), as one symbolic name. */
export function ltName(p: Protocol, lt: string, agent: string, peer?: string): Term {
  const decl = p.longTerm.find((l) => l.name === lt);
  return name(ltKey(lt, agent, peer, decl?.shared), decl?.sort ?? 'skey', { kind: 'long-term', value: lt, agents: ltAgents(agent, peer, decl?.shared) });
}

function secondAgent(a: string): string {
  return /\d+$/.test(a) ? a.replace(/\d+$/, (d) => String(Number(d) + 1)) : `${a}2`;
}

export function buildScenario(p: Protocol, opts: ScenarioOptions): Scenario {
  const roles = new Map(p.roles.map((r) => [r.role, roleOf(r.machine)] as const));
  const deploy = (kind: string) => p.deployment[kind] ?? `${kind.toLowerCase()}1`;
  const deployCount = new Map<string, number>();
  for (const a of Object.values(p.deployment)) deployCount.set(a, (deployCount.get(a) ?? 0) + 1);
  const nodeScoped = (kind: string) => (deployCount.get(deploy(kind)) ?? 0) > 1;
  const authority = (kind: string) => !/\d$/.test(deploy(kind));
  const allAgents = new Set<string>([ATTACKER]);

  const setupEnv = (role: string, agents: Record<string, string>): Record<string, Term> => {
    const decl = p.roles.find((r) => r.role === role)!;
    const def = roles.get(role)!;
    const env: Record<string, Term> = {};
    for (const k of def.knows) {
      if (k.sort === 'agent') env[k.name] = c(agents[k.name]!);
      else env[k.name] = normalize(instantiate(p, decl.knows[k.name]!, agents));
    }
    return env;
  };

  const instances: Instance[] = [];
  const perRole = new Map<string, number>();
  const add = (role: string, agents: Record<string, string>) => {
    for (const a of Object.values(agents)) allAgents.add(a);
    const def = roles.get(role)!;
    // counted, not filtered: the scenario is built before the search's deadline is checked
    const n = (perRole.get(role) ?? 0) + 1;
    perRole.set(role, n);
    instances.push({ id: instances.length, label: `${role}${n}`, role, agents, state: def.initial, env: setupEnv(role, agents), started: false });
  };
  const honest = honestAgents([...new Set(p.roles.flatMap((r) => Object.values(r.agents)))].filter((k) => !authority(k)).map(deploy));
  if (opts.runs !== undefined)
    // every kind of run, `runs` of each: the search starts at most `runs` instances in all
    for (const kind of runKinds(p.roles, (k) => (authority(k) ? deploy(k) : undefined), honest)) for (let k = 0; k < opts.runs; k++) add(kind.role, kind.agents);
  else for (const decl of p.roles) {
    const primary = Object.fromEntries(Object.entries(decl.agents).map(([v, kind]) => [v, deploy(kind)]));
    for (let k = 0; k < opts.sessions; k++) add(decl.role, primary);
    for (const [v, kind] of Object.entries(decl.agents)) if (v !== 'self' && !authority(kind)) add(decl.role, { ...primary, [v]: ATTACKER });
    if ((opts.nodes ?? 1) > 1 && nodeScoped(decl.agents['self']!)) {
      const second = Object.fromEntries(Object.entries(decl.agents).map(([v, kind]) => [v, nodeScoped(kind) ? secondAgent(deploy(kind)) : deploy(kind)]));
      add(decl.role, second);
    }
  }

  // the attacker's initial knowledge
  const know: Term[] = [G];
  const seen = new Set<string>();
  const learn = (t: Term) => {
    const k = JSON.stringify(t);
    if (!seen.has(k)) {
      seen.add(k);
      know.push(t);
    }
  };
  for (const lt of p.longTerm) {
    if (lt.shared) {
      // a pair's key is the attacker's if E is one of the pair (k_AE, which E shares with A)
      for (const a of allAgents) for (const b of allAgents) if (lt.public || a === ATTACKER || b === ATTACKER) learn(ltName(p, lt.name, a, b));
      continue;
    }
    for (const a of allAgents) {
      const x = ltName(p, lt.name, a);
      if (lt.public || a === ATTACKER) learn(x);
      // public keys of every agent: pk(sk) and 'g'^sk
      if (lt.sort === 'skey') {
        learn(app('pk', x));
        learn(normalize(app('exp', G, x)));
      }
    }
  }
  // the credentials an honest authority issued to the attacker's own agent
  for (const decl of p.roles) {
    // every agent it names is E too, except authorities: E's own TEE/TPM/TA, the real TTP
    const agents = Object.fromEntries(Object.entries(decl.agents).map(([v, kind]) => [v, v === 'self' || !authority(kind) ? ATTACKER : deploy(kind)]));
    for (const t of Object.values(setupEnv(decl.role, agents))) learn(t);
  }

  const reveals: RevealOption[] = [];
  const fsEvents = new Set(p.properties.flatMap((x) => (x.kind === 'forward-secrecy' ? x.compromiseAfter ?? [] : [])));
  for (const lt of p.longTerm) {
    if (!lt.reveal || !fsEvents.has(lt.reveal) || lt.shared) continue; // a pair's reveal: not modelled (validate.ts)
    for (const a of [...allAgents].filter((x) => x !== ATTACKER && instances.some((i) => i.role === lt.owner && i.agents['self'] === x)))
      reveals.push({ event: lt.reveal, lt: lt.name, agent: a, value: ltName(p, lt.name, a) });
  }

  const counts = [...new Set(instances.map((i) => i.role))].map((r) => {
    const mine = instances.filter((i) => i.role === r);
    return `${r}×${mine.length}`;
  });
  const events = reveals.length ? `; compromise events ${[...new Set(reveals.map((r) => r.event))].join(', ')}` : '';
  if (opts.runs !== undefined) return { roles, instances, knowledge: know, reveals, bound: runsBound(opts.runs, honest, instances.length / opts.runs) + events, runs: opts.runs };
  const bound = `${opts.sessions} session(s) per role on the deployment agents, attacker agent E${(opts.nodes ?? 1) > 1 ? ', a second node' : ''}; instances ${counts.join(' ')}${events}`;
  return { roles, instances, knowledge: know, reveals, bound };
}

/** A set-up term with agent variables and long-term references replaced by symbolic values. */
function instantiate(p: Protocol, t: Term, agents: Record<string, string>): Term {
  const sub: Record<string, Term> = {};
  for (const x of varsOf(t)) {
    const ref = ltRefOf(x);
    if (ref) sub[x.name] = ltName(p, ref.name, agents[ref.agentVar]!, ref.peerVar === undefined ? undefined : agents[ref.peerVar]!);
    else if (x.name in agents) sub[x.name] = c(agents[x.name]!);
  }
  return substitute(t, sub);
}
