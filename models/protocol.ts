/**
 * What a protocol declares: its roles (party machines), its long-term set-up, its security
 * properties (P ids) and its known-bad variants (M ids, and benign modes).
 *
 * Agents. A role instance is played by an agent (a public name). Each role's machine names the
 * agents it deals with through agent variables (`self`, `ttp`, …); the set-up says which role each
 * agent variable refers to. In the designs an agent is a node: the TEE and the TPM of node `n1`
 * are both agent `n1`, so "same node" is "same agent".
 *
 * Long-term values are per agent: `lt('skAK', 'self')` is the attestation key of the agent bound
 * to `self`. Interpreters give each (value, agent) pair one fresh value (the runtime: real key
 * bytes; the explorer: a symbolic name; the Tamarin export: a `!Ltk` fact). A value declared
 * `shared: 'pair'` is one per unordered pair of agents: `lt('kab', 'self', 'peer', 'symkey')` is
 * the key the agents bound to `self` and `peer` share — k_AB of the literature, the same value as
 * k_BA (Clark & Jacob 1997 §2: "Kab: a key shared by A and B"): B reads the key A uses with B as
 * `lt('kab', 'self', 'peer')` too, and an agent talking to itself has k_AA. With a symmetric key
 * nothing but the messages tells the two directions apart, so an agent that plays both roles
 * can be made to answer its own challenge (reflection: `--runs`). A value declared
 * `shared: 'ordered'` is one per ordered pair: the key of a client A at a server B (Andrew RPC's
 * Kab, a user's key at one file server) is not the key of B as a client at A; the responder
 * reads it as `lt('kab', 'peer', 'self')`.
 * @module
 */
import type { RealTpmBinding } from './real-tpm.ts';
import type { RoleMachine } from './role.ts';
import { type LongTermRef, type Sort, type Term, type Var, v } from './terms.ts';

export type PropertyKind =
  | 'secrecy'
  | 'aliveness'
  | 'weak-agreement'
  | 'non-injective-agreement'
  | 'injective-agreement'
  | 'forward-secrecy';

export interface LongTermDecl {
  /** e.g. 'skAK' */
  readonly name: string;
  /** the role whose agents own one each */
  readonly owner: string;
  readonly sort: Sort;
  /** public values (identities) are known to the attacker from the start */
  readonly public?: boolean;
  /** the compromise event that reveals it, if the attacker may trigger one (e.g. 'RevealAK') */
  readonly reveal?: string;
  /** one value per unordered pair of agents (a key two agents share, k_AB = k_BA), or per
   * ordered pair (the key of A as client at server B), referenced with
   * `lt(name, agentVar, peerVar, sort)`; without it, one per agent */
  readonly shared?: 'pair' | 'ordered';
}

export interface RoleDecl {
  readonly role: string;
  readonly machine: RoleMachine;
  /** which role each agent variable of the machine refers to (`self` included) */
  readonly agents: Readonly<Record<string, string>>;
  /** initial values of the machine's other `knows` variables, as terms over agent variables
   * and long-term references `lt(name, agentVar)` */
  readonly knows: Readonly<Record<string, Term>>;
  /** does it start on its own (a START event), or wait for a message */
  readonly initiator: boolean;
  /** a role a real TPM 2.0 can play: the TPM command behind each transition (models/real-tpm.ts) */
  readonly realTpm?: RealTpmBinding;
}

export interface PropertyDecl {
  /** 'P2.2' */
  readonly id: string;
  readonly kind: PropertyKind;
  /** one sentence, plain language */
  readonly statement: string;
  /** the claim tag it is about (Secret/Commit/Running tags in the machines) */
  readonly tag: string;
  /** agreement: the role that commits and the role that must have been running */
  readonly commit?: string;
  readonly running?: string;
  /** agreement in both directions: each role's Commit needs the other's Running */
  readonly mutual?: boolean;
  /** secrecy unless this session's key leaked: a Secret claim is not judged when an Oops claim
   * (models/steps.ts `oops`) names its sid — the session's own reveal, at any time */
  readonly unlessOops?: boolean;
  /** agreement: whose Commits are judged. 'honest' (the default): only those whose peer is
   * honest — Lowe's "with an honest peer" ("A hierarchy of authentication specifications", CSFW
   * 1997), which is what agreement means in the literature; a Commit naming the attacker's agent
   * (or a compromised one) says nothing. 'any': also a Commit by an honest agent that names a
   * dishonest peer, which holds only if the attacker had the data before the claim — a party
   * that believes the attacker's agent sent it data the attacker never knew is misled (BAN's
   * attack on CCITT X.509: B takes A's encrypted ya as coming from E). */
  readonly peers?: 'honest' | 'any';
  /** forward secrecy: the compromise events allowed after the claim */
  readonly compromiseAfter?: readonly string[];
  /** the verdict the design expects on the base protocol (default 'holds') */
  readonly expected?: 'holds' | 'attack';
  /** with `expected: 'attack'`: the smallest runs bound (`--runs N`, Scyther's `--max-runs`:
   * every role instance counted, a server's too) at which the attack exists. Below it the attack
   * needs more runs than the bound allows, so 'holds' is what is expected there (Lowe's attack on
   * NSPK needs A's run with E and B's run with A: two). Measured with the explorer and checked at
   * both sides by the tests: a search that finds the attack below it, or misses it at it, differs.
   * With `expected: 'holds'` (the default): an attack only the runs bound can reach — any agent
   * in any role, so an agent talking to itself (Otway–Rees with A = B) — which the sessions bound
   * (distinct agents per role) excludes: 'holds' under `--sessions`, 'attack' from `--runs N`. */
  readonly attackFromRuns?: number;
}

