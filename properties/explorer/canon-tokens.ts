/**
 * The tokenised pieces of a state key (`canon.ts`), cached on the objects they come from so that a
 * state key is not printed from scratch at every state.
 *
 * A key is made of printed strings split into literal text and the parts a permutation or the
 * variable renaming rewrites (instance labels inside names, `#k` instance numbers, variables).
 * Most of a state is shared with its parent: an instance that did not step is the same object, a
 * knowledge entry whose variables no step bound resolves to the same object (`resolveAcross` in
 * `unify.ts`), a claim record is the same object. So tokens are cached:
 * - per resolved term object (`termTokens`): what `tok(show(u))` gives;
 * - per instance object, with the resolved objects of its environment (`instTokens`): valid while
 *   every one of them is the same object;
 * - per claim record, with the resolved objects of its data, peer and session (`claimTokens`).
 *
 * Why concatenating tokens gives the tokens of the concatenated string (so the keys are the same
 * strings as when each piece was printed and split whole): no token of the splitting pattern can
 * span a seam. Every seam is between a term's printed form and one of `=`, `,`, `{`, `}`, `:`, `<`,
 * `>`, `|` or the string's end; a variable `x$3` starts with a letter and ends with a digit, a
 * label `.L` ends at a word boundary, and an instance number is `#` and digits, so none of these
 * characters begins, continues or ends one across the seam (a label before `,`, `}` or `:` still
 * ends at a word boundary).
 * @module
 */
import { type Term, show } from '../../models/terms.ts';
import type { SymClaim } from './execute.ts';
import type { Instance } from './scenario.ts';
import { type Subst, sameSupport, supportOf } from './unify.ts';

export type Token = string | { readonly k: 'var'; readonly v: string; readonly base: string } | { readonly k: 'label'; readonly v: string } | { readonly k: 'inst'; readonly n: number };
/** Tokens, nested: a piece made of cached pieces holds them as they are (no copying). */
export type Tokens = readonly (Token | Tokens)[];

/** The caches of one set of instance labels (one scenario in practice). */
interface LabelCache {
  readonly memo: Map<string, Tokens>;
  readonly re: RegExp;
  readonly terms: WeakMap<Term, { readonly s: string; readonly toks: Tokens }>;
  readonly insts: WeakMap<Instance, { readonly keys: readonly string[]; readonly res: readonly Term[]; readonly support: readonly (string | Term | undefined)[]; readonly toks: Tokens }>;
  readonly claims: WeakMap<SymClaim, { readonly res: readonly (Term | null)[]; readonly str: string; readonly toks: Tokens }>;
  readonly blanks: WeakMap<Tokens, string>;
  readonly plains: WeakMap<Tokens, string | null>;
}

/** Tokenised strings and terms, per set of instance labels, with the pattern that splits them. A
 * search keeps its own (`newTokenCache`), so what it tokenised goes with it. */
export type TokenCache = Map<string, LabelCache>;

export function newTokenCache(): TokenCache {
  return new Map();
}

/** The tokenisers of one state (its instance labels): strings, resolved terms, instances, claims. */
export interface Tokenizer {
  /** a string split into tokens (memoised by the string) */
  readonly str: (x: string) => Tokens;
  /** the tokens of `show(u)` for a resolved term `u` */
  readonly term: (u: Term) => Tokens;
  /** an instance as `state{k=v,…}` (keys sorted), or `!` if it has not started, under `s`; `res`
   * resolves */
  readonly inst: (i: Instance, s: Subst, res: (t: Term) => Term) => Tokens;
  /** a claim as `#inst:event:tag:data:peer[:sid][:had|:new]`, its string and its tokens */
  readonly claim: (c: SymClaim, res: (t: Term) => Term) => { readonly str: string; readonly toks: Tokens };
  /** the tokens with every label, variable and instance number blanked (a permutation's invariant) */
  readonly blank: (t: Tokens) => string;
  /** the string the tokens were split from, when they hold no variable (null otherwise): what
   * they render to under the identity permutation */
  readonly fixed: (t: Tokens) => string | null;
}

const NOT_STARTED: Tokens = ['!'];

