/**
 * The lazy intruder: deducibility constraints `K_lvl ⊢ t` (the attacker can build `t` from the
 * first `lvl` messages of its knowledge) solved by narrowing, never by enumerating messages.
 *
 * A constraint on a bare variable is solved (the attacker may choose any value it knows, at the
 * time of the constraint). Any other constraint is reduced by one of:
 * - compose: `f(t1..tn)` from `t1..tn` (every symbol is public, destructors included);
 * - known: unify `t` with a subterm the attacker can analyse out of a known message: tuple
 *   components freely, `senc(m, k)` contents given `⊢ k`, `aenc(m, pk(sk))` given `⊢ sk`
 *   (signatures reveal nothing: the theory has no message extraction). A key constraint may not
 *   use the ciphertext it opens (such a derivation is never minimal), which makes this terminate;
 * - DH: `b^(x1*…*xn)` from a known `b^F` (or `b` itself) and the missing factors, or, when `b` is
 *   a variable the attacker chose, with `b := 'g'^y` for a fresh exponent `y` of its own.
 * Every rule application is recorded as a `Deduction`, so attack traces show how inputs were made.
 * @module
 */
import { DESTRUCTORS, isDecryptionApp } from '../../models/equations.ts';
import { type Piece, entryPieces } from './pieces.ts';
import { type Term, type Var, app, show, termEquals } from '../../models/terms.ts';
import { FreshVars, type Subst, matchFactors, resolve, unify } from './unify.ts';
import { decidingNames } from './deciding-names.ts';

export { namesIn } from './deciding-names.ts';

export interface Constraint {
  /** the attacker may use knowledge entries [0, lvl) */
  readonly lvl: number;
  readonly t: Term;
  /** analysis sources this constraint must not use (cycle freedom) */
  readonly used?: readonly string[];
}

export interface Deduction {
  readonly how: 'compose' | 'known' | 'dh' | 'choose';
  readonly term: Term;
  /** knowledge entry the term (or the DH base) was taken from */
  readonly from?: number;
  /** keys the attacker had to derive to open it */
  readonly keys?: readonly Term[];
}

export interface Solution {
  readonly s: Subst;
  /** solved (simple) constraints: bare variables */
  readonly cons: readonly Constraint[];
  readonly notes: readonly Deduction[];
}

export interface SolveContext {
  /** the attacker's knowledge in the state being solved (set by the caller) */
  know: readonly Term[];
  readonly fresh: FreshVars;
  /** work units one `solve` call may spend; when they run out `cut` is set and the search that
   * asked is inconclusive, never `holds` */
  budget: { perCall: number; cut: boolean };
  /** told every open choice (below the top level) whose level this call reads, with the names
   * that decide the answer: its constraint taken apart once a binding made it a ground term (the
   * names of the term and of the keys that open messages holding them: a message without any of
   * these cannot help to derive it), or null for any other read (a term with variables, or the
   * level passed to another variable). What the search's level relevance needs (`search.ts`). */
  levelRead?: (v: string, names: ReadonlySet<string> | null) => void;
  /** no read is reported for a choice bound to a ground term the whole knowledge cannot derive
   * (`underivable`): at every level the answer is the same "no", so the level is not read (a
   * state with the same key has the same knowledge as a set, so the same "no" at every level;
   * level relevance in `visited.ts`). Set by the search (`ExploreOptions.relevanceUnderivable`) */
  skipUnderivableReads?: boolean;
  /** a property judges Commits with a dishonest peer (`peers: 'any'`): a step records, for each
   * such Commit, whether the attacker had its data before the step (`SymClaim.had`) */
  attackerHad?: boolean;
}

/** Work units per `solve` call unless a search says otherwise (`ExploreOptions.solveBudget`). */
export const SOLVE_BUDGET = 200_000;

/** A fresh solving context: no knowledge yet (the caller sets it per state), its own fresh
 * variables unless given some to share, and the budget per call. */
export function newSolveContext(fresh: FreshVars = new FreshVars(), perCall = SOLVE_BUDGET): SolveContext {
  return { know: [], fresh, budget: { perCall, cut: false } };
}

/** Counters for profiling. */
export const STATS = { calls: 0, steps: 0 };

interface Source {
  readonly id: string;
  readonly from: number;
  readonly term: Term;
  readonly keys: readonly Term[];
}

