/**
 * Well-formedness of a protocol, checked before any interpreter runs it, so that a broken model
 * gets a list of clear errors naming the role, transition and variable — never a crash deep in
 * the runtime or a silently wrong verdict.
 *
 * Binding discipline (what every interpreter may rely on):
 * - a role starts with its `knows` variables bound (agent variables included);
 * - `recv` binds the pattern's variables that stand in tuple or top positions; a variable under
 *   any other function symbol must already be bound or be bound elsewhere in the same pattern;
 * - `match` destructures a computed value with a pattern, binding as `recv` does;
 * - `fresh` and `let` bind a new variable (never rebind one);
 * - `check`, `send`, `claim`, `store` and `let` right sides use bound variables only.
 * @module
 */
import type { Protocol } from './protocol.ts';
import { LT_SEP, applyVariant, ltRefOf, propertiesOf } from './protocol.ts';
import { roleOf } from './role.ts';
import type { Step } from './steps.ts';
import { SORTS, type Term, varsOf } from './terms.ts';

export class ModelError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the model is not well formed:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Variables a receive pattern binds (tuple and top positions), and those it only reads. */
export function patternBinds(p: Term): { binds: string[]; reads: string[] } {
  const binds: string[] = [];
  const reads: string[] = [];
  const go = (t: Term, top: boolean) => {
    if (t.t === 'var') (top ? binds : reads).push(t.name);
    else if (t.t === 'app') for (const a of t.args) go(a, top && t.f === 'tuple');
  };
  go(p, true);
  return { binds, reads };
}

function stepProblems(step: Step, bound: Set<string>, where: string): string[] {
  const out: string[] = [];
  const sorted = (t: Term) => {
    for (const x of varsOf(t)) if (!SORTS.includes(x.sort)) out.push(`${where}: variable '${x.name}' has an unknown sort '${String(x.sort)}' (sorts: ${SORTS.join(', ')})`);
  };
  const need = (t: Term, what: string) => {
    sorted(t);
    for (const x of varsOf(t)) if (!bound.has(x.name)) out.push(`${where}: ${what} uses '${x.name}' before it is bound`);
  };
  if (step.op === 'recv') sorted(step.pattern);
  if (step.op === 'match') sorted(step.pattern);
  if (step.op === 'fresh' || step.op === 'let') sorted(step.v);
  switch (step.op) {
    case 'recv': {
      const { binds, reads } = patternBinds(step.pattern);
      for (const b of binds) bound.add(b);
      for (const r of reads) if (!bound.has(r)) out.push(`${where}: receive pattern '${step.label}' reads '${r}' under a function symbol before it is bound`);
      break;
    }
    case 'match': {
      need(step.t, `match '${step.label}'`);
      const { binds, reads } = patternBinds(step.pattern);
      for (const b of binds) bound.add(b);
      for (const r of reads) if (!bound.has(r)) out.push(`${where}: match pattern '${step.label}' reads '${r}' under a function symbol before it is bound`);
      break;
    }
    case 'fresh':
      if (bound.has(step.v.name)) out.push(`${where}: fresh '${step.v.name}' rebinds a bound variable`);
      bound.add(step.v.name);
      break;
    case 'let':
      need(step.t, `let ${step.v.name}`);
      if (bound.has(step.v.name)) out.push(`${where}: let '${step.v.name}' rebinds a bound variable`);
      bound.add(step.v.name);
      break;
    case 'check':
      need(step.left, `check '${step.label}'`);
      need(step.right, `check '${step.label}'`);
      break;
    case 'send':
      need(step.t, `send '${step.label}'`);
      break;
    case 'claim':
      need(step.data, `claim ${step.event}(${step.tag})`);
      if (step.peer) need(step.peer, `claim ${step.event}(${step.tag})`);
      break;
    case 'store':
      need(step.t, `store '${step.slot}'`);
      break;
  }
  return [...new Set(out)];
}

