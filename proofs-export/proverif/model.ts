/**
 * A protocol (or variant) as a ProVerif 2.05 model, read through the same walk as the Tamarin
 * export (`../walk.ts`): one process per role, its steps in machine order, started for any
 * agents the attacker names (`!in(c, agents); Role(agents)`), long-term values as functions of
 * the agent (`lt_skAK(A)`, private unless the value is public), reveal processes for the
 * declared compromise events, and queries for the properties:
 * - secrecy: `event(Secret(..., x)) && attacker(x) ==> event(Reveal(e, A)) && event(HonestAt(tag, x, A))`;
 * - agreement: `[inj-]event(Commit(...d)) ==> [inj-]event(Running(...d)) || (reveal of an honest agent)`;
 * - executability: `query event(Finish(...))` per role — ProVerif answers "false" when the
 *   Finish event is reachable, which is the expected result.
 * What does not fit: forward secrecy (reveals ordered after the claim) is left to the Tamarin
 * lemma and says so in the file; a machine with a state of two outgoing transitions (a choice)
 * or a loop cannot be one straight-line process and is an error naming the state. The DH
 * theory is ProVerif's usual `exp(exp(g, x), y) = exp(exp(g, y), x)`, which covers `'g'`-based
 * exponentiation only (all the models use).
 * @module
 */
import { type Protocol, ltRefOf } from '../../models/protocol.ts';
import type { Target } from '../../models/target.ts';
import type { Step, TransitionSpec } from '../../models/steps.ts';
import type { Term, Var } from '../../models/terms.ts';
import { PV_SIGNATURE } from './functions.ts';
import { type RoleWalk, walkTarget } from '../walk.ts';
import { tagWalk } from '../typing-tags.ts';
import { revealEvents } from '../tamarin/lemmas.ts';
import { VarNames, ident } from '../tamarin/names.ts';
import { ExportError } from '../tamarin/term.ts';
import { type PvDecl, type PvPattern, type PvStep, type PvTerm, papp, printPv, pvar } from './ast.ts';
import { propertyQueries, tupleOf } from './queries.ts';
import { authorityName } from '../authorities.ts';
import { JUNK_KINDS, isCfbDecryption, totalDecryptionDecls, totalName } from './cfb-decryption.ts';

const KEYWORDS = ['c', 'channel', 'bitstring', 'bool', 'true', 'false', 'new', 'in', 'out', 'let', 'if', 'then', 'else', 'event', 'query', 'process', 'fun', 'reduc', 'equation', 'const', 'free', 'type', 'not', 'phase', 'table', 'insert', 'get', 'choice', 'private', 'data', 'forall', 'attacker', 'mess', 'secret', 'public', 'noninterf', 'weaksecret', 'nounif', 'set', 'def', 'expand', 'yield', 'or', 'and', 'fail', 'suchthat', 'otherwise', 'letfun', 'param', 'proba', 'proof', 'among', 'inj'];
/** The free constructors and destructors ProVerif declares, read from the one symbol table
 * (functions.ts). */
const FUNCTIONS = PV_SIGNATURE.functions;
const DESTRUCTORS = PV_SIGNATURE.destructors;

class Names {
  readonly vars = new VarNames([...KEYWORDS, ...Object.keys(FUNCTIONS), ...DESTRUCTORS, 'g']);
  readonly consts = new Map<string, string>(); // ProVerif name -> declared once, in first-use order
  private readonly used = new Set<string>();
  constant(prefix: string, raw: string): PvTerm {
    const key = `${prefix}:${raw}`;
    let n = this.consts.get(key);
    if (!n) {
      const base = `${prefix}_${ident(raw)}`;
      n = base;
      for (let i = 2; this.used.has(n); i++) n = `${base}_${i}`;
      this.used.add(n);
      this.consts.set(key, n);
    }
    return pvar(n);
  }
}

export interface ProverifExport {
  readonly text: string;
  readonly queries: number;
  /** the tree `text` prints (check.ts reads it) */
  readonly decls: readonly PvDecl[];
}

