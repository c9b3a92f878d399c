/**
 * The well-formedness checker of a ProVerif model, on the tree the exporter prints (ast.ts):
 * the rules ProVerif 2.05's parser and type checker apply to what this exporter writes, and
 * the placement rules without which a query does not mean what its lemma means. `tcv export`
 * and the tests run it on every export, so the exporter stays honest without ProVerif.
 *
 * Parser and checker (ProVerif manual §3.1, §3.2, §4.1):
 * - `let =M = N in` is a syntax error: a pattern `=M` stands only inside a tuple pattern
 *   (ProVerif 2.05 rejected nspk.pv / nsl.pv with "Syntax error" on exactly that);
 * - identifiers are `[A-Za-z][A-Za-z0-9_']*` and not keywords; each is declared once;
 * - every function, constant, event and process used is declared, with its arity;
 * - a variable is bound (parameter, `in`, `new`, `let`) before a term reads it;
 * - a query's variables are declared in its `query x: T, …;` head.
 * Meaning (manual §4.3.1: a correspondence sees the events executed before its premise):
 * - each Commit/Secret event ends with the tuple of its process's agents, the ones the query's
 *   excuse names (separate HonestAt events placed after the claim were invisible to `==>`, and
 *   placed before it they made key-exchange's saturation run past 300 s);
 * - no claim event follows an output of the same transition (a process may stop there);
 * - a decryption under a KDFa 'CFB' key never fails (cfb-decryption.ts): it is a constructor with
 *   an equation, not a destructor that fails on a ciphertext it did not make (provisioning M3.2's
 *   P3.2 "held" in Tamarin and would have in ProVerif where the explorer finds the attack);
 * - a rewrite rule's or equation's right side uses only variables of its left side, and an
 *   no destructor appears in an equation or inside a rewrite rule (ProVerif 2.05 rejects both).
 * @module
 */
import type { PvDecl, PvFact, PvPattern, PvStep, PvTerm } from './ast.ts';
import { CFB_KEY_LABEL } from '../../impl/runtime/primitives.ts';

