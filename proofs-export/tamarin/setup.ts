/**
 * The rules that are not machine transitions: long-term set-up (one `!Ltk_<name>(A, value)`
 * per declared long-term value and agent, with its public parts sent out), the compromise
 * rules (`Reveal(event, A)`, one per declared compromise event), and each role's start rule
 * (a new thread `~tid` with its `knows` bound from the long-term facts it needs).
 *
 * Long-term values: a secret is a fresh name `~x`; a public identity (`public`, sort const or
 * agent) is a public name `$x`; another public value (a reference measurement) is fresh and
 * sent out. "Public parts" are the `pk(x)` and `'g'^x` the set-up terms of some role apply to
 * a long-term value: the attacker knows those from the start, as in the design.
 * @module
 */
import { authorityName } from '../authorities.ts';
import { type LongTermDecl, ltRefOf } from '../../models/protocol.ts';
import { type Term, type Var, isVar } from '../../models/terms.ts';
import type { RoleWalk } from '../walk.ts';
import { type TRule, type TSort, type TTerm, fact, pfact, tconst, tvar } from './ast.ts';
import { type ExportContext, TID, modelVar, noteStateSorts, stateFact, uniqueRuleName } from './rules.ts';
import { ident } from './names.ts';
import { ExportError, spthyTerm } from './term.ts';

export function ltSort(d: LongTermDecl): TSort {
  return d.public && (d.sort === 'const' || d.sort === 'agent') ? 'pub' : 'fresh';
}
export const ltFactName = (name: string) => `Ltk_${ident(name)}`;

/** The public parts (`pk`, `'g'^`) of each long-term value that the set-up terms use. */
function publicParts(ctx: ExportContext): Map<string, ('pk' | 'g')[]> {
  const out = new Map<string, ('pk' | 'g')[]>();
  const note = (name: string, k: 'pk' | 'g') => {
    const l = out.get(name) ?? [];
    if (!l.includes(k)) l.push(k);
    out.set(name, l);
  };
  const visit = (t: Term) => {
    if (t.t !== 'app') return;
    const last = t.args[t.args.length - 1];
    const ref = last && isVar(last) ? ltRefOf(last) : null;
    if (ref && t.f === 'pk') note(ref.name, 'pk');
    if (ref && t.f === 'exp' && t.args[0]!.t === 'const' && t.args[0]!.name === 'g') note(ref.name, 'g');
    t.args.forEach(visit);
  };
  for (const r of ctx.protocol.roles) Object.values(r.knows).forEach(visit);
  return out;
}

export function setupRules(ctx: ExportContext): TRule[] {
  const parts = publicParts(ctx);
  const rules: TRule[] = [];
  for (const d of ctx.protocol.longTerm) {
    const sort = ltSort(d);
    const x = tvar(ident(d.name).toLowerCase() === 'a' ? 'x' : ident(d.name), sort);
    const A = tvar('A', 'pub');
    if (d.shared) {
      // a value of a pair of agents (models/protocol.ts): one fact per pair, and for a symmetric
      // key the same value under both orders (k_AB = k_BA)
      const B = tvar('B', 'pub');
      rules.push({
        name: uniqueRuleName(ctx, `Setup_${d.name}`),
        comments: [`long-term value ${d.name} (${d.sort}) of each ${d.shared === 'pair' ? 'unordered pair of agents, k_AB = k_BA' : 'ordered pair of agents (A as client at B)'}`],
        lhs: [fact('Fr', x)],
        // LtkUnique (theory.ts) then allows one value per pair, in either order for a symmetric key
        actions: [fact('LtkGen', tconst(d.name), { k: 'tuple', items: [A, B] } as TTerm, x), ...(d.shared === 'pair' ? [fact('LtkGen', tconst(d.name), { k: 'tuple', items: [B, A] } as TTerm, x)] : [])],
        rhs: [pfact(ltFactName(d.name), A, B, x), ...(d.shared === 'pair' ? [pfact(ltFactName(d.name), B, A, x)] : [])],
      });
      continue;
    }
    const outs: TTerm[] = [];
    for (const p of parts.get(d.name) ?? []) outs.push(p === 'pk' ? { k: 'app', f: 'pk', args: [x] } : { k: 'exp', base: tconst('g'), exponent: x });
    if (d.public && sort === 'fresh') outs.push(x);
    rules.push({
      name: uniqueRuleName(ctx, `Setup_${d.name}`),
      comments: [`long-term ${d.public ? 'public ' : ''}value ${d.name} (${d.sort}) of each ${d.owner} agent${d.reveal ? `; compromise event ${d.reveal}` : ''}`],
      lhs: sort === 'fresh' ? [fact('Fr', x)] : [],
      actions: [fact('LtkGen', tconst(d.name), A, x)],
      rhs: [pfact(ltFactName(d.name), A, x), ...outs.map((o) => fact('Out', o))],
    });
  }
  for (const d of ctx.protocol.longTerm) {
    if (!d.reveal) continue;
    const x = tvar(ident(d.name).toLowerCase() === 'a' ? 'x' : ident(d.name), ltSort(d));
    const A = tvar('A', 'pub');
    rules.push({
      name: uniqueRuleName(ctx, `Reveal_${d.name}`),
      comments: [`compromise event ${d.reveal}: the attacker learns ${d.name} of agent A`],
      lhs: [pfact(ltFactName(d.name), A, x)],
      actions: [fact('Reveal', tconst(d.reveal), A)],
      rhs: [fact('Out', x)],
    });
  }
  return rules;
}

