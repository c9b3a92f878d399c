/**
 * Canonical keys of symbolic states, for the search's visited set.
 *
 * Two states with the same key are equivalent for everything the search does after them: the
 * steps every instance can take, the constraint solver's answers, and every verdict of the judge
 * on every extension. The key is built from what these read, and only from that:
 * - each instance's control state, whether it started, and its environment (resolved, printed);
 * - the attacker's knowledge as a chain of sets: the knowledge is cut at every level some
 *   constraint (or the partial-order reduction's `knowFrom`) refers to, and each segment is the
 *   sorted set of terms first known in it. Deducibility `K_lvl ⊢ t` depends only on the set of
 *   terms in `K_lvl`, so the order inside a segment and repetitions do not matter;
 * - the open constraints: each variable with the segment its level ends;
 * - the claims, as a set, each Commit with the Running claims before it and each Secret with the
 *   reveals before it (what the judge compares: order only matters through those), and the set
 *   of reveal options used;
 * - the last step (instance, whether it left a choice open, and its outputs as the last
 *   segment), which the partial-order reduction reads.
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
 * instances (all of them up to 24 combined, else a canonical-ish order — any fixed choice is
 * sound, a worse one only finds fewer duplicates).
 * @module
 */
import { type Term, show } from '../../models/terms.ts';
import type { SymState } from './execute.ts';
import type { Instance } from './scenario.ts';
import { resolve } from './unify.ts';

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

function permutations(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Every combined permutation (as a position → instance map), or null when there are too many. */
export function symmetryPerms(n: number, groups: readonly number[][], max = 24): number[][] | null {
  let perms: number[][] = [Array.from({ length: n }, (_, k) => k)];
  for (const g of groups) {
    const gp = permutations(g);
    if (perms.length * gp.length > max) return null;
    perms = perms.flatMap((p) =>
      gp.map((q) => {
        const r = p.slice();
        g.forEach((pos, k) => (r[pos] = q[k]!));
        return r;
      }),
    );
  }
  return perms;
}

/** Printed normal forms of ground term objects (independent of the substitution; term objects
 * are shared between states). */
const GROUND_SHOWN = new WeakMap<Term, string>();

function isGround(t: Term): boolean {
  return t.t === 'var' ? false : t.t === 'app' ? t.args.every(isGround) : true;
}

const VAR_RE = /([A-Za-z_][A-Za-z0-9_]*)\$\d+/g;

/**
 * The canonical key of a state (see the module comment). `perms` are position → instance maps
 * within symmetry groups (the identity alone disables the symmetry reduction).
 */
export function canonicalKey(st: SymState, last: LastStep | null, perms: readonly number[][]): string {
  const memo = new Map<Term, string>();
  const sh = (t: Term): string => {
    let r = GROUND_SHOWN.get(t) ?? memo.get(t);
    if (r === undefined) {
      r = show(resolve(t, st.s));
      if (isGround(t)) GROUND_SHOWN.set(t, r);
      else memo.set(t, r);
    }
    return r;
  };
  const n = st.insts.length;
  const labels = st.insts.map((i) => i.label);
  const instStr = st.insts.map((i) => `${i.state}${i.started ? '' : '!'}{${Object.keys(i.env).sort().map((k) => `${k}=${sh(i.env[k]!)}`).join(',')}}`);

  // knowledge as a chain of sets, cut where constraints or the reduction look
  const cuts = new Set<number>([st.know.length]);
  for (const c of st.cons) cuts.add(c.lvl);
  if (last) cuts.add(last.knowFrom);
  const bounds = [...cuts].sort((a, b) => a - b);
  const seen = new Set<string>();
  const segments: string[][] = [];
  let from = 0;
  for (const b of bounds) {
    const seg: string[] = [];
    for (let k = from; k < b; k++) {
      const x = sh(st.know[k]!);
      if (!seen.has(x)) {
        seen.add(x);
        seg.push(x);
      }
    }
    segments.push(seg);
    from = b;
  }
  const segOf = (lvl: number) => bounds.indexOf(lvl);
  const cons = st.cons.map((c) => `${sh(c.t)}@${segOf(c.lvl)}`);

  const claimStr = (c: SymState['claims'][number]) => `#${c.inst}:${c.event}:${c.tag}:${sh(c.data)}:${c.peer ? sh(c.peer) : ''}`;
  const claims = st.claims.map((c) => {
    if (c.event === 'Commit') return `${claimStr(c)}<${st.claims.filter((r) => r.event === 'Running' && r.step < c.step).map(claimStr).sort().join(',')}>`;
    if (c.event === 'Secret') return `${claimStr(c)}<${st.steps.slice(0, c.step).flatMap((x) => (x.reveal ? [x.reveal.event + x.reveal.agent] : [])).sort().join(',')}>`;
    return claimStr(c);
  });
  const tail = `${st.revealed.slice().sort((a, b) => a - b).join(',')}|${last ? `${last.inst < n ? `#${last.inst}` : `R${last.inst - n}`}:${last.free}:${segOf(last.knowFrom)}` : '-'}`;

  let best: string | null = null;
  for (const perm of perms) {
    // perm[pos] = the instance put at position pos; its label becomes the label of pos
    const relabel = new Map<string, string>();
    const reinst = new Map<number, number>();
    perm.forEach((inst, pos) => {
      if (inst !== pos) relabel.set(labels[inst]!, labels[pos]!);
      reinst.set(inst, pos);
    });
    const labelRe = relabel.size ? new RegExp(`\\.(${[...relabel.keys()].join('|')})\\b`, 'g') : null;
    const fix = (x: string) => {
      let y = labelRe ? x.replace(labelRe, (_, l: string) => `.${relabel.get(l)}`) : x;
      if (relabel.size) y = y.replace(/#(\d+)/g, (_, d: string) => `#${reinst.get(Number(d)) ?? d}`);
      return y;
    };
    const vars = new Map<string, string>();
    const ren = (x: string) =>
      x.replace(VAR_RE, (v: string, base: string) => {
        let r = vars.get(v);
        if (r === undefined) {
          r = `${base}$${vars.size}`;
          vars.set(v, r);
        }
        return r;
      });
    const head = ren(perm.map((k) => fix(instStr[k]!)).join('|') + '#' + fix(tail));
    const cl = claims.map((c) => ren(fix(c))).sort().join(';');
    const segs = segments.map((seg) => seg.map((x) => ren(fix(x))).sort().join(',')).join('/');
    const cs = cons.map((x) => ren(x)).sort().join(',');
    const key = `${head}#${cl}#${segs}#${cs}`;
    if (best === null || key < best) best = key;
  }
  return best!;
}
