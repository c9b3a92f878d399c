/**
 * Canonical keys of symbolic states, for the search's visited set.
 *
 * Two states with the same key are equivalent for everything the search does after them: the
 * steps every instance can take, the constraint solver's answers, and every verdict of the judge
 * on every extension. The key is built from what these read, and only from that:
 * - each instance's control state and its environment (resolved, printed), or that it has not started;
 * - the attacker's knowledge as a set, and the open constraints (each a variable); deducibility
 *   `K_lvl ⊢ t` depends only on the set of terms in `K_lvl`, so order and repetitions inside the
 *   knowledge do not matter;
 * - apart from the key, the constraint levels: for each open constraint, the set of knowledge
 *   terms below its level. A state whose levels are supersets of another's, with the same key,
 *   is at least as general: every choice the attacker makes in the other it can make in it (each
 *   constraint may use at least the same knowledge), so every trace from the other is a trace
 *   from it, with the same claims (`subsumes`);
 * - the claims, as a set, each Commit with the Running claims before it and each Secret with the
 *   reveals before it (what the judge compares: order only matters through those), and the set
 *   of reveal options used; with `commitReads` (`judge.ts`), a Commit only with the Running
 *   claims before it that a property judging it compares, and with none once it has a witness
 *   no later step can take away;
 * - apart from the key too, the last step (instance, whether it left a choice open, the knowledge
 *   before it), which only the partial-order reduction reads (`last`): a state explored without
 *   any partial-order skip covers the same state reached by another last step.
 *
 * Renamings. (a) Variables: a state is equivalent to itself with its variables renamed
 * injectively (they are the attacker's open choices, or unknown parts of terms; nothing outside
 * the state names them), so variables are renamed `base$k` by order of first occurrence.
 * (b) Symmetry: instances with the same role and the same agents differ only by their label,
 * which appears in the fresh names they made (`~n.TPM1`). Swapping two such instances everywhere
 * (their positions and the labels inside names) maps every trace to a trace of the swapped state
 * with the same claims up to the swap, which the judge cannot tell apart (it reads roles, agents,
 * tags and data; names compare only for equality, and a swap is injective). So a state and its
 * image are equivalent; the key is the smallest over the permutations of each group of identical
 * instances that order the group by a signature no permutation changes (`candidatePerms`; any
 * fixed choice is sound, a worse one only finds fewer duplicates).
 * @module
 */
import type { Term, Var } from '../../models/terms.ts';
import type { SymClaim, SymState } from './execute.ts';
import type { Instance } from './scenario.ts';
import { resolve } from './unify.ts';
import { isGround, namesIn } from './deduction.ts';
import { type Token, type TokenCache, type Tokens, tokenizer } from './canon-tokens.ts';

export { type TokenCache, newTokenCache } from './canon-tokens.ts';

/** The step that led to a state: its instance, the knowledge before it, and whether it left an
 * attacker choice open. */
export interface LastStep {
  readonly inst: number;
  readonly knowFrom: number;
  readonly free: boolean;
}

/** Groups of interchangeable instances (same role, same agents), each of size > 1. */
export function symmetryGroups(insts: readonly Instance[]): number[][] {
  const by = new Map<string, number[]>();
  insts.forEach((i, k) => {
    const sig = `${i.role}|${Object.keys(i.agents).sort().map((a) => `${a}=${i.agents[a]}`).join(',')}`;
    by.set(sig, [...(by.get(sig) ?? []), k]);
  });
  return [...by.values()].filter((g) => g.length > 1);
}

/** The orders of `xs`, lexicographic by position, lazily: a caller that takes the first `max`
 * never builds the other n! − max (at 9 interchangeable instances that was 362 880 arrays per
 * state, before the cap applied). */
function* permutations(xs: readonly number[]): Generator<number[]> {
  if (xs.length <= 1) {
    yield xs.slice();
    return;
  }
  for (let i = 0; i < xs.length; i++) for (const p of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) yield [xs[i]!, ...p];
}

function take<T>(it: Iterable<T>, max: number): T[] {
  const out: T[] = [];
  if (max <= 0) return out;
  for (const x of it) if (out.push(x) >= max) break;
  return out;
}

/**
 * The permutations (position → instance maps) worth trying for one state: within each group the
 * instances are put in the order of a signature that no permutation changes (the instance's
 * printed state with every label and variable blanked), so only instances with equal signatures
 * are still interchangeable; among those, all orders are tried (at most `max` combined, else the
 * first ones — any fixed choice is sound), except between instances that have not started (they
 * are identical: nothing names them yet).
 */
