/**
 * Printers for the Tamarin tree, one per node. Output is deterministic: it depends only on the
 * tree (no dates, no map iteration order that the tree does not fix).
 * @module
 */
import type { Formula, QVar, TFact, TItem, TLemma, TRestriction, TRule, TSection, TTerm, Theory } from './ast.ts';

const SORT_PREFIX = { fresh: '~', pub: '$', msg: '' } as const;

export function printTerm(t: TTerm): string {
  switch (t.k) {
    case 'var':
      return SORT_PREFIX[t.sort] + t.name;
    case 'const':
      return `'${t.name}'`;
    case 'app':
      return t.args.length === 0 ? t.f : `${t.f}(${t.args.map(printTerm).join(', ')})`;
    case 'tuple':
      return `<${t.items.map(printTerm).join(', ')}>`;
    case 'exp':
      // `^` is right-associative in Tamarin: parenthesise a nested base and compound exponents
      return `${t.base.k === 'exp' || t.base.k === 'mult' ? `(${printTerm(t.base)})` : printTerm(t.base)}^${
        t.exponent.k === 'exp' || t.exponent.k === 'mult' ? `(${printTerm(t.exponent)})` : printTerm(t.exponent)
      }`;
    case 'mult':
      return t.items.map((x) => (x.k === 'mult' || x.k === 'exp' ? `(${printTerm(x)})` : printTerm(x))).join('*');
  }
}

export function printFact(f: TFact): string {
  return `${f.persistent ? '!' : ''}${f.name}(${f.args.map(printTerm).join(', ')})`;
}

function factList(fs: readonly TFact[], indent: string): string {
  if (fs.length === 0) return '[ ]';
  return `[ ${fs.map(printFact).join(`,\n${indent}  `)} ]`;
}

export function printRule(r: TRule): string {
  const lines = r.comments.map((c) => `// ${c}`);
  lines.push(`rule ${r.name}:`);
  lines.push(`    ${factList(r.lhs, '    ')}`);
  lines.push(r.actions.length === 0 ? '  -->' : `  --[ ${r.actions.map(printFact).join(',\n      ')} ]->`);
  lines.push(`    ${factList(r.rhs, '    ')}`);
  return lines.join('\n');
}

function printQVar(q: QVar): string {
  return q.temporal ? `#${q.name}` : q.name;
}

/** Is the formula printed as one unit that needs no parentheses as an operand? */
function atomic(f: Formula): boolean {
  return f.k === 'action' || f.k === 'eq' || f.k === 'before' || f.k === 'same' || f.k === 'not';
}
function operand(f: Formula): string {
  return atomic(f) ? printFormula(f) : `(${printFormula(f)})`;
}

export function printFormula(f: Formula): string {
  switch (f.k) {
    case 'action':
      return `${printFact(f.fact)} @ #${f.at}`;
    case 'eq':
      return `${printTerm(f.l)} = ${printTerm(f.r)}`;
    case 'before':
      return `#${f.a} < #${f.b}`;
    case 'same':
      return `#${f.a} = #${f.b}`;
    case 'not':
      return `not (${printFormula(f.f)})`;
    case 'and':
      return f.fs.map(operand).join(' & ');
    case 'or':
      return f.fs.map(operand).join(' | ');
    case 'imp':
      return `${operand(f.l)} ==> ${operand(f.r)}`;
    case 'all':
      return `All ${f.vars.map(printQVar).join(' ')}. ${printFormula(f.body)}`;
    case 'ex':
      return `Ex ${f.vars.map(printQVar).join(' ')}. ${printFormula(f.body)}`;
  }
}

/**
 * A lemma or restriction body, laid out for reading: a top-level `All … . A ==> B1 | B2 | …`
 * puts the antecedent and each disjunct on its own line; other formulas print on one line.
 */
function layoutFormula(f: Formula): string {
  const parts = (g: Formula): Formula[] => (g.k === 'and' ? [...g.fs] : [g]);
  if (f.k === 'all' && f.body.k === 'imp') {
    const head = `All ${f.vars.map(printQVar).join(' ')}.`;
    const ante = parts(f.body.l).map(operand).join('\n      & ');
    const cons = f.body.r.k === 'or' ? f.body.r.fs.map(operand).join('\n      | ') : operand(f.body.r);
    return `${head}\n      ${ante}\n    ==>\n      ${cons}`;
  }
  if (f.k === 'and' && f.fs.every((g) => g.k === 'all')) return f.fs.map((g) => `(${layoutFormula(g)})`).join('\n  &\n  ');
  if (f.k === 'ex') return `Ex ${f.vars.map(printQVar).join(' ')}.\n      ${parts(f.body).map(operand).join('\n      & ')}`;
  return printFormula(f);
}

export function printLemma(l: TLemma): string {
  const lines = l.comments.map((c) => `// ${c}`);
  lines.push(`lemma ${l.name}${l.sources ? ' [sources]' : l.reuse ? ' [reuse]' : ''}:`);
  if (l.trace === 'exists-trace') lines.push('  exists-trace');
  lines.push(`  "${layoutFormula(l.formula)}"`);
  return lines.join('\n');
}

export function printRestriction(r: TRestriction): string {
  const lines = r.comments.map((c) => `// ${c}`);
  lines.push(`restriction ${r.name}:`);
  lines.push(`  "${layoutFormula(r.formula)}"`);
  return lines.join('\n');
}

export function printSection(s: TSection): string {
  return ['/*', ` * ${s.title}`, ...s.lines.map((l) => (l ? ` * ${l}` : ' *')), ' */'].join('\n');
}

export function printItem(i: TItem): string {
  switch (i.k) {
    case 'rule':
      return printRule(i.rule);
    case 'restriction':
      return printRestriction(i.restriction);
    case 'lemma':
      return printLemma(i.lemma);
    case 'section':
      return printSection(i.section);
  }
}

export function printTheory(t: Theory): string {
  const out: string[] = [];
  out.push(...t.comments.map((c) => (c ? `// ${c}` : '//')));
  out.push(`theory ${t.name}`, 'begin', '');
  if (t.builtins.length) out.push(`builtins: ${t.builtins.join(', ')}`);
  if (t.functions.length) out.push(`functions: ${t.functions.map((f) => `${f.name}/${f.arity}`).join(', ')}`);
  out.push('');
  for (const i of t.items) out.push(printItem(i), '');
  out.push('end', '');
  return out.join('\n');
}