/** All problems of a protocol (empty when well formed). */
export function protocolProblems(p: Protocol): string[] {
  const out: string[] = [];
  const roleNames = new Set(p.roles.map((r) => r.role));
  const ltNames = new Set(p.longTerm.map((l) => l.name));
  const claimTags = new Map<string, Set<string>>(); // tag -> events
  for (const decl of p.roles) {
    let def;
    try {
      def = roleOf(decl.machine);
    } catch (e) {
      out.push(`${p.name}/${decl.role}: ${(e as Error).message}`);
      continue;
    }
    const here = `${p.name}/${decl.role}`;
    if (def.role !== decl.role) out.push(`${here}: the machine plays role '${def.role}'`);
    // set-up: every known variable has a value; set-up terms use declared agents and long-term names
    for (const k of def.knows) {
      const isAgent = k.sort === 'agent';
      if (isAgent && !(k.name in decl.agents)) out.push(`${here}: agent variable '${k.name}' has no role in 'agents'`);
      if (!isAgent && !(k.name in decl.knows)) out.push(`${here}: known variable '${k.name}' has no set-up value in 'knows'`);
    }
    for (const [k, t] of Object.entries(decl.knows)) {
      if (k.includes(LT_SEP)) out.push(`${here}: '${k}' is not a legal variable name`);
      for (const x of varsOf(t)) {
        if (!SORTS.includes(x.sort)) out.push(`${here}: set-up of '${k}': '${x.name}' has an unknown sort '${String(x.sort)}' (sorts: ${SORTS.join(', ')})`);
        const ref = ltRefOf(x);
        if (ref) {
          if (!ltNames.has(ref.name)) out.push(`${here}: set-up of '${k}' refers to undeclared long-term value '${ref.name}'`);
          if (!(ref.agentVar in decl.agents)) out.push(`${here}: set-up of '${k}' refers to unknown agent variable '${ref.agentVar}'`);
          if (ref.peerVar !== undefined && !(ref.peerVar in decl.agents)) out.push(`${here}: set-up of '${k}' refers to unknown agent variable '${ref.peerVar}'`);
          const pair = p.longTerm.find((l) => l.name === ref.name)?.shared !== undefined;
          if (ltNames.has(ref.name) && pair !== (ref.peerVar !== undefined))
            out.push(`${here}: set-up of '${k}': long-term value '${ref.name}' is ${pair ? "shared by a pair: lt(name, agentVar, peerVar, sort)" : 'one per agent: lt(name, agentVar, sort)'}`);
        } else if (!(x.name in decl.agents)) out.push(`${here}: set-up of '${k}' uses '${x.name}', which is neither an agent nor lt(...)`);
      }
    }
    if (!('self' in decl.agents)) out.push(`${here}: no 'self' agent variable`);
    // transitions: binding discipline per path
    const starts = def.transitions.filter((t) => t.trigger === 'START');
    if (decl.initiator !== starts.length > 0) out.push(`${here}: initiator=${decl.initiator} but ${starts.length} START transitions`);
    const boundAt = new Map<string, Set<string>>([[def.initial, new Set(def.knows.map((k) => k.name))]]);
    const queue = [def.initial];
    const seen = new Set<string>();
    while (queue.length) {
      const s = queue.shift()!;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const t of def.transitions.filter((x) => x.from === s)) {
        const bound = new Set(boundAt.get(s));
        const where = `${here} ${t.label}`;
        if (t.trigger === 'MSG' && t.steps[0]?.op !== 'recv') out.push(`${where}: a MSG transition must start with recv`);
        t.steps.forEach((st, i) => {
          if (st.op === 'recv' && i > 0) out.push(`${where}: recv must be the first step`);
          out.push(...stepProblems(st, bound, where));
          if (st.op === 'claim') {
            const evs = claimTags.get(st.tag) ?? new Set();
            evs.add(`${decl.role}:${st.event}`);
            claimTags.set(st.tag, evs);
          }
        });
        if (!boundAt.has(t.to)) boundAt.set(t.to, bound);
        queue.push(t.to);
      }
    }
  }
  // tags of the Secret claims that name their session (what `unlessOops` compares)
  const secretSids = new Set<string>();
  for (const decl of p.roles) {
    let def;
    try {
      def = roleOf(decl.machine);
    } catch {
      continue; // reported above
    }
    for (const t of def.transitions) for (const x of t.steps) if (x.op === 'claim' && x.event === 'Secret' && x.sid) secretSids.add(x.tag);
  }
  for (const prop of p.properties) {
    const evs = claimTags.get(prop.tag);
    if (!evs) out.push(`${p.name} ${prop.id}: no machine emits a claim tagged '${prop.tag}'`);
    for (const r of [prop.commit, prop.running]) if (r && !roleNames.has(r)) out.push(`${p.name} ${prop.id}: unknown role '${r}'`);
    if (prop.kind.endsWith('agreement') || prop.kind === 'aliveness') {
      if (!prop.commit || !prop.running) out.push(`${p.name} ${prop.id}: an agreement property names its commit and running roles`);
      else if (evs && (!evs.has(`${prop.commit}:Commit`) || !evs.has(`${prop.running}:Running`)))
        out.push(`${p.name} ${prop.id}: needs Commit(${prop.tag}) by ${prop.commit} and Running(${prop.tag}) by ${prop.running}`);
    }
    if ((prop.kind === 'secrecy' || prop.kind === 'forward-secrecy') && evs && ![...evs].some((e) => e.endsWith(':Secret')))
      out.push(`${p.name} ${prop.id}: no Secret(${prop.tag}) claim`);
    if (prop.peers === 'any' && (prop.kind === 'secrecy' || prop.kind === 'forward-secrecy')) out.push(`${p.name} ${prop.id}: peers 'any' is for agreement properties (a secret shared with the attacker's agent is not one)`);
    if (prop.unlessOops && prop.kind !== 'secrecy' && prop.kind !== 'forward-secrecy') out.push(`${p.name} ${prop.id}: unlessOops is for secrecy properties`);
    if (prop.unlessOops && !secretSids.has(prop.tag)) out.push(`${p.name} ${prop.id}: unlessOops, but no Secret(${prop.tag}) claim names its session (sid)`);
    for (const ev of prop.compromiseAfter ?? [])
      if (!p.longTerm.some((l) => l.reveal === ev)) out.push(`${p.name} ${prop.id}: compromise '${ev}' is not declared by any long-term value`);
  }
  for (const l of p.longTerm) if (l.shared && l.reveal) out.push(`${p.name}: long-term value '${l.name}' is shared by a pair; its reveal is not modelled`);
  for (const variant of p.variants) {
    const judged = propertiesOf(p, variant);
    for (const pid of [...variant.breaks, ...Object.keys(variant.expect ?? {})])
      if (!judged.some((x) => x.id === pid)) out.push(`${p.name} ${variant.id}: names unknown property ${pid}`);
    for (const added of variant.properties ?? []) if (p.properties.some((x) => x.id === added.id && x !== added)) out.push(`${p.name} ${variant.id}: adds property ${added.id}, which the protocol already has`);
    // (a protocol with this variant applied already holds its properties, checked with it)
    if (!variant.properties?.length || variant.properties.every((x) => p.properties.includes(x))) continue;
    // the properties it adds read the claims of the edited machines
    let edited: Protocol;
    try {
      edited = applyVariant(p, variant.id).protocol;
    } catch (e) {
      out.push(`${p.name} ${variant.id}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const problem of protocolProblems({ ...edited, properties: variant.properties, variants: [] })) out.push(problem.replace(p.name, `${p.name} ${variant.id}`));
  }
  return [...new Set(out)];
}

/** Throw a `ModelError` listing every problem, if there is any. */
export function assertWellFormed(p: Protocol): void {
  const problems = protocolProblems(p);
  if (problems.length) throw new ModelError(problems);
}
