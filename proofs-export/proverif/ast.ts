/**
 * A small typed tree of the ProVerif 2.05 language the exporter writes (declarations, terms,
 * patterns, processes, queries) and its printers, one per node. Every value is a `bitstring`
 * (ProVerif's tuples are bitstrings too); only `verify` returns `bool`, compared with `true`.
 * @module
 */

export type PvTerm =
  | { readonly k: 'var'; readonly name: string }
  | { readonly k: 'app'; readonly f: string; readonly args: readonly PvTerm[] }
  | { readonly k: 'tuple'; readonly items: readonly PvTerm[] };

/** A pattern: bind a new variable, compare with a term (`=t`), or destructure a tuple. */
export type PvPattern =
  | { readonly k: 'bind'; readonly name: string }
  | { readonly k: 'eq'; readonly t: PvTerm }
  | { readonly k: 'tuple'; readonly items: readonly PvPattern[] };

/** A process as a sequence of steps ending in 0 (or parallel / replicated sub-processes). */
export type PvStep =
  | { readonly k: 'in'; readonly pattern: PvPattern }
  | { readonly k: 'out'; readonly t: PvTerm }
  | { readonly k: 'new'; readonly name: string }
  | { readonly k: 'let'; readonly pattern: PvPattern; readonly t: PvTerm }
  | { readonly k: 'if'; readonly l: PvTerm; readonly r: PvTerm }
  | { readonly k: 'event'; readonly name: string; readonly args: readonly PvTerm[] }
  | { readonly k: 'call'; readonly name: string; readonly args: readonly PvTerm[] }
  | { readonly k: 'comment'; readonly text: string }
  /** `phase n;` — what follows runs after the switch to phase n (manual §4.1.2) */
  | { readonly k: 'phase'; readonly n: number }
  /** `if on = b1 then (…) else if on = b2 then (…)`: one branch runs; it ends the sequence */
  | { readonly k: 'choice'; readonly on: PvTerm; readonly branches: readonly { readonly on: PvTerm; readonly steps: readonly PvStep[] }[] };

export type PvDecl =
  | { readonly k: 'comment'; readonly lines: readonly string[] }
  /** `set name = value.` — a ProVerif setting (manual §6.6) */
  | { readonly k: 'set'; readonly name: string; readonly value: string }
  | { readonly k: 'free'; readonly name: string; readonly type: string }
  | { readonly k: 'const'; readonly name: string }
  | { readonly k: 'fun'; readonly name: string; readonly arity: number; readonly result: string; readonly private: boolean }
  | { readonly k: 'reduc'; readonly vars: readonly string[]; readonly lhs: PvTerm; readonly rhs: PvTerm }
  | { readonly k: 'equation'; readonly vars: readonly string[]; readonly lhs: PvTerm; readonly rhs: PvTerm }
  | { readonly k: 'event'; readonly name: string; readonly arity: number }
  | { readonly k: 'query'; readonly comments: readonly string[]; readonly vars: readonly string[]; readonly text: PvQuery }
  | { readonly k: 'let'; readonly name: string; readonly params: readonly string[]; readonly body: readonly PvStep[] }
  | { readonly k: 'process'; readonly branches: readonly { readonly replicated: boolean; readonly body: readonly PvStep[] }[] };

/** A query: premise facts joined by &&, then a disjunction of conjunctions (empty: reachability). */
export interface PvQuery {
  readonly premise: readonly PvFact[];
  readonly conclusion: readonly (readonly PvFact[])[];
}
export type PvFact =
  | { readonly k: 'event' | 'inj-event'; readonly name: string; readonly args: readonly PvTerm[] }
  | { readonly k: 'attacker'; readonly t: PvTerm };

export const pvar = (name: string): PvTerm => ({ k: 'var', name });
export const papp = (f: string, ...args: PvTerm[]): PvTerm => ({ k: 'app', f, args });

export function printPvTerm(t: PvTerm): string {
  switch (t.k) {
    case 'var':
      return t.name;
    case 'app':
      return t.args.length === 0 ? t.f : `${t.f}(${t.args.map(printPvTerm).join(', ')})`;
    case 'tuple':
      return `(${t.items.map(printPvTerm).join(', ')})`;
  }
}

export function printPvPattern(p: PvPattern): string {
  switch (p.k) {
    case 'bind':
      return `${p.name}: bitstring`;
    case 'eq':
      return `=${printPvTerm(p.t)}`;
    case 'tuple':
      return `(${p.items.map(printPvPattern).join(', ')})`;
  }
}