/** An edit of the role machines: returns the changed machines (others are kept). */
export type MachineEdit = (machines: Readonly<Record<string, RoleMachine>>) => Record<string, RoleMachine>;

export interface VariantDecl {
  /** 'M2.1' for a known-bad variant; a mode name (e.g. 'two-phase') for a benign alternative */
  readonly id: string;
  readonly title: string;
  /** the P ids this variant is expected to break (an attack must be found) */
  readonly breaks: readonly string[];
  /** expectations that change in this variant (e.g. P2.4 holds in the two-phase mode) */
  readonly expect?: Readonly<Record<string, 'holds' | 'attack'>>;
  /** the smallest number of sessions per role at which its attack exists (a replay or a
   * splice needs a second session); verifiers use it unless told otherwise */
  readonly sessions?: number;
  /** the runs bound (`--runs`, any agent in any role) at which its attack exists, for an attack
   * that needs one agent in two roles (reflection); verifiers add that search for `breaks` */
  readonly runs?: number;
  readonly edit: MachineEdit;
  /** properties judged on this variant only, beside the protocol's own (a variant that adds a
   * claim adds the property reading it); each with its own `expected` (default 'holds') */
  readonly properties?: readonly PropertyDecl[];
}

export interface Protocol {
  readonly name: string;
  readonly title: string;
  /** where it comes from: design section and seed */
  readonly source: string;
  readonly roles: readonly RoleDecl[];
  readonly longTerm: readonly LongTermDecl[];
  /** the agent that plays each role in the honest run (runtime and executability lemma) */
  readonly deployment: Readonly<Record<string, string>>;
  readonly properties: readonly PropertyDecl[];
  readonly variants: readonly VariantDecl[];
  /** a default bound below the explorer's (two sessions per role), for a protocol whose space at
   * that bound is beyond the explorer's time budget; verifiers state it in every verdict */
  readonly bound?: { readonly sessions: number; readonly why: string };
}

/** Separator in the names of long-term references (`skAK@self`) and values (`skAK@n1`): not a
 * legal character of a machine variable, so the names never collide with one. Names only: what a
 * reference refers to is its `lt` field (`ltRefOf`), never parsed back from the name. */
export const LT_SEP = '@';

/** A reference to the long-term value `name` of the agent bound to agent variable `agentVar`;
 * with a second agent variable, the value shared by the pair of agents (`shared: 'pair'`),
 * the same whichever order the pair is named in. */
export function lt(name: string, agentVar: string, sort?: Sort): Var;
export function lt(name: string, agentVar: string, peerVar: string, sort: Sort): Var;
export function lt(name: string, agentVar: string, a?: string, b?: Sort): Var {
  if (b !== undefined) return { ...v(`${name}${LT_SEP}${agentVar}${LT_SEP}${a}`, b), lt: { name, agentVar, peerVar: a! } };
  return { ...v(`${name}${LT_SEP}${agentVar}`, (a as Sort | undefined) ?? 'skey'), lt: { name, agentVar } };
}
/** `{ name, agentVar, peerVar? }` if this variable is a long-term reference (`peerVar`: a
 * per-pair value's second agent variable). */
export function ltRefOf(x: Var): LongTermRef | null {
  return x.lt ?? null;
}
/** The agents a long-term value belongs to, in the one order every interpreter names them by:
 * one agent, an ordered pair as given, an unordered pair sorted (k_AB = k_BA). */