function candidatePerms(n: number, groups: readonly number[][], sig: (k: number) => string, started: (k: number) => boolean, max = 24): number[][] {
  let perms: number[][] = [Array.from({ length: n }, (_, k) => k)];
  for (const g of groups) {
    const sigs = new Map(g.map((k) => [k, sig(k)]));
    const sorted = g.slice().sort((a, b) => (sigs.get(a)! < sigs.get(b)! ? -1 : sigs.get(a)! > sigs.get(b)! ? 1 : a - b));
    // arrangements of the group: the sorted order, with each class of equal started signatures permuted
    let arrangements: number[][] = [[]];
    for (let k = 0; k < sorted.length; ) {
      let e = k + 1;
      while (e < sorted.length && sigs.get(sorted[e]!) === sigs.get(sorted[k]!)) e++;
      const cls = sorted.slice(k, e);
      // only the first `max` arrangements can be used below (each permutation takes them in
      // order), and they are made of the first `max` orders of each class
      const orders = cls.some(started) ? take(permutations(cls), max) : [cls];
      arrangements = take(
        (function* () {
          for (const a of arrangements) for (const o of orders) yield [...a, ...o];
        })(),
        max,
      );
      k = e;
    }
    const next: number[][] = [];
    for (const p of perms)
      for (const a of arrangements) {
        if (next.length >= max) break;
        const r = p.slice();
        g.forEach((pos, k) => (r[pos] = a[k]!));
        next.push(r);
      }
    perms = next;
  }
  return perms;
}

/**
 * The canonical key of a state, split in two (see the module comment): `key`, everything but the
 * constraint levels and the last step (the knowledge as one set); `levels`, for each open
 * constraint (in the key's variable order), the set of knowledge terms below its level, as a bit
 * string over the key's sorted knowledge; and `last`, the last step. Two states with the same
 * `key`, `levels` and `last` are equivalent; with the same `key` and `last` and levels that are
 * supersets everywhere, the second is more general (see `subsumes`). `groups` are the symmetry
 * groups (none disables the symmetry reduction); `tokens` is the search's token cache;
 * `commitReads` says which Running claims before a Commit the key lists (null: none; without
 * it, all of them).
 */
