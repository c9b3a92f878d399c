/**
 * Well-formedness of lemma and restriction formulas, as Tamarin requires it:
 * - guarded: `All xs. A ==> B` where every variable of `xs` occurs in an action atom that is a
 *   conjunct of `A`, and `Ex xs. A` where every variable occurs in an action atom conjunct of
 *   `A` (Tamarin's guarded fragment; anything else is rejected before proving);
 * - closed: every variable is bound by a quantifier, timepoints only as timepoints and message
 *   variables only in terms;
 * - terms only public constants, bound variables and irreducible function symbols.
 * @module
 */
import { type Formula, type TFact, termVars, subterms } from './ast.ts';
import { printFormula } from './print.ts';
import { REDUCIBLE } from './term.ts';

/** Action atoms (with their facts) that are top-level conjuncts of `f`. */
function guards(f: Formula): { fact: TFact; at: string }[] {
  if (f.k === 'action') return [{ fact: f.fact, at: f.at }];
  if (f.k === 'and') return f.fs.flatMap(guards);
  return [];
}

function guardCovers(g: { fact: TFact; at: string }[], v: { name: string; temporal: boolean }): boolean {
  return g.some((a) => (v.temporal ? a.at === v.name : a.fact.args.some((t) => termVars(t).some((x) => x.name === v.name))));
}

export function formulaProblems(where: string, f: Formula): string[] {
  const out: string[] = [];
  const go = (g: Formula, msgs: Set<string>, times: Set<string>) => {
    switch (g.k) {
      case 'all':
      case 'ex': {
        const m = new Set(msgs);
        const t = new Set(times);
        for (const v of g.vars) {
          if ((v.temporal ? msgs : times).has(v.name) || (v.temporal ? m : t).has(v.name)) out.push(`${where}: '${v.name}' is both a timepoint and a message variable`);
          (v.temporal ? t : m).add(v.name);
        }
        const guardOf = g.k === 'all' ? (g.body.k === 'imp' ? g.body.l : null) : g.body;
        if (guardOf === null) out.push(`${where}: 'All ${g.vars.map((v) => v.name).join(' ')}' is not followed by an implication, so it is not guarded`);
        else
          for (const v of g.vars)
            if (!guardCovers(guards(guardOf), v))
              out.push(`${where}: ${g.k === 'all' ? 'All' : 'Ex'} variable ${v.temporal ? '#' : ''}${v.name} does not occur in an action before ${g.k === 'all' ? '==>' : 'the other conjuncts'}: ${printFormula(g)}`);
        go(g.body, m, t);
        break;
      }
      case 'action':
        if (!times.has(g.at)) out.push(`${where}: timepoint #${g.at} is not bound`);
        for (const a of g.fact.args) term(a);
        break;
      case 'eq':
        term(g.l);
        term(g.r);
        break;
      case 'before':
      case 'same':
        for (const x of [g.a, g.b]) if (!times.has(x)) out.push(`${where}: timepoint #${x} is not bound`);
        break;
      case 'not':
        go(g.f, msgs, times);
        break;
      case 'and':
      case 'or':
        g.fs.forEach((x) => go(x, msgs, times));
        break;
      case 'imp':
        go(g.l, msgs, times);
        go(g.r, msgs, times);
        break;
    }
    function term(t: Parameters<typeof termVars>[0]) {
      for (const v of termVars(t)) {
        if (v.sort !== 'msg') out.push(`${where}: a formula may not use the ${v.sort} variable ${v.name}`);
        else if (!msgs.has(v.name)) out.push(`${where}: variable ${v.name} is not bound by a quantifier`);
      }
      for (const s of subterms(t))
        if (s.k === 'exp' || s.k === 'mult' || (s.k === 'app' && REDUCIBLE.has(s.f))) out.push(`${where}: a formula term may not use a reducible symbol (${s.k === 'app' ? s.f : s.k})`);
    }
  };
  go(f, new Set(), new Set());
  return out;
}

/** Facts a formula mentions (to check they exist as actions, with one arity). */
export function formulaFacts(f: Formula): TFact[] {
  switch (f.k) {
    case 'action':
      return [f.fact];
    case 'not':
      return formulaFacts(f.f);
    case 'and':
    case 'or':
      return f.fs.flatMap(formulaFacts);
    case 'imp':
      return [...formulaFacts(f.l), ...formulaFacts(f.r)];
    case 'all':
    case 'ex':
      return formulaFacts(f.body);
    default:
      return [];
  }
}

/** The `KU(x) @ #k` atoms of a formula that do not stand in the idiom "the attacker had x
 * before #t" (a conjunction with `#k < #t`): the only use of KU outside a sources lemma the
 * exporter makes (agreement with any peer, lemmas.ts). */
export function looseKU(f: Formula): TFact[] {
  switch (f.k) {
    case 'action':
      return f.fact.name === 'KU' ? [f.fact] : [];
    case 'and': {
      const bounded = new Set(f.fs.flatMap((x) => (x.k === 'before' ? [x.a] : [])));
      return f.fs.flatMap((x) => (x.k === 'action' && x.fact.name === 'KU' && bounded.has(x.at) ? [] : looseKU(x)));
    }
    case 'not':
      return looseKU(f.f);
    case 'or':
      return f.fs.flatMap(looseKU);
    case 'imp':
      return [...looseKU(f.l), ...looseKU(f.r)];
    case 'all':
    case 'ex':
      return looseKU(f.body);
    default:
      return [];
  }
}