const IDENT = /^[A-Za-z][A-Za-z0-9_']*$/;
/** ProVerif 2.05's reserved words (its lexer's keyword table). */
export const PV_KEYWORDS: ReadonlySet<string> = new Set(['among', 'axiom', 'channel', 'choice', 'clauses', 'const', 'def', 'diff', 'do', 'elimtrue', 'else', 'equation', 'equivalence', 'event', 'expand', 'fail', 'forall', 'foreach', 'free', 'fun', 'get', 'if', 'implementation', 'in', 'inj-event', 'insert', 'lemma', 'let', 'letfun', 'letproba', 'new', 'noninterf', 'not', 'nounif', 'or', 'otherwise', 'out', 'param', 'phase', 'pred', 'proba', 'process', 'proof', 'public_vars', 'putbegin', 'query', 'reduc', 'restriction', 'secret', 'select', 'set', 'suchthat', 'sync', 'table', 'then', 'type', 'weaksecret', 'yield']);

const BUILTIN = new Map<string, number>([['true', 0], ['false', 0]]);

export function modelProblems(decls: readonly PvDecl[]): string[] {
  const out: string[] = [];
  const symbols = new Map<string, number>(BUILTIN); // functions and constants: arity
  const events = new Map<string, number>();
  const processes = new Map<string, number>();
  const names = new Set<string>();
  const partial = new Set<string>(); // destructors: they fail where no rule applies
  const declare = (name: string, what: string) => {
    if (!IDENT.test(name)) out.push(`${what} '${name}' is not a ProVerif identifier`);
    if (PV_KEYWORDS.has(name)) out.push(`${what} '${name}' is a ProVerif keyword`);
    if (names.has(name)) out.push(`'${name}' is declared twice`);
    names.add(name);
  };
  const term = (t: PvTerm, scope: ReadonlySet<string>, where: string): void => {
    if (t.k === 'var') {
      if (!scope.has(t.name) && !symbols.has(t.name)) out.push(`${where}: '${t.name}' is neither bound nor declared`);
      else if (!scope.has(t.name) && symbols.get(t.name) !== 0) out.push(`${where}: function '${t.name}' used as a constant`);
    } else if (t.k === 'app') {
      const a = symbols.get(t.f);
      if (a === undefined) out.push(`${where}: function '${t.f}' is not declared`);
      else if (a !== t.args.length) out.push(`${where}: '${t.f}' takes ${a} arguments, given ${t.args.length}`);
      t.args.forEach((x) => term(x, scope, where));
    } else {
      if (t.items.length < 2) out.push(`${where}: a tuple of ${t.items.length} element(s) has no ProVerif syntax`);
      t.items.forEach((x) => term(x, scope, where));
    }
  };
  /** the variables a pattern binds; its `=M` terms are read in `scope` */
  const pattern = (p: PvPattern, scope: ReadonlySet<string>, where: string, top: boolean): string[] => {
    if (p.k === 'bind') {
      if (!IDENT.test(p.name) || PV_KEYWORDS.has(p.name)) out.push(`${where}: '${p.name}' cannot name a variable`);
      return [p.name];
    }
    if (p.k === 'eq') {
      if (top) out.push(`${where}: a top-level '=M' pattern is a syntax error in ProVerif 2.05 (write 'if N = M then')`);
      term(p.t, scope, where);
      return [];
    }
    return p.items.flatMap((x) => pattern(x, scope, where, false));
  };
  /** `agents`: what a Commit/Secret of this process must end with (its parameters, as one tuple) */
  const steps = (body: readonly PvStep[], params: Iterable<string>, where: string, afterOut = false, before?: PvStep, agents?: PvTerm) => {
    const scope = new Set(params);
    const defs = new Map<string, PvTerm>(); // what a `let x = t` bound, to see a CFB key behind x
    let claimsAfterOut = afterOut;
    let prev: PvStep | undefined = before;
    for (const s of body) {
      const w = `${where}`;
      switch (s.k) {
        case 'in':
          claimsAfterOut = false;
          pattern(s.pattern, scope, w, false).forEach((x) => scope.add(x));
          break;
        case 'out':
          term(s.t, scope, w);
          claimsAfterOut = true;
          break;
        case 'new':
          scope.add(s.name);
          break;
        case 'let': {
          term(s.t, scope, w);
          if (s.t.k === 'app' && partial.has(s.t.f) && bindsOnly(s.pattern) && isCfbKey(s.t.args[s.t.args.length - 1], defs))
            out.push(`${w}: '${s.t.f}' under a CFB key may fail here, but AES-CFB always decrypts (write its total form, cfb-decryption.ts)`);
          if (s.pattern.k === 'bind') defs.set(s.pattern.name, s.t);
          pattern(s.pattern, scope, w, true).forEach((x) => scope.add(x));
          break;
        }
        case 'if':
          term(s.l, scope, w);
          term(s.r, scope, w);
          break;
        case 'event': {
          const a = events.get(s.name);
          if (a === undefined) out.push(`${w}: event '${s.name}' is not declared`);
          else if (a !== s.args.length) out.push(`${w}: event '${s.name}' takes ${a} arguments, given ${s.args.length}`);
          s.args.forEach((x) => term(x, scope, w));
          if (s.name === 'Running' || s.name === 'Commit' || s.name === 'Secret') {
            if (claimsAfterOut) out.push(`${w}: event ${s.name} after an output of its transition (a process may stop at an output; the claim would be skipped)`);
          }
          if ((s.name === 'Commit' || s.name === 'Secret') && agents && !endsWithAgents(s.args[s.args.length - 1], agents))
            out.push(`${w}: event ${s.name} does not end with the tuple of its process's agents (the query's excuse must be a reveal of this claim's agents)`);
          break;
        }
        case 'call': {
          const a = processes.get(s.name);
          if (a === undefined) out.push(`${w}: process '${s.name}' is not declared`);
          else if (a !== s.args.length) out.push(`${w}: process '${s.name}' takes ${a} arguments, given ${s.args.length}`);
          s.args.forEach((x) => term(x, scope, w));
          break;
        }
        case 'comment':
          continue;
        case 'choice':
          term(s.on, scope, w);
          for (const b of s.branches) {
            term(b.on, scope, w);
            steps(b.steps, scope, w, claimsAfterOut, prev, agents);
          }
          break;
        case 'phase':
          if (!Number.isInteger(s.n) || s.n < 1) out.push(`${w}: phase ${s.n} is not a positive whole number`);
          claimsAfterOut = false;
          break;
      }
      prev = s;
    }
  };
  // ProVerif 2.05: "The variable x in the right-hand side does not occur in the left-hand side"
  const rhsBound = (d: { vars: readonly string[]; lhs: PvTerm; rhs: PvTerm }, where: string) => {
    const lhsVars = varsIn(d.lhs);
    for (const x of varsIn(d.rhs)) if (d.vars.includes(x) && !lhsVars.has(x)) out.push(`${where}: '${x}' on the right side is not bound by the left side`);
  };
  // ProVerif 2.05: "sdec is a function defined by rewrite rules; it should not appear in
  // equations or rewrite rules" (checked on a one-line model)
  const noDestructor = (ts: readonly PvTerm[], where: string) => {
    const walk = (t: PvTerm): void => {
      if (t.k === 'app' && partial.has(t.f)) out.push(`${where}: '${t.f}' is a destructor; it cannot appear in an equation or a rewrite rule`);
      if (t.k !== 'var') (t.k === 'app' ? t.args : t.items).forEach(walk);
    };
    ts.forEach(walk);
  };
  const fact = (f: PvFact, scope: ReadonlySet<string>, where: string) => {
    if (f.k === 'attacker') return term(f.t, scope, where);
    const a = events.get(f.name);
    if (a === undefined) out.push(`${where}: event '${f.name}' is not declared`);
    else if (a !== f.args.length) out.push(`${where}: event '${f.name}' takes ${a} arguments, given ${f.args.length}`);
    f.args.forEach((x) => term(x, scope, where));
  };
  for (const d of decls) {
    switch (d.k) {
      case 'free':
      case 'const':
        declare(d.name, d.k);
        symbols.set(d.name, 0);
        break;
      case 'fun':
        declare(d.name, 'function');
        symbols.set(d.name, d.arity);
        break;
      case 'reduc': {
        if (d.lhs.k !== 'app') {
          out.push('a reduc whose left side is not an application');
          break;
        }
        if (!names.has(d.lhs.f)) declare(d.lhs.f, 'destructor');
        symbols.set(d.lhs.f, d.lhs.args.length);
        partial.add(d.lhs.f);
        const scope = new Set(d.vars);
        term(d.lhs, scope, `reduc ${d.lhs.f}`);
        term(d.rhs, scope, `reduc ${d.lhs.f}`);
        rhsBound(d, `reduc ${d.lhs.f}`);
        noDestructor([...d.lhs.args, d.rhs], `reduc ${d.lhs.f}`);
        break;
      }
      case 'equation': {
        const scope = new Set(d.vars);
        term(d.lhs, scope, 'equation');
        term(d.rhs, scope, 'equation');
        rhsBound(d, 'equation');
        noDestructor([d.lhs, d.rhs], 'equation');
        break;
      }
      case 'event':
        declare(d.name, 'event');
        events.set(d.name, d.arity);
        break;
      case 'query': {
        const scope = new Set(d.vars);
        const where = `query ${d.comments[0]?.split(' ')[0] ?? ''}`;
        for (const v of d.vars) if (!IDENT.test(v) || PV_KEYWORDS.has(v)) out.push(`${where}: '${v}' cannot name a query variable`);
        d.text.premise.forEach((f) => fact(f, scope, where));
        d.text.conclusion.forEach((c) => c.forEach((f) => fact(f, scope, where)));
        break;
      }
      case 'let':
        declare(d.name, 'process');
        processes.set(d.name, d.params.length);
        steps(d.body, d.params, `process ${d.name}`, false, undefined, d.params.length === 1 ? { k: 'var', name: d.params[0]! } : { k: 'tuple', items: d.params.map((n): PvTerm => ({ k: 'var', name: n })) });
        break;
      case 'process':
        d.branches.forEach((b, i) => steps(b.body, [], `main process, branch ${i + 1}`));
        break;
      default:
        break;
    }
  }
  return out;
}

/** Is `t` the process's agents as one tuple, possibly padded with copies of its first (self)? */
function endsWithAgents(t: PvTerm | undefined, agents: PvTerm): boolean {
  const items = (x: PvTerm | undefined): PvTerm[] => (x === undefined ? [] : x.k === 'tuple' ? [...x.items] : [x]);
  const got = items(t).map((x) => JSON.stringify(x));
  const want = items(agents).map((x) => JSON.stringify(x));
  return got.length >= want.length && want.every((w, i) => got[i] === w) && got.slice(want.length).every((g) => g === want[0]);
}

/** The variable names inside a term. */
function varsIn(t: PvTerm, acc = new Set<string>()): Set<string> {
  if (t.k === 'var') acc.add(t.name);
  else (t.k === 'app' ? t.args : t.items).forEach((x) => varsIn(x, acc));
  return acc;
}

/** Is `k` (or what the `let` that bound it holds) `kdfa(_, c_CFB, _, _)`: an AES-CFB key. */
function isCfbKey(k: PvTerm | undefined, defs: ReadonlyMap<string, PvTerm>, depth = 0): boolean {
  if (k?.k === 'var') return depth < 32 && isCfbKey(defs.get(k.name), defs, depth + 1);
  const label = k?.k === 'app' && k.f === 'kdfa' ? k.args[1] : undefined;
  return label?.k === 'var' && label.name === `c_${CFB_KEY_LABEL}`;
}

/** A pattern that only binds: a variable, or the typing tag of raw bytes and a variable (a
 * pattern comparing a received value may fail after any decryption: the comparison fails). */
function bindsOnly(p: PvPattern): boolean {
  if (p.k === 'bind') return true;
  if (p.k !== 'tuple' || p.items.length !== 2) return false;
  const [tag, x] = p.items as [PvPattern, PvPattern];
  return tag.k === 'eq' && tag.t.k === 'var' && /^c_ty_(bytes|any)$/.test(tag.t.name) && x.k === 'bind';
}