/** Analysis sources of the whole knowledge, per substitution object (a solve step that binds
 * nothing keeps its substitution, so this is shared across rules). */
const SOURCE_CACHE = new WeakMap<Subst, { know: readonly Term[]; all: Source[] }>();

/** The knowledge of the current `solve` call resolved under its input substitution: its
 * variables, each entry's variables and pieces, and its sources. */
let BASE_SOURCES: { know: readonly Term[]; base: Subst; vars: string[]; entryVars: string[][]; entryPieces: Piece[][] | null; all: Source[] } | null = null;

function collectVars(t: Term, out: Set<string>): void {
  if (t.t === 'var') out.add(t.name);
  else if (t.t === 'app') for (const a of t.args) collectVars(a, out);
}

/** Subterms the attacker can analyse out of knowledge entries [0, lvl), with the keys needed. */
function sources(know: readonly Term[], lvl: number, s: Subst): Source[] {
  let hit = SOURCE_CACHE.get(s);
  if (!hit || hit.know !== know) {
    // within one `solve` call every substitution extends its input substitution `base`: an
    // entry whose variables (under `base`) the substitution leaves unbound has the same pieces,
    // so only the entries it binds are analysed again
    const prev = BASE_SOURCES;
    if (prev && prev.know === know && prev.vars.every((v) => !s.has(v))) hit = { know, all: prev.all };
    else if (prev && prev.know === know) {
      const base = (prev.entryPieces ??= know.map((k) => entryPieces(k, prev.base)));
      hit = { know, all: mergeSources(base.map((ps, i) => (prev.entryVars[i]!.some((v) => s.has(v)) ? entryPieces(know[i]!, s) : ps))) };
    }
    else hit = { know, all: allSources(know, s) };
    SOURCE_CACHE.set(s, hit);
  }
  return lvl >= know.length ? hit.all : hit.all.filter((x) => x.from < lvl);
}

/** Variables of resolved knowledge entries, per resolved term object (as pieces.ts keeps pieces). */
const VARS = new WeakMap<Term, string[]>();

function resolvedVars(t: Term, s: Subst): string[] {
  const r = resolve(t, s);
  let vs = VARS.get(r);
  if (!vs) {
    const set = new Set<string>();
    collectVars(r, set);
    vs = [...set];
    VARS.set(r, vs);
  }
  return vs;
}

function allSources(know: readonly Term[], s: Subst): Source[] {
  return mergeSources(know.map((k) => entryPieces(k, s)));
}

function mergeSources(pieces: readonly (readonly Piece[])[]): Source[] {
  // the same subterm behind the same keys in several messages is one way to get it (the first)
  const seen = new Set<string>();
  const out: Source[] = [];
  for (let i = 0; i < pieces.length; i++) {
    for (const x of pieces[i]!) {
      if (seen.has(x.sig)) continue;
      seen.add(x.sig);
      out.push({ id: `${i}${x.path}`, from: i, term: x.term, keys: x.keys });
    }
  }
  return out;
}

/** Can two terms possibly unify? A cheap head-symbol filter before calling `unify`. */
function headsMeet(a: Term, b: Term): boolean {
  if (a.t === 'var' || b.t === 'var') return true;
  if ((a.t === 'app' && DESTRUCTORS.has(a.f)) || (b.t === 'app' && DESTRUCTORS.has(b.f))) return true;
  if (a.t !== b.t) return false;
  if (a.t === 'app') return a.f === (b as typeof a).f && a.args.length === (b as typeof a).args.length;
  return termEquals(a, b);
}

/** Merge simple constraints: one per variable, the smallest level (the strongest). The level of
 * an open choice (below the top level `top`) is read when the choice was bound to another
 * variable (its level passes to that one) or merged with another one below the top (the smaller
 * level wins; a merge with a top-level constraint keeps the choice's level whatever it is). */
function simplify(cons: readonly Constraint[], s: Subst, top: number, read?: SolveContext['levelRead']): Constraint[] {
  const by = new Map<string, Constraint>();
  // open choices below the top, per variable they now are
  const below = new Map<string, number>();
  for (const c of cons) {
    const t = resolve(c.t, s) as Var;
    const prev = by.get(t.name);
    if (!prev || c.lvl < prev.lvl) by.set(t.name, { lvl: c.lvl, t });
    if (read && c.t.t === 'var' && c.lvl < top) below.set(t.name, (below.get(t.name) ?? 0) + 1);
  }
  if (read)
    for (const c of cons) {
      if (c.t.t !== 'var' || c.lvl >= top) continue;
      const t = resolve(c.t, s) as Var;
      if (t.name !== c.t.name || below.get(t.name)! > 1) read(c.t.name, null);
    }
  return [...by.values()];
}