export function canonicalKey(st: SymState, last: LastStep | null, groups: readonly number[][], tokens: TokenCache, commitReads?: (c: SymClaim) => readonly SymClaim[] | null): CanonicalKey {
  const res = (t: Term): Term => resolve(t, st.s);
  const n = st.insts.length;
  const labels = st.insts.map((i) => i.label);
  // every piece split once into literal text and the parts a permutation or the variable
  // renaming rewrites (instance labels inside names, `#k` instance numbers, variables), and
  // cached on the objects it comes from (`canon-tokens.ts`)
  const tok = tokenizer(labels, tokens);
  // an instance that has not started is in its initial state with its set-up environment, both
  // fixed by its position (the scenario's; a permutation only swaps identical instances): '!'
  // says all of it (under a runs bound most instances never start)
  const instT = st.insts.map((i) => tok.inst(i, st.s, res));
  const knowT = st.know.map((t) => tok.term(res(t)));
  const consT = st.cons.map((c) => tok.term(res(c.t)));
  const claimT = st.claims.map((c): Tokens => {
    const own = tok.claim(c, res).toks;
    if (c.event === 'Commit') {
      const reads = commitReads ? commitReads(c) : st.claims.filter((r) => r.event === 'Running' && r.step < c.step);
      if (!reads) return [own, '<ok>'];
      const rs = reads.map((r) => tok.claim(r, res)).sort((a, b) => (a.str < b.str ? -1 : a.str > b.str ? 1 : 0));
      const out: Tokens[number][] = [own, '<'];
      rs.forEach((r, k) => out.push(k ? ',' : '', r.toks));
      out.push('>');
      return out;
    }
    if (c.event === 'Secret') return [own, tok.str(`<${st.steps.slice(0, c.step).flatMap((x) => (x.reveal ? [x.reveal.event + x.reveal.agent] : [])).sort().join(',')}>`)];
    return own;
  });
  const tailT = tok.str(st.revealed.slice().sort((a, b) => a - b).join(','));
  const lastT = tok.str(last ? `${last.inst < n ? `#${last.inst}` : `R${last.inst - n}`}:${last.free}` : '-');

  const perms = groups.length ? candidatePerms(n, groups, (k) => tok.blank(instT[k]!), (k) => st.insts[k]!.started) : [st.insts.map((_, k) => k)];

  // each permutation's rendering, begun with the instances and the reveals: only those with
  // the smallest head are rendered in full (the key begins with the head, so choosing by the
  // head first, then by the whole key, is still a choice among the images of the state that
  // does not depend on which image we started from)
  const renderers = perms.map((perm) => renderer(perm, labels, tok.fixed));
  const heads = renderers.map((r, k) => perms[k]!.map((i) => r.render(instT[i]!)).join('|') + '#' + r.render(tailT));
  let minHead = heads[0]!;
  for (const h of heads) if (h < minHead) minHead = h;

  let best: CanonicalKey | null = null;
  for (let p = 0; p < perms.length; p++) {
    if (heads[p] !== minHead) continue;
    const { render, relabel } = renderers[p]!;
    const head = heads[p]!;
    const cl = claimT.map(render).sort().join(';');
    const kn = knowT.map(render);
    const set = [...new Set(kn)].sort();
    const cs = consT.map(render);
    const order = cs.map((_, k) => k).sort((a, b) => (cs[a]! < cs[b]! ? -1 : cs[a]! > cs[b]! ? 1 : 0));
    const key = `${head}#${cl}#${set.join(',')}#${order.map((k) => cs[k]).join(',')}`;
    if (best !== null && key >= best.key) continue;
    // the knowledge below a level, as a bit string over the sorted set
    const index = new Map(set.map((x, k) => [x, k]));
    const below = (lvl: number): string => {
      const bits = new Array<string>(set.length).fill('0');
      for (let k = 0; k < lvl; k++) bits[index.get(kn[k]!)!] = '1';
      return bits.join('');
    };
    const names = new Map<number, ReadonlySet<string>>();
    best = {
      key,
      levels: order.map((k) => below(st.cons[k]!.lvl)),
      vars: order.map((k) => (st.cons[k]!.t as Var).name),
      last: last ? `${render(lastT)}@${below(last.knowFrom)}` : '-',
      relabel,
      knowNames: (j) => {
        let r = names.get(j);
        if (!r) {
          const k = kn.indexOf(set[j]!);
          const t = resolve(st.know[k]!, st.s);
          r = new Set([...namesIn(t)].map((n) => relabelName(n, relabel)));
          // a piece with a variable may become any term: it is relevant to every read
          if (!isGround(t)) (r as Set<string>).add(ANY_NAME);
          names.set(j, r);
        }
        return r;
      },
    };
  }
  return best!;
}

/** A state's key, its levels, and for each level the open choice it belongs to (the variable's
 * name in this state); its last step (instance, whether it left a choice open, and the
 * knowledge before it, for the partial-order reduction); the permutation it was rendered under
 * (instance label → the label of its position); and the names in each knowledge entry of the
 * key (by bit position, labels as in the key; with `ANY_NAME` when the entry has a variable). */
export interface CanonicalKey {
  readonly key: string;
  readonly levels: string[];
  readonly vars: string[];
  readonly last: string;
  readonly relabel: ReadonlyMap<string, string>;
  readonly knowNames: (j: number) => ReadonlySet<string>;
}

/** In `knowNames`: the entry has a variable, so it could help derive anything. */
export const ANY_NAME = '$';

/** A name under a relabelling of instance labels (`nT.TPM2` → `nT.TPM1`): fresh names end with
 * the label of the instance that made them. */
export function relabelName(n: string, relabel: ReadonlyMap<string, string>): string {
  const dot = n.lastIndexOf('.');
  const to = dot < 0 ? undefined : relabel.get(n.slice(dot + 1));
  return to === undefined ? n : `${n.slice(0, dot + 1)}${to}`;
}

/** Renders tokenised strings under one permutation (`perm[pos]` = the instance put at position
 * `pos`, whose label becomes the label of `pos`, as `relabel` says), numbering variables by
 * first occurrence across the calls. */
function renderer(perm: readonly number[], labels: readonly string[], fixed: (t: Tokens) => string | null): { render: (t: Tokens) => string; relabel: ReadonlyMap<string, string> } {
  const relabel = new Map<string, string>();
  const reinst = new Map<number, number>();
  let identity = true;
  perm.forEach((inst, pos) => {
    relabel.set(labels[inst]!, labels[pos]!);
    reinst.set(inst, pos);
    if (inst !== pos) identity = false;
  });
  const vars = new Map<string, string>();
  const render = (t: Tokens): string => {
    // without variables, under the identity, the tokens render to what they were split from
    if (identity) {
      const f = fixed(t);
      if (f !== null) return f;
    }
    let out = '';
    for (const x of t) {
      if (typeof x === 'string') out += x;
      else if (Array.isArray(x)) out += render(x as Tokens);
      else if ((x as Token & object).k === 'var') {
        const v = x as { v: string; base: string };
        let r = vars.get(v.v);
        if (r === undefined) {
          r = `${v.base}$${vars.size}`;
          vars.set(v.v, r);
        }
        out += r;
      } else if ((x as Token & object).k === 'label') out += `.${relabel.get((x as { v: string }).v) ?? (x as { v: string }).v}`;
      else out += `#${reinst.get((x as { n: number }).n) ?? (x as { n: number }).n}`;
    }
    return out;
  };
  return { render, relabel };
}

/** Is a state with these levels at least as general as one with `other` (same key)? Every
 * constraint may use at least the same knowledge. */
export function subsumes(levels: readonly string[], other: readonly string[]): boolean {
  return uncovered(levels, other, true).length === 0;
}

/** The constraints (indices into the levels) at which a state with `levels` is not at least as
 * general as one with `other` (with `general` false: not equal). */
export function uncovered(levels: readonly string[], other: readonly string[], general: boolean): number[] {
  const out: number[] = [];
  for (let k = 0; k < levels.length; k++) {
    const a = levels[k]!;
    const b = other[k]!;
    if (general) {
      for (let j = 0; j < a.length; j++)
        if (b.charCodeAt(j) === 49 && a.charCodeAt(j) !== 49) {
          out.push(k);
          break;
        }
    } else if (a !== b) out.push(k);
  }
  return out;
}