export function tokenizer(labels: readonly string[], cache: TokenCache): Tokenizer {
  const id = labels.join(',');
  let hit = cache.get(id);
  if (!hit || hit.memo.size > 500_000) {
    const re = new RegExp(`([A-Za-z_][A-Za-z0-9_]*)\\$\\d+|\\.(${labels.map((l) => l.replace(/[^A-Za-z0-9_]/g, '\\$&')).join('|')})\\b|#(\\d+)`, 'g');
    hit = { memo: new Map(), re, terms: new WeakMap(), insts: new WeakMap(), claims: new WeakMap(), blanks: new WeakMap(), plains: new WeakMap() };
    cache.set(id, hit);
  }
  const { memo, re, terms, insts, claims, blanks, plains } = hit;
  const str = (x: string): Tokens => {
    let r = memo.get(x);
    if (r) return r;
    const out: Token[] = [];
    let at = 0;
    for (const m of x.matchAll(re)) {
      if (m.index! > at) out.push(x.slice(at, m.index));
      if (m[1] !== undefined) out.push({ k: 'var', v: m[0], base: m[1] });
      else if (m[2] !== undefined) out.push({ k: 'label', v: m[2] });
      else out.push({ k: 'inst', n: Number(m[3]) });
      at = m.index! + m[0].length;
    }
    if (at < x.length) out.push(x.slice(at));
    memo.set(x, out);
    return out;
  };
  const shown = (u: Term): { readonly s: string; readonly toks: Tokens } => {
    let r = terms.get(u);
    if (r === undefined) {
      const s = show(u);
      r = { s, toks: str(s) };
      terms.set(u, r);
    }
    return r;
  };
  const term = (u: Term): Tokens => shown(u).toks;
  const same = (a: readonly (Term | null)[], b: readonly (Term | null)[]) => a.length === b.length && a.every((x, k) => x === b[k]);
  const inst = (i: Instance, s: Subst, res: (t: Term) => Term): Tokens => {
    if (!i.started) return NOT_STARTED;
    const prev = insts.get(i);
    // the same lookups answered the same: the environment resolves as it did (`sameSupport`)
    if (prev && sameSupport(prev.support, s)) return prev.toks;
    // an instance object is immutable: its environment's keys are those of its last entry
    const keys = prev ? prev.keys : Object.keys(i.env).sort();
    const rs = keys.map((k) => res(i.env[k]!));
    const support = supportOf(keys.map((k) => i.env[k]!), s);
    if (prev && same(prev.res, rs)) {
      insts.set(i, { ...prev, support });
      return prev.toks;
    }
    const toks: Tokens[number][] = [str(`${i.state}{`)];
    keys.forEach((k, n) => toks.push(str(`${n ? ',' : ''}${k}=`), term(rs[n]!)));
    toks.push('}');
    insts.set(i, { keys, res: rs, support, toks });
    return toks;
  };
  const claim = (c: SymClaim, res: (t: Term) => Term) => {
    const rs = [res(c.data), c.peer ? res(c.peer) : null, c.sid ? res(c.sid) : null];
    const prev = claims.get(c);
    if (prev && same(prev.res, rs)) return prev;
    const data = shown(rs[0]!);
    const peer = rs[1] ? shown(rs[1]) : null;
    const sid = rs[2] ? shown(rs[2]) : null;
    const head = `#${c.inst}:${c.event}:${c.tag}:`;
    const had = c.had === undefined ? '' : c.had ? ':had' : ':new';
    const toks: Tokens = [str(head), data.toks, ':', peer ? peer.toks : '', sid ? [':', sid.toks] : '', had];
    const r = { res: rs, str: `${head}${data.s}:${peer ? peer.s : ''}${sid ? `:${sid.s}` : ''}${had}`, toks };
    claims.set(c, r);
    return r;
  };
  const blank = (t: Tokens): string => {
    let r = blanks.get(t);
    if (r === undefined) {
      r = '';
      for (const x of t) r += typeof x === 'string' ? x : Array.isArray(x) ? blank(x as Tokens) : (x as Token & object).k === 'var' ? '$' : (x as Token & object).k === 'label' ? '.L' : '#';
      blanks.set(t, r);
    }
    return r;
  };
  const fixed = (t: Tokens): string | null => {
    let r = plains.get(t);
    if (r === undefined) {
      r = '';
      for (const x of t) {
        const y = typeof x === 'string' ? x : Array.isArray(x) ? fixed(x as Tokens) : (x as Token & object).k === 'var' ? null : (x as Token & object).k === 'label' ? `.${(x as { v: string }).v}` : `#${(x as { n: number }).n}`;
        if (y === null) {
          r = null;
          break;
        }
        r += y;
      }
      plains.set(t, r);
    }
    return r;
  };
  return { str, term, inst, claim, blank, fixed };
}