/** The start rule of a role: a new thread in the initial state, its `knows` bound. */
export function startRule(ctx: ExportContext, walk: RoleWalk): TRule {
  const { decl, def } = walk;
  const where = `${ctx.protocol.name}/${decl.role} set-up`;
  const live = walk.liveAt.get(def.initial)!;
  // the attacker names the nodes; an authority (the TTP) is the one deployment agent (../authorities.ts)
  const agentTerm = (name: string) => {
    const authority = authorityName(ctx.protocol, decl.agents[name] ?? '');
    return authority === undefined ? modelVar(ctx, { t: 'var', name, sort: 'agent' }, 'pub') : tconst(`agent_${authority}`);
  };
  // a long-term reference is named after the known variable it is the whole value of, if any
  const ltNames = new Map<string, string>();
  for (const [k, t] of Object.entries(decl.knows)) if (isVar(t) && ltRefOf(t) && !ltNames.has(t.name)) ltNames.set(t.name, k);
  const ltks: { key: string; term: TTerm; agents: TTerm[]; decl: LongTermDecl }[] = [];
  const lookupIn = (name: string, x: Var): TTerm => {
    const ref = ltRefOf(x);
    if (!ref) {
      if (!(name in decl.agents)) throw new ExportError(`${where}: '${name}' is neither an agent nor a long-term value`);
      return agentTerm(name);
    }
    const ld = ctx.protocol.longTerm.find((l) => l.name === ref.name);
    if (!ld) throw new ExportError(`${where}: undeclared long-term value '${ref.name}'`);
    const known = ltks.find((l) => l.key === name);
    if (known) return known.term;
    const term = tvar(ctx.names.name(ltNames.get(name) ?? `${ref.name}_${ref.agentVar}`, ld.sort), ltSort(ld));
    ltks.push({ key: name, term, agents: [agentTerm(ref.agentVar), ...(ref.peerVar === undefined ? [] : [agentTerm(ref.peerVar)])], decl: ld });
    return term;
  };
  const values = live.map((x) => {
    if (x.sort === 'agent') return agentTerm(x.name);
    const t = decl.knows[x.name];
    if (!t) throw new ExportError(`${where}: known variable '${x.name}' has no set-up value`);
    return spthyTerm(t, lookupIn, where);
  });
  noteStateSorts(ctx, `${decl.role}/${def.initial}`, values, where);
  return {
    name: uniqueRuleName(ctx, `${decl.role}_start`),
    comments: [`${decl.role} (party ${def.party}): a new thread in '${def.initial}', its set-up values bound from the long-term facts`],
    lhs: [fact('Fr', TID), ...ltks.map((l) => pfact(ltFactName(l.decl.name), ...l.agents, l.term))],
    actions: [fact('Create', tconst(decl.role), agentTerm('self'), TID)],
    rhs: [stateFact(decl.role, def.initial, values)],
  };
}