export function ltAgents(agent: string, peer?: string, shared?: LongTermDecl['shared']): string[] {
  return peer === undefined ? [agent] : shared === 'pair' ? [agent, peer].sort() : [agent, peer];
}
/** The key of a long-term value of concrete agents, `kab@a1@b1` (a symbolic name in the explorer,
 * whose `origin` says what it is; a store key at run time). */
export function ltKey(name: string, agent: string, peer?: string, shared?: LongTermDecl['shared']): string {
  return [name, ...ltAgents(agent, peer, shared)].join(LT_SEP);
}
/** An agent variable (its value is an agent's public name). */
export const agent = (n: string): Var => v(n, 'agent');

/** The properties judged on `variant` (undefined = the base protocol): the protocol's, then
 * those the variant adds. */
export function propertiesOf(p: Protocol, variant?: VariantDecl): readonly PropertyDecl[] {
  return variant?.properties?.length ? [...p.properties, ...variant.properties] : p.properties;
}

/** The expectation for property `pid` in `variant` (undefined = the base protocol). */
export function expectedVerdict(p: Protocol, pid: string, variant?: VariantDecl): 'holds' | 'attack' {
  if (variant?.expect?.[pid]) return variant.expect[pid]!;
  if (variant?.breaks.includes(pid)) return 'attack';
  return propertiesOf(p, variant).find((x) => x.id === pid)?.expected ?? 'holds';
}

/** The expectation for property `pid` at a runs bound (`--runs`; undefined: any other bound):
 * `expectedVerdict`, except that an attack declared to need more runs (`attackFromRuns`) is
 * expected to be absent at fewer — then `fromRuns` says from which bound it is expected. */
export function expectedAtRuns(p: Protocol, pid: string, variant: VariantDecl | undefined, runs: number | undefined): { expected: 'holds' | 'attack'; fromRuns?: number } {
  const expected = expectedVerdict(p, pid, variant);
  const decl = propertiesOf(p, variant).find((x) => x.id === pid);
  const from = decl?.attackFromRuns;
  // the bound is the declaration's, for the attack it expects (not a variant's `expect` override)
  const declared = decl?.expected === 'attack' && variant?.expect?.[pid] === undefined;
  if (expected === 'attack' && declared && runs !== undefined && from !== undefined && runs < from) return { expected: 'holds', fromRuns: from };
  // an attack the sessions bound cannot reach (see `attackFromRuns`)
  const holdsDeclared = (decl?.expected ?? 'holds') === 'holds' && variant?.expect?.[pid] === undefined && !variant?.breaks.includes(pid);
  if (expected === 'holds' && holdsDeclared && runs !== undefined && from !== undefined && runs >= from) return { expected: 'attack', fromRuns: from };
  return { expected };
}

/** The protocol with a variant's edit applied to its machines. */
export function applyVariant(p: Protocol, variantId: string | undefined): { protocol: Protocol; variant?: VariantDecl } {
  if (variantId === undefined) return { protocol: p };
  const variant = p.variants.find((x) => x.id === variantId);
  if (!variant) throw new UnknownNameError('variant', variantId, p.variants.map((x) => x.id), `of ${p.name}`);
  const machines: Record<string, RoleMachine> = Object.fromEntries(p.roles.map((r) => [r.role, r.machine]));
  const edited = variant.edit(machines);
  const roles = p.roles.map((r) => (edited[r.role] ? { ...r, machine: edited[r.role]! } : r));
  return { protocol: { ...p, roles, properties: propertiesOf(p, variant) }, variant };
}

/** A name the user gave that does not exist; the message lists what does, and the likeliest. */
export class UnknownNameError extends Error {
  constructor(
    readonly kind: string,
    readonly given: string,
    readonly known: readonly string[],
    where = '',
  ) {
    const near = closestName(given, known);
    super(`unknown ${kind} '${given}'${where ? ' ' + where : ''}${near ? ` — did you mean '${near}'?` : ''} (known: ${known.join(', ') || 'none'})`);
  }
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions), case-blind. */
function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let x = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) x = Math.min(x, d[i - 2]![j - 2]! + 1);
      d[i]![j] = x;
    }
  return d[a.length]![b.length]!;
}

/** The known name nearest to `given`, if it is near enough to be a slip (a third of its length, at
 * least 1) and nearer than every other (a tie, as NS9 among NS1–NS4, suggests nothing). */
export function closestName(given: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(given.length / 3)) + 1;
  let tie = false;
  for (const k of known) {
    const dist = editDistance(given, k);
    if (dist < bestD) [best, bestD, tie] = [k, dist, false];
    else if (dist === bestD && best !== undefined) tie = true;
  }
  return tie ? undefined : best;
}