export function exportProverif(target: Target): ProverifExport {
  const walk = tagWalk(walkTarget(target));
  const protocol = walk.protocol;
  const { base: p, variant } = target;
  const names = new Names();
  const funcs = new Set<string>();
  const lts = new Set<string>();
  const events = new Map<string, number>();
  /** the CFB decryptions used: destructor -> the typing tags of their plaintexts ('' for msg) */
  const totals = new Map<string, Set<string>>();
  const ev = (name: string, args: PvTerm[]): PvStep => {
    events.set(name, args.length);
    return { k: 'event', name, args };
  };

  const term = (t: Term, lookup: (n: string, x?: Var) => PvTerm, where: string): PvTerm => {
    switch (t.t) {
      case 'var':
        return lookup(t.name, t);
      case 'const':
        return names.constant('c', t.name);
      case 'name':
        throw new ExportError(`${where}: a name inside a machine`);
      case 'app': {
        const args = t.args.map((a) => term(a, lookup, where));
        if (t.f === 'tuple') {
          if (args.length === 0) throw new ExportError(`${where}: the empty tuple has no ProVerif form`);
          return args.length === 1 ? args[0]! : { k: 'tuple', items: args };
        }
        if (t.f === 'mult') throw new ExportError(`${where}: a product of exponents has no ProVerif form in this export`);
        if (t.f === 'true') return pvar('true');
        funcs.add(t.f);
        return papp(t.f, ...args);
      }
    }
  };

  const agentWidth = Math.max(...walk.roles.map((rw) => rw.agents.length));
  const roleProcess = (rw: RoleWalk): PvDecl => {
    const role = rw.decl.role;
    const where = `${protocol.name}/${role}`;
    const bound = new Map<string, PvTerm>();
    const defs = new Map<string, Term>(); // what a set-up or `let` variable holds (is it a CFB key?)
    const v = (n: string, sort: string) => pvar(names.vars.name(n, sort));
    for (const a of rw.agents) bound.set(a.name, v(a.name, 'agent'));
    const lookup = (n: string, x?: Var): PvTerm => {
      const r = bound.get(n);
      if (r) return r;
      const ref = x ? ltRefOf(x) : null;
      if (ref) {
        lts.add(ref.name);
        return papp(`lt_${ident(ref.name)}`, lookup(ref.agentVar), ...(ref.peerVar === undefined ? [] : [lookup(ref.peerVar)]));
      }
      throw new ExportError(`${where}: '${n}' is used before it is bound`);
    };
    const body: PvStep[] = [ev('Create', [names.constant('r', role), lookup('self')])];
    for (const k of rw.def.knows)
      if (k.sort !== 'agent') {
        const t = rw.decl.knows[k.name];
        if (!t) throw new ExportError(`${where}: known variable '${k.name}' has no set-up value`);
        const value = term(t, lookup, where);
        defs.set(k.name, t);
        const x = v(k.name, k.sort);
        body.push({ k: 'let', pattern: { k: 'bind', name: (x as { name: string }).name }, t: value });
        bound.set(k.name, x);
      }
    let temp = 0;
    const pattern = (p: Term, checks: PvStep[], w: string): PvPattern => {
      if (p.t === 'var') {
        if (bound.has(p.name)) return { k: 'eq', t: lookup(p.name) };
        const x = v(p.name, p.sort);
        bound.set(p.name, x);
        return { k: 'bind', name: (x as { name: string }).name };
      }
      if (p.t === 'const') return { k: 'eq', t: names.constant('c', p.name) };
      if (p.t === 'app' && p.f === 'tuple' && p.args.length > 1) return { k: 'tuple', items: p.args.map((a) => pattern(a, checks, w)) };
      if (p.t === 'app' && p.f === 'tuple') return pattern(p.args[0]!, checks, w);
      // any other subterm is computed and compared once the whole pattern is bound
      const tmp = `m${++temp}_${ident(role)}`;
      checks.push({ k: 'if', l: pvar(tmp), r: term(p, (n, x) => lookup(n, x), w) });
      return { k: 'bind', name: tmp };
    };
    const transition = (t: TransitionSpec, path: ReadonlySet<string>): PvStep[] => {
      const w = `${where} ${t.label}`;
      const steps: PvStep[] = [{ k: 'comment', text: `${t.label}: ${t.from} -> ${t.to}` }];
      // a transition is atomic in the machines (and one rule in Tamarin); in ProVerif a process
      // may stop after any output, so a claim after a send (the TTP's Running after it sends
      // tokTEE) could be skipped. The sends go last: a failing later check then stops them too,
      // exactly as it stops the whole transition in the model.
      for (const st of t.steps) if (st.op !== 'send') steps.push(...stepOf(st, w));
      for (const st of t.steps) if (st.op === 'send') steps.push(...stepOf(st, w));
      return [...steps, ...fromState(t.to, path)];
    };
    /** the process from a state: its one transition, or a choice between its transitions */
    function fromState(s: string, path: ReadonlySet<string>): PvStep[] {
      if (path.has(s)) throw new ExportError(`${where}: the machine loops back to '${s}'; a ProVerif role process here has no loops (replication starts whole roles only)`);
      const outs = rw.transitions.filter((t) => t.from === s);
      const here = new Set([...path, s]);
      if (outs.length <= 1) return outs[0] ? transition(outs[0], here) : [];
      // a state with several transitions: the network picks one (the explorer tries each, the
      // runtime takes the one the message fits): the attacker names it, then that branch runs
      // alone, with its own bindings (ProVerif manual §3.1.4, if-then-else)
      const sel = `sel_${ident(s)}`;
      const branches = outs.map((t) => {
        const saved = new Map(bound);
        const steps = transition(t, here);
        bound.clear();
        saved.forEach((x, k) => bound.set(k, x));
        return { on: names.constant('b', t.label), steps };
      });
      return [{ k: 'in', pattern: { k: 'bind', name: sel } }, { k: 'choice', on: pvar(sel), branches }];
    }
    /** `(ty_K, x)` with x unbound and K a kind that takes raw bytes: the pattern of a typed let */
    function junkBinding(p: Term): { name: string; sort: string; tag: string } | undefined {
      if (p.t !== 'app' || p.f !== 'tuple' || p.args.length !== 2) return undefined;
      const [tag, x] = p.args as [Term, Term];
      if (tag.t !== 'const' || !tag.name.startsWith('ty_') || !JUNK_KINDS.has(tag.name.slice(3))) return undefined;
      return x.t === 'var' && !bound.has(x.name) ? { name: x.name, sort: x.sort, tag: tag.name } : undefined;
    }
    /** the total CFB decryption of `t` (cfb-decryption.ts), recorded for its declarations */
    function total(t: Extract<Term, { t: 'app' }>, tag: string | undefined, w: string): PvTerm {
      const tags = totals.get(t.f) ?? new Set<string>();
      tags.add(tag ?? '');
      totals.set(t.f, tags);
      funcs.add(t.f);
      return papp(totalName(t.f, tag), ...t.args.map((a) => term(a, lookup, w)));
    }
    body.push(...fromState(rw.def.initial, new Set()));
    function stepOf(st: Step, w: string): PvStep[] {
      const look = (n: string, x?: Var) => lookup(n, x);
      switch (st.op) {
        case 'recv': {
          const checks: PvStep[] = [];
          const pat = pattern(st.pattern, checks, w);
          if (pat.k === 'eq') {
            const tmp = `m${++temp}_${ident(role)}`;
            return [{ k: 'in', pattern: { k: 'bind', name: tmp } }, { k: 'if', l: pvar(tmp), r: pat.t }, ...checks];
          }
          return [{ k: 'in', pattern: pat }, ...checks];
        }
        case 'fresh': {
          const x = v(st.v.name, st.v.sort);
          bound.set(st.v.name, x);
          return [{ k: 'new', name: (x as { name: string }).name }];
        }
        case 'let': {
          defs.set(st.v.name, st.t);
          const value = isCfbDecryption(st.t, defs) ? total(st.t, undefined, w) : term(st.t, look, w);
          const x = v(st.v.name, st.v.sort);
          bound.set(st.v.name, x);
          return [{ k: 'let', pattern: { k: 'bind', name: (x as { name: string }).name }, t: value }];
        }
        case 'match': {
          // the typed form of `let x = sdec(ct, k)` (typing-tags.ts) under a CFB key: never fails
          const dec = st.t;
          const junk = isCfbDecryption(dec, defs) ? junkBinding(st.pattern) : undefined;
          if (junk && dec.t === 'app') {
            const x = v(junk.name, junk.sort);
            const value = total(dec, (names.constant('c', junk.tag) as { name: string }).name, w);
            bound.set(junk.name, x);
            return [{ k: 'let', pattern: { k: 'bind', name: (x as { name: string }).name }, t: value }];
          }
          const value = term(st.t, look, w);
          const checks: PvStep[] = [];
          const pat = pattern(st.pattern, checks, w);
          // ProVerif's grammar has no `let =M = N in` (manual §3.1.4: a pattern `=M` only inside
          // a tuple or a function pattern): a match against a bound value is a comparison
          if (pat.k === 'eq') return [{ k: 'if', l: value, r: pat.t }, ...checks];
          return [{ k: 'let', pattern: pat, t: value }, ...checks];
        }
        case 'check':
          return [{ k: 'if', l: term(st.left, look, w), r: term(st.right, look, w) }];
        case 'send':
          return [{ k: 'out', t: term(st.t, look, w) }];
        case 'store':
          return [ev('Store', [names.constant('c', st.slot), term(st.t, look, w)])];
        case 'claim': {
          const data = term(st.data, look, w);
          const tag = names.constant('t', st.tag);
          if (st.event === 'Oops') return []; // the leak is the out; `unlessOops` is not exported (docs/explorer-semantics.md)
          if (st.event === 'Finish') return [ev('Finish', [names.constant('r', role), tag, data])];
          const peer = st.peer ? term(st.peer, look, w) : names.constant('c', 'none');
          const args = [names.constant('r', role), tag, lookup('self'), peer, data];
          if (st.event === 'Running') return [ev('Running', args)];
          // a Commit or Secret carries the agents the role deals with, the ones that must be
          // honest: the query's excuse is a reveal of one of them (Tamarin's `Honest(A) @ i`).
          // Separate HonestAt events did the same but made every derivation carry them as
          // blocking events: key-exchange's saturation did not end in 300 s (with them in one
          // argument the secrecy query alone ends in 33 s)
          // padded with `self` to the widest role's agents, so one secrecy query covers every role
          const agents = rw.agents.map((a) => lookup(a.name));
          while (agents.length < agentWidth) agents.push(lookup('self'));
          return [ev(st.event, [...args, tupleOf(agents)])];
        }
      }
    }
    return { k: 'let', name: `Role_${ident(role)}`, params: rw.agents.map((a) => (lookup(a.name) as { name: string }).name), body };
  };

  const roleDecls = walk.roles.map(roleProcess);
  const reveals = revealEvents(protocol);
  const qv = (n: string) => pvar(n);
  // the compromises that forward secrecy moves after the sessions (phase 1, event RevealLate)
  const lateReveals = new Set(protocol.properties.flatMap((q) => (q.kind === 'forward-secrecy' ? (q.compromiseAfter ?? []) : [])));
  const queries: PvDecl[] = propertyQueries(p, {
    walk,
    ...(variant ? { variant } : {}),
    constant: (prefix, raw) => names.constant(prefix, raw),
    isConstant: (n) => [...names.consts.values()].includes(n),
    reveals: reveals.length > 0,
    lateReveals,
  });
  const finishes = new Map<string, string>();
  for (const rw of walk.roles) for (const t of rw.transitions) for (const st of t.steps) if (st.op === 'claim' && st.event === 'Finish' && !finishes.has(rw.decl.role)) finishes.set(rw.decl.role, st.tag);
  for (const [role, tag] of finishes)
    queries.push({ k: 'query', comments: [`executability: ${role} can finish ('${tag}'); expected ProVerif answer: false (the event is reachable)`], vars: ['a'], text: { premise: [{ k: 'event', name: 'Finish', args: [names.constant('r', role), names.constant('t', tag), qv('a')] }], conclusion: [] } });

  // the main process: roles for any agents, reveals, public parts
  const branches: { replicated: boolean; body: PvStep[] }[] = [];
  for (const rw of walk.roles) {
    // the attacker names the nodes; an authority (the TTP) is the one deployment agent
    const ps: string[] = [];
    const args = rw.agents.map((a) => {
      const authority = authorityName(protocol, rw.decl.agents[a.name] ?? '');
      if (authority !== undefined) return names.constant('ag', authority);
      ps.push(names.vars.name(a.name, 'agent'));
      return pvar(ps[ps.length - 1]!);
    });
    const input: PvStep[] = ps.length === 0 ? [] : [{ k: 'in', pattern: ps.length === 1 ? { k: 'bind', name: ps[0]! } : { k: 'tuple', items: ps.map((n) => ({ k: 'bind', name: n })) } }];
    branches.push({ replicated: true, body: [...input, { k: 'call', name: `Role_${ident(rw.decl.role)}`, args }] });
  }
  for (const d of protocol.longTerm) {
    lts.add(d.name);
    if (d.shared) continue; // a pair's value: no reveal (models/validate.ts)
    const value = papp(`lt_${ident(d.name)}`, pvar('A'));
    if (d.reveal && lateReveals.has(d.reveal)) {
      events.set('RevealLate', 2);
      branches.push({ replicated: true, body: [{ k: 'phase', n: 1 }, { k: 'in', pattern: { k: 'bind', name: 'A' } }, { k: 'event', name: 'RevealLate', args: [names.constant('e', d.reveal), pvar('A')] }, { k: 'out', t: value }] });
    }
    if (d.reveal) {
      events.set('Reveal', 2);
      branches.push({ replicated: true, body: [{ k: 'in', pattern: { k: 'bind', name: 'A' } }, { k: 'event', name: 'Reveal', args: [names.constant('e', d.reveal), pvar('A')] }, { k: 'out', t: value }] });
    }
  }
  for (const r of protocol.roles)
    for (const t of Object.values(r.knows))
      for (const sub of subApps(t)) {
        const last = sub.args[sub.args.length - 1];
        const ref = last && last.t === 'var' ? ltRefOf(last) : null;
        if (!ref || !(sub.f === 'pk' || (sub.f === 'exp' && sub.args[0]!.t === 'const' && sub.args[0]!.name === 'g'))) continue;
        const v = papp(`lt_${ident(ref.name)}`, pvar('A'));
        const part = sub.f === 'pk' ? papp('pk', v) : papp('exp', names.constant('c', 'g'), v);
        funcs.add(sub.f);
        const body: PvStep[] = [{ k: 'in', pattern: { k: 'bind', name: 'A' } }, { k: 'out', t: part }];
        if (!branches.some((b) => JSON.stringify(b.body) === JSON.stringify(body))) branches.push({ replicated: true, body });
      }

  const decls: PvDecl[] = [
    { k: 'comment', lines: [`${p.title} — ${p.source}`, ...(variant ? [`variant ${variant.id}: ${variant.title}`] : []), 'Generated by `tcv export` from the protocol machines (models/); do not edit: edit the model.', 'ProVerif 2.05: proverif FILE.pv'] },
    // without it ProVerif 2.05 leaves reachable events of nspk "cannot be proved": the
    // selection function's loop-avoiding nounif declarations stop the resolution on
    // attacker(aenc(...)) hypotheses it cannot rebuild a trace from (manual §6.7.2)
    { k: 'set', name: 'nounifIgnoreAFewTimes', value: 'auto' },
    { k: 'free', name: 'c', type: 'channel' },
  ];
  if (funcs.has('exp')) names.constant('c', 'g');
  for (const n of names.consts.values()) decls.push({ k: 'const', name: n });
  // the constructors the destructors' rewrite rules mention are declared with them
  for (const r of PV_SIGNATURE.reducs) if (funcs.has(r.f)) r.needs.forEach((f) => funcs.add(f));
  for (const f of Object.keys(FUNCTIONS)) if (funcs.has(f)) decls.push({ k: 'fun', name: f, arity: FUNCTIONS[f]!.arity, result: FUNCTIONS[f]!.result, private: false });
  for (const r of PV_SIGNATURE.reducs) if (funcs.has(r.f)) decls.push({ k: 'reduc', vars: r.vars, lhs: r.lhs, rhs: r.rhs });
  for (const [f, tags] of totals) for (const tag of tags) decls.push(...totalDecryptionDecls(f, tag || undefined));
  if (funcs.has('exp')) decls.push({ k: 'equation', vars: ['x', 'y'], lhs: papp('exp', papp('exp', names.constant('c', 'g'), pvar('x')), pvar('y')), rhs: papp('exp', papp('exp', names.constant('c', 'g'), pvar('y')), pvar('x')) });
  for (const n of [...lts].sort()) {
    const d = protocol.longTerm.find((l) => l.name === n);
    decls.push({ k: 'fun', name: `lt_${ident(n)}`, arity: d?.shared ? 2 : 1, result: 'bitstring', private: !d?.public });
    // a symmetric key of a pair: k_AB = k_BA (a linear equation, as the DH one above)
    if (d?.shared === 'pair') decls.push({ k: 'equation', vars: ['x', 'y'], lhs: papp(`lt_${ident(n)}`, pvar('x'), pvar('y')), rhs: papp(`lt_${ident(n)}`, pvar('y'), pvar('x')) });
  }
  for (const [n, a] of events) decls.push({ k: 'event', name: n, arity: a });
  decls.push(...queries, ...roleDecls, { k: 'process', branches });
  return { text: printPv(decls), queries: queries.filter((q) => q.k === 'query').length, decls };
}

function subApps(t: Term): Extract<Term, { t: 'app' }>[] {
  return t.t === 'app' ? [t, ...t.args.flatMap(subApps)] : [];
}
