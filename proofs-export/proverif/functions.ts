/**
 * ProVerif's declarations of the model's symbols, derived from the symbol table
 * (models/terms.ts `SYMBOLS`): a `fun` per free constructor and a `reduc` per destructor
 * rule, so a symbol added to the table is declared without an edit here.
 *
 * The tuple is ProVerif's own, `true` a builtin, and `mult` only stands inside a normalised
 * exponent (exported as nested `exp`, whose commutation equation model.ts writes: ProVerif
 * takes DH as an equation over `g`, not our normal form).
 * @module
 */
import { type SymbolTable, type Term, SYMBOLS, varsOf } from '../../models/terms.ts';
import { type PvTerm, papp, pvar } from './ast.ts';

/** Model symbols ProVerif has syntax or a builtin for, or which this export writes otherwise. */
const NOT_DECLARED: ReadonlySet<string> = new Set(['tuple', 'true', 'mult']);

export interface PvReduc {
  /** the destructor */
  readonly f: string;
  readonly vars: readonly string[];
  readonly lhs: PvTerm;
  readonly rhs: PvTerm;
  /** the constructors its left side mentions (declared with it) */
  readonly needs: readonly string[];
}

export interface PvSignature {
  /** free constructors, in table order */
  readonly functions: Readonly<Record<string, { arity: number; result: string }>>;
  /** destructor names (reserved: no variable may take one) */
  readonly destructors: readonly string[];
  /** one `reduc` per destructor rule, in table order */
  readonly reducs: readonly PvReduc[];
}

function pvPattern(t: Term): PvTerm {
  if (t.t === 'var') return pvar(t.name);
  if (t.t === 'app') return t.f === 'true' ? pvar('true') : papp(t.f, ...t.args.map(pvPattern));
  throw new Error(`a rewrite rule pattern holds a ${t.t}`);
}

function constructorsIn(t: Term, table: SymbolTable, acc: string[] = []): string[] {
  if (t.t !== 'app') return acc;
  if (table[t.f]?.role === 'constructor' && !NOT_DECLARED.has(t.f) && !acc.includes(t.f)) acc.push(t.f);
  t.args.forEach((a) => constructorsIn(a, table, acc));
  return acc;
}

export function proverifSignature(table: SymbolTable): PvSignature {
  const entries = Object.entries(table);
  const functions = Object.fromEntries(
    entries.filter(([f, info]) => info.role === 'constructor' && !NOT_DECLARED.has(f)).map(([f, info]) => [f, { arity: info.arity, result: 'bitstring' }]),
  );
  const destructors = entries.filter(([, info]) => info.role === 'destructor').map(([f]) => f);
  const reducs = entries
    .filter(([, info]) => info.role === 'destructor')
    .flatMap(([f, info]) =>
      (info.rules ?? []).map((r) => ({ f, vars: varsOf(r.lhs).map((x) => x.name), lhs: pvPattern(r.lhs), rhs: pvPattern(r.rhs), needs: r.lhs.args.flatMap((a) => constructorsIn(a, table)) })),
    );
  return { functions, destructors, reducs };
}

export const PV_SIGNATURE: PvSignature = proverifSignature(SYMBOLS);
