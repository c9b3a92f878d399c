/**
 * Named abbreviations for printed terms, with the model's own names: a compound term a party
 * bound to a variable is shown as `variable.instance` (`sKey.TEE1`), defined once in a legend
 * (like ProVerif's `~M_n`, but named after the machine's variables). The attacker's open
 * choices (names whose `origin` is `attacker-choice`, from the explorer) are shown as `E.<variable>` and listed as chosen by
 * the attacker. Printing follows `show()` of `models/terms.ts` (Tamarin notation) otherwise.
 * @module
 */
import { type Term, show } from '../../models/terms.ts';
import type { LegendEntry } from './sequence.ts';

/** A term a party bound to a variable, offered as an abbreviation. */
export interface Candidate {
  /** `sKey.TEE1` */
  readonly name: string;
  readonly term: Term;
}

/** Terms printed shorter than this stay spelled out (a name like `~nT.TPM1` needs no legend). */
const MIN_LENGTH = 14;

export interface Abbreviator {
  /** the term, its subterms abbreviated (the term itself too unless `top` is false) */
  show(t: Term, top?: boolean): string;
  /** the legend: every abbreviation used so far, with the ones their definitions use, each once */
  legend(): LegendEntry[];
}

const SORT_WORDS: Record<string, string> = {
  nonce: 'nonce',
  ct: 'ciphertext',
  sig: 'signature',
  digest: 'digest',
  point: 'point',
  skey: 'exponent',
  msg: 'message',
  bool: 'boolean',
  const: 'constant',
  agent: 'agent name',
};

/** Abbreviate with these candidates; the first of several with the same term names it. */
export function abbreviator(candidates: readonly Candidate[]): Abbreviator {
  const byKey = new Map<string, Candidate>();
  for (const c of candidates) {
    if (c.term.t !== 'app' || c.term.f === 'true') continue;
    const k = show(c.term);
    if (k.length < MIN_LENGTH || byKey.has(k)) continue;
    byKey.set(k, c);
  }
  const used = new Map<string, Candidate>(); // in order of first use
  const chosen = new Map<string, { name: string; sort: string }>(); // attacker choice → E.name
  const chosenCount = new Map<string, number>();

  const choice = (raw: string, variable: string, sort: string): string => {
    let e = chosen.get(raw);
    if (!e) {
      // the explorer's variable `ct$89` → `ct`; a second choice of the same variable gets a number
      const base = variable.replace(/\$\d+$/, '').replace(/\d+$/, '') || 'x';
      const n = (chosenCount.get(base) ?? 0) + 1;
      chosenCount.set(base, n);
      e = { name: `E.${base}${n === 1 ? '' : n}`, sort };
      chosen.set(raw, e);
    }
    return e.name;
  };

  const print = (t: Term, top: boolean): string => {
    if (!top && t.t === 'app') {
      const c = byKey.get(show(t));
      if (c) {
        if (!used.has(c.name)) used.set(c.name, c);
        return c.name;
      }
    }
    switch (t.t) {
      case 'var':
        return t.name;
      case 'const':
        return `'${t.name}'`;
      case 'name':
        return t.origin?.kind === 'attacker-choice' ? choice(t.name, t.origin.variable, t.sort) : `~${t.name}`;
      case 'app': {
        const sub = (u: Term) => print(u, false);
        if (t.f === 'tuple') return `<${t.args.map(sub).join(', ')}>`;
        if (t.f === 'exp') return `${atom(t.args[0]!)}^${atom(t.args[1]!)}`;
        if (t.f === 'mult') return `(${t.args.map(sub).join('*')})`;
        if (t.f === 'true') return 'true';
        return `${t.f}(${t.args.map(sub).join(', ')})`;
      }
    }
  };
  const atom = (t: Term): string => {
    const s = print(t, false);
    return t.t === 'app' && t.f === 'exp' && !byKey.has(show(t)) ? `(${s})` : s;
  };

  return {
    show: (t, top = true) => print(t, top),
    legend() {
      // definitions may use further abbreviations: print until nothing new is used
      const defs = new Map<string, string>();
      for (let k = 0; k < used.size; k++) {
        const c = [...used.values()][k]!;
        if (!defs.has(c.name)) defs.set(c.name, print(c.term, true));
      }
      // each entry after the entries its definition uses (in order of first use otherwise)
      const out: LegendEntry[] = [];
      const placed = new Set<string>();
      const place = (n: string, path: Set<string>) => {
        if (placed.has(n) || path.has(n)) return;
        path.add(n);
        for (const m of defs.get(n)!.matchAll(/[\w$]+\.[A-Za-z]\w*/g)) if (defs.has(m[0]) && m[0] !== n) place(m[0], path);
        placed.add(n);
        out.push({ name: n, term: defs.get(n)!, kind: 'bound' });
      };
      for (const n of defs.keys()) place(n, new Set());
      for (const e of chosen.values()) out.push({ name: e.name, term: `a ${SORT_WORDS[e.sort] ?? e.sort} the attacker chose`, kind: 'chosen' });
      return out;
    },
  };
}