export function isGround(t: Term): boolean {
  return t.t === 'var' ? false : t.t === 'app' ? t.args.every(isGround) : true;
}

function factors(x: Term): Term[] {
  return x.t === 'app' && x.f === 'mult' ? [...x.args] : [x];
}

/**
 * All solutions of a constraint system (each a substitution and simple constraints), or none
 * when the attacker cannot satisfy it. Duplicate solutions are dropped.
 */
export function solve(cons: readonly Constraint[], s0: Subst, ctx: SolveContext): Solution[] {
  const out: Solution[] = [];
  const seen = new Set<string>();
  let work = ctx.budget.perCall;
  STATS.calls++;
  {
    const vars = new Set<string>();
    const entryVars = ctx.know.map((k) => {
      const vs = resolvedVars(k, s0);
      for (const v of vs) vars.add(v);
      return vs;
    });
    const cached = SOURCE_CACHE.get(s0);
    // each entry's pieces are kept when they are computed here; otherwise on first need
    const pieces = cached?.know === ctx.know ? null : ctx.know.map((k) => entryPieces(k, s0));
    const all = pieces ? mergeSources(pieces) : cached!.all;
    SOURCE_CACHE.set(s0, { know: ctx.know, all });
    BASE_SOURCES = { know: ctx.know, base: s0, vars: [...vars], entryVars, entryPieces: pieces, all };
  }
  const go = (pending: readonly Constraint[], s: Subst, notes: readonly Deduction[]): void => {
    if (ctx.budget.cut) return;
    STATS.steps++;
    if (--work < 0) {
      ctx.budget.cut = true;
      return;
    }
    // atoms first: they are settled without branching, and a missing one fails the branch early
    let idx = -1;
    let t: Term | undefined;
    for (let i = 0; i < pending.length; i++) {
      const r = resolve(pending[i]!.t, s);
      if (r.t === 'var') continue;
      if (idx < 0 || (r.t !== 'app' && t!.t === 'app')) {
        idx = i;
        t = r;
        if (r.t !== 'app') break;
      }
    }
    if (idx < 0 || !t) {
      const simple = simplify(pending, s, ctx.know.length, ctx.levelRead);
      // bindings shared with the input substitution are the same in every solution
      const key = [...s.keys()].filter((k) => s.get(k) !== s0.get(k)).sort().map((k) => `${k}=${show(resolve({ t: 'var', name: k, sort: 'msg' }, s))}`).join(';') + '|' + simple.map((c) => `${(c.t as Var).name}@${c.lvl}`).sort().join(',');
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ s, cons: simple, notes });
      }
      return;
    }
    const c = pending[idx]!;
    const rest = pending.filter((_, i) => i !== idx);
    const used = c.used ?? [];
    // public constants (labels, agent names, the generator) and `true`
    if (t.t === 'const' || (t.t === 'app' && t.f === 'true')) return go(rest, s, notes);
    const srcs = sources(ctx.know, c.lvl, s);
    // a ground term available as is: the most general way to have it, nothing else is needed
    if (isGround(t)) {
      const direct = srcs.find((x) => x.keys.length === 0 && termEquals(x.term, t!) && !used.includes(x.id));
      if (direct) return go(rest, s, [...notes, { how: 'known', term: t, from: direct.from }]);
    }
    // an open choice below the top level, bound since: what it may become depends on its level
    // (a constant, or a ground term its level holds as it is, is had whatever the level adds)
    if (c.t.t === 'var' && c.lvl < ctx.know.length && ctx.levelRead && !(ctx.skipUnderivableReads && isGround(t) && underivable(t, s, ctx)))
      ctx.levelRead(c.t.name, isGround(t) ? decidingNames(t, sources(ctx.know, ctx.know.length, s)) : null);
    if (t.t === 'name') {
      // a name is had only as itself: in the clear (above) or behind keys — or as what a stuck
      // decryption of an open choice becomes once the attacker picks the ciphertext (a party
      // that "decrypts" whatever it gets and sends the result: `sdec(x, k)` is the name if x
      // is `senc(name, k)`, which x's own constraint must then allow)
      for (const src of srcs) {
        if (used.includes(src.id)) continue;
        const stuck = isDecryptionApp(src.term) && !isGround(src.term);
        const sols = termEquals(src.term, t) ? [s] : stuck ? unify(t, src.term, s, ctx.fresh) : [];
        if (!sols.length) continue;
        const keys = src.keys.map((k) => ({ lvl: c.lvl, t: k, used: [...used, src.id] }));
        for (const u of sols) go([...rest, ...keys], u, [...notes, { how: 'known', term: t, from: src.from, keys: src.keys }]);
      }
      return;
    }
    // known: unify with something the attacker can analyse out of its knowledge
    if (!(t.t === 'app' && t.f === 'tuple')) {
      for (const src of srcs) {
        if (used.includes(src.id) || !headsMeet(t, src.term)) continue;
        for (const u of unify(t, src.term, s, ctx.fresh)) {
          const keys = src.keys.map((k) => ({ lvl: c.lvl, t: k, used: [...used, src.id] }));
          go([...rest, ...keys], u, [...notes, { how: 'known', term: t, from: src.from, keys: src.keys }]);
        }
      }
    }
    if (t.t !== 'app') return; // an honest name the attacker does not have
    if (t.f === 'exp') return dh(t, c, rest, s, notes);
    // compose
    go([...rest, ...t.args.map((a) => ({ lvl: c.lvl, t: a, used }))], s, [...notes, { how: 'compose', term: t }]);
  };

  const dh = (t: Term & { t: 'app' }, c: Constraint, rest: readonly Constraint[], s: Subst, notes: readonly Deduction[]) => {
    const [base, ex] = t.args as [Term, Term];
    const fs = factors(ex);
    const used = c.used ?? [];
    // exponentiate the base itself (the generator, or a point the attacker knows) by known factors
    go([...rest, { lvl: c.lvl, t: base, used }, ...fs.map((f) => ({ lvl: c.lvl, t: f, used }))], s, [...notes, { how: 'compose', term: t }]);
    // raise a known b^F to the missing factors
    for (const src of sources(ctx.know, c.lvl, s)) {
      if (used.includes(src.id) || src.term.t !== 'app' || src.term.f !== 'exp') continue;
      const [sb, sx] = src.term.args as [Term, Term];
      for (const u of unify(base, sb, s, ctx.fresh)) {
        for (const m of matchFactors(factors(sx), fs, u, ctx.fresh)) {
          if (m.rest.length === 0) continue; // the same term: the `known` rule covers it
          const more = [...src.keys.map((k) => ({ lvl: c.lvl, t: k, used: [...used, src.id] })), ...m.rest.map((f) => ({ lvl: c.lvl, t: f, used }))];
          go([...rest, ...more], m.s, [...notes, { how: 'dh', term: t, from: src.from, keys: src.keys }]);
        }
      }
    }
    // a point the attacker chose: make it 'g'^y for an exponent y of its own
    if (base.t === 'var') {
      const y = ctx.fresh.next('y', 'skey');
      for (const u of unify(base, app('exp', { t: 'const', name: 'g' }, y), s, ctx.fresh))
        go([...rest, c, { lvl: c.lvl, t: y, used }], u, [...notes, { how: 'choose', term: base }]);
    }
  };

  go(cons, s0, []);
  return out;
}

/**
 * Is ground `t` underivable from the whole knowledge (every entry, whatever the level), so that
 * no level of an open choice bound to it is read (`SolveContext.skipUnderivableReads`)? Solved on
 * its own (no other constraint: fewer conditions, so a "no" holds with them too), inside a running
 * `solve` (whose analysis sources are put back after). A solve cut by its budget counts as
 * derivable: the read is kept.
 */
function underivable(t: Term, s: Subst, ctx: SolveContext): boolean {
  const saved = BASE_SOURCES;
  const sols = solve([{ lvl: ctx.know.length, t }], s, { ...ctx, levelRead: undefined });
  BASE_SOURCES = saved;
  return sols.length === 0 && !ctx.budget.cut;
}

/** Is `t` derivable, together with the existing constraints? (Secrecy goals.) */
export function derivable(t: Term, lvl: number, cons: readonly Constraint[], s: Subst, ctx: SolveContext): Solution | null {
  const sols = solve([...cons, { lvl, t }], s, ctx);
  return sols[0] ?? null;
}
