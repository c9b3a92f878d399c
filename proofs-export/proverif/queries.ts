/**
 * The ProVerif queries of a protocol's properties (manual §4.3): secrecy as
 * `event(Secret(…, x, agents)) && attacker(x) ==> reveal of one of the agents`, agreement as
 * `[inj-]event(Commit(…, d, agents)) ==> [inj-]event(Running(…, d)) || reveal of one of the agents`.
 * `agents` is the tuple of the agents the claiming role deals with (its own, its TTP, its TA),
 * carried by the claim event itself: the excuse is then tied to this claim, as Tamarin's
 * `Honest(A) @ i` at the claim's time point. The tuple is padded with the role's own agent to
 * the widest role's, so one secrecy query covers every claiming role (a property is broken when
 * any role's claim is: M2.3 breaks P2.1 through the TPM's claim only).
 * @module
 */
import { type Protocol, type PropertyDecl, type VariantDecl, expectedVerdict } from '../../models/protocol.ts';
import type { ProtocolWalk } from '../walk.ts';
import { type PvDecl, type PvFact, type PvTerm, pvar } from './ast.ts';

export interface QueryContext {
  readonly walk: ProtocolWalk;
  readonly variant?: VariantDecl;
  /** a declared constant: role names (`r`), claim tags (`t`) */
  readonly constant: (prefix: string, raw: string) => PvTerm;
  /** is `name` a declared constant (not a query variable) */
  readonly isConstant: (name: string) => boolean;
  /** are there phase-0 Reveal events (any declared compromise) */
  readonly reveals: boolean;
  /** the compromises forward secrecy moves after the sessions (phase 1, RevealLate) */
  readonly lateReveals: ReadonlySet<string>;
}

/** `(a, b)`, or the one item alone (ProVerif has no one-element tuple). */
export function tupleOf(items: readonly PvTerm[]): PvTerm {
  return items.length === 1 ? items[0]! : { k: 'tuple', items };
}

export function propertyQueries(p: Protocol, ctx: QueryContext): PvDecl[] {
  const { walk } = ctx;
  const agentCount = new Map(walk.roles.map((rw) => [rw.decl.role, rw.agents.length]));
  const qv = pvar;
  // every claim's agents are padded (with self) to the widest role's, so one query covers all roles
  const width = Math.max(...agentCount.values());
  const agentVars = () => Array.from({ length: width }, (_, i) => `A${i + 1}`);
  /** a reveal of one of the claim's agents; a late one (phase 1) too unless `late` is false */
  const excuse = (agents: string[], late: boolean): PvFact[][] => [
    ...(ctx.reveals ? agents.map((a, i): PvFact[] => [{ k: 'event', name: 'Reveal', args: [qv(`e${i + 1}`), qv(a)] }]) : []),
    ...(late ? agents.map((a, i): PvFact[] => [{ k: 'event', name: 'RevealLate', args: [qv(`e${i + 1}`), qv(a)] }]) : []),
  ];
  const queryVars = (facts: PvFact[]): string[] => {
    const out: string[] = [];
    const go = (t: PvTerm) => {
      if (t.k === 'var' && !ctx.isConstant(t.name) && t.name !== 'true' && !out.includes(t.name)) out.push(t.name);
      if (t.k === 'app') t.args.forEach(go);
      if (t.k === 'tuple') t.items.forEach(go);
    };
    for (const f of facts) (f.k === 'attacker' ? [f.t] : f.args).forEach(go);
    return out;
  };
  const query = (comments: string[], premise: PvFact[], conclusion: PvFact[][]): PvDecl => ({ k: 'query', comments, vars: queryVars([...premise, ...conclusion.flat()]), text: { premise, conclusion } });

  const out: PvDecl[] = [];
  // `peers: 'any'` is not exported (as in the Tamarin theory): the queries judge honest peers only
  for (const prop of walk.protocol.properties) {
    if (prop.peers === 'any') continue;
    const expected = expectedVerdict(p, prop.id, ctx.variant);
    const head = [`${prop.id} (${prop.kind}, tag '${prop.tag}'): ${prop.statement}`, `expected: ${expected} (ProVerif: ${expected === 'holds' ? 'true' : 'false'})`];
    const tag = ctx.constant('t', prop.tag);
    if (prop.kind === 'forward-secrecy') {
      // forward secrecy through a phase (manual §4.1.2, "phase"): the compromises listed in
      // compromiseAfter also happen in phase 1, after every session of phase 0, and excuse
      // nothing; only a Reveal (phase 0, any time) excuses, as the Tamarin lemma has it
      head.push(`forward secrecy: the compromises ${(prop.compromiseAfter ?? []).join(', ')} also happen in phase 1, after the sessions, and excuse nothing`);
    }
    if (prop.kind === 'secrecy' || prop.kind === 'forward-secrecy') {
      const late = prop.kind === 'secrecy' && ctx.lateReveals.size > 0;
      const agents = agentVars();
      const premise: PvFact[] = [{ k: 'event', name: 'Secret', args: [qv('r'), tag, qv('a'), qv('p'), qv('x'), tupleOf(agents.map(qv))] }, { k: 'attacker', t: qv('x') }];
      out.push(query(head, premise, excuse(agents, late)));
      continue;
    }
    const dirs: [string, string][] = [[prop.commit!, prop.running!], ...(prop.mutual ? [[prop.running!, prop.commit!] as [string, string]] : [])];
    for (const [commit, running] of dirs) out.push(agreementQuery(prop, commit, running, tag, head));
  }
  function agreementQuery(prop: PropertyDecl, commit: string, running: string, tag: PvTerm, head: string[]): PvDecl {
    const inj = prop.kind === 'injective-agreement';
    const agents = agentVars();
    const commitF: PvFact = { k: inj ? 'inj-event' : 'event', name: 'Commit', args: [ctx.constant('r', commit), tag, qv('a'), qv('b'), qv('d'), tupleOf(agents.map(qv))] };
    let ok: PvFact[];
    if (prop.kind === 'aliveness') ok = [{ k: 'event', name: 'Create', args: [qv('rl'), qv('b')] }];
    else if (prop.kind === 'weak-agreement') ok = [{ k: 'event', name: 'Running', args: [ctx.constant('r', running), tag, qv('b'), qv('a'), qv('d2')] }];
    else ok = [{ k: inj ? 'inj-event' : 'event', name: 'Running', args: [ctx.constant('r', running), tag, qv('a2'), qv('b2'), qv('d')] }];
    return query([...head, `${commit} commits, ${running} runs`], [commitF], [ok, ...excuse(agents, ctx.lateReveals.size > 0)]);
  }
  return out;
}