function printStep(s: PvStep): string {
  switch (s.k) {
    case 'in':
      return `in(c, ${printPvPattern(s.pattern)});`;
    case 'out':
      return `out(c, ${printPvTerm(s.t)});`;
    case 'new':
      return `new ${s.name}: bitstring;`;
    case 'let':
      return `let ${printPvPattern(s.pattern)} = ${printPvTerm(s.t)} in`;
    case 'if':
      return `if ${printPvTerm(s.l)} = ${printPvTerm(s.r)} then`;
    case 'event':
      return `event ${s.name}(${s.args.map(printPvTerm).join(', ')});`;
    case 'call':
      return `${s.name}(${s.args.map(printPvTerm).join(', ')})`;
    case 'comment':
      return `(* ${s.text} *)`;
    case 'phase':
      return `phase ${s.n};`;
    case 'choice':
      return ''; // printed by printSteps, over several lines
  }
}

/** Steps one per line; a sequence not ending in a call ends in `0`. */
export function printSteps(steps: readonly PvStep[], indent: string): string {
  const lines: string[] = [];
  for (const s of steps) {
    if (s.k !== 'choice') {
      lines.push(indent + printStep(s));
      continue;
    }
    s.branches.forEach((b, i) => {
      lines.push(`${indent}${i ? 'else ' : ''}if ${printPvTerm(s.on)} = ${printPvTerm(b.on)} then`);
      lines.push(`${indent}(`, printSteps(b.steps, `${indent}  `), `${indent})`);
    });
  }
  const last = [...steps].reverse().find((s) => s.k !== 'comment');
  if (!last || (last.k !== 'call' && last.k !== 'choice')) lines.push(`${indent}0`);
  return lines.join('\n');
}

function printFact(f: PvFact): string {
  return f.k === 'attacker' ? `attacker(${printPvTerm(f.t)})` : `${f.k}(${f.name}(${f.args.map(printPvTerm).join(', ')}))`;
}

export function printPvDecl(d: PvDecl): string {
  switch (d.k) {
    case 'comment':
      return d.lines.map((l) => `(* ${l} *)`).join('\n');
    case 'set':
      return `set ${d.name} = ${d.value}.`;
    case 'free':
      return `free ${d.name}: ${d.type}.`;
    case 'const':
      return `const ${d.name}: bitstring.`;
    case 'fun':
      return `fun ${d.name}(${Array(d.arity).fill('bitstring').join(', ')}): ${d.result}${d.private ? ' [private]' : ''}.`;
    case 'reduc':
      return `reduc forall ${d.vars.map((v) => `${v}: bitstring`).join(', ')}; ${printPvTerm(d.lhs)} = ${printPvTerm(d.rhs)}.`;
    case 'equation':
      return `equation forall ${d.vars.map((v) => `${v}: bitstring`).join(', ')}; ${printPvTerm(d.lhs)} = ${printPvTerm(d.rhs)}.`;
    case 'event':
      return `event ${d.name}(${Array(d.arity).fill('bitstring').join(', ')}).`;
    case 'query': {
      const head = d.comments.map((c) => `(* ${c} *)`);
      const vars = d.vars.length ? `${d.vars.map((v) => `${v}: bitstring`).join(', ')}; ` : '';
      const premise = d.text.premise.map(printFact).join(' && ');
      const concl = d.text.conclusion.map((c) => (c.length === 1 ? printFact(c[0]!) : `(${c.map(printFact).join(' && ')})`)).join(' || ');
      return [...head, `query ${vars}${premise}${concl ? ` ==> ${concl}` : ''}.`].join('\n');
    }
    case 'let':
      return `let ${d.name}(${d.params.map((p) => `${p}: bitstring`).join(', ')}) =\n${printSteps(d.body, '  ')}.`;
    case 'process':
      return `process\n${d.branches.map((b) => `  ${b.replicated ? '!' : ''}(\n${printSteps(b.body, '    ')}\n  )`).join(' |\n')}`;
  }
}

/** Declarations separated by a blank line, except runs of one-line declarations of one kind. */
export function printPv(decls: readonly PvDecl[]): string {
  const out: string[] = [];
  decls.forEach((d, i) => {
    const prev = decls[i - 1];
    const compact = prev && prev.k === d.k && ['const', 'fun', 'event', 'reduc'].includes(d.k);
    out.push(`${i === 0 || compact ? '' : '\n'}${printPvDecl(d)}`);
  });
  return out.join('\n') + '\n';
}
