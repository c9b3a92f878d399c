/**
 * A sequence as readable terminal text: the violations and the summary first, the legend
 * (each abbreviation defined once), the instances, then each step with its arrows written as
 * what happened (`I2 → (E)` intercepted, `(E) → R1` built by the attacker, `R1 → I2` forwarded
 * unchanged), the violating step and claim marked, and the attacker's use of its initial
 * knowledge folded unless `verbose`. No line is longer than `width` columns: longer ones are
 * wrapped after a comma or a space, continued under their own indentation.
 * @module
 */
import { ATTACKER, type Sequence } from './sequence.ts';

export interface TextOptions {
  /** show the values the attacker takes from its initial knowledge */
  readonly verbose?: boolean;
  /** the longest line (default 160) */
  readonly width?: number;
}

/** Wrap one line at `width`, breaking after `, ` or a space; continuations indented by `hang`. */
export function wrapLine(line: string, width: number, hang = 4): string[] {
  if (line.length <= width) return [line];
  const indent = ' '.repeat(Math.min((line.match(/^ */)![0].length) + hang, Math.floor(width / 2)));
  const out: string[] = [];
  let rest = line;
  let first = true;
  while (rest.length > (first ? width : width - indent.length)) {
    const room = first ? width : width - indent.length;
    let cut = Math.max(rest.lastIndexOf(', ', room - 2) + 2, rest.lastIndexOf(' ', room - 1) + 1);
    if (cut <= (first ? 0 : 0) || cut < room / 3) cut = room;
    out.push((first ? '' : indent) + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
    first = false;
  }
  if (rest.length) out.push((first ? '' : indent) + rest);
  return out;
}

/** `I2 → (E)`: the attacker in parentheses where it is the network (intercepting, building),
 * plain `E` where a party addressed it as its peer. */
const arrow = (from: string, to: string, how: string) => {
  const e = how === 'sent' ? 'E' : '(E)';
  return `${from === ATTACKER ? e : from} → ${to === ATTACKER ? e : to}`;
};

/** The sequence as lines of text. */
export function textTrace(s: Sequence, opts: TextOptions = {}): string[] {
  const width = opts.width ?? 160;
  const lines: string[] = [];
  const push = (l: string) => lines.push(...wrapLine(l, width));
  push(s.title);
  for (const v of s.violations) push(`  ✗ ${v.property}: ${v.why} — at step ${v.step}`);
  if (s.summary) push(`  ${s.summary}`);
  for (const n of s.notes ?? []) push(`  ${n}`);
  const inst = s.lifelines.filter((l) => l.id !== ATTACKER);
  push(`  instances: ${inst.map((l) => `${l.id} (${l.detail})`).join(', ')}`);
  if (s.legend.length) {
    push('  legend:');
    const w = Math.max(...s.legend.map((e) => e.name.length));
    for (const e of s.legend) push(`    ${e.name.padEnd(w)} = ${e.term}`);
  }
  let folded = 0;
  const bad = new Set(s.violations.map((v) => v.step));
  for (const e of s.events) {
    switch (e.kind) {
      case 'step':
        push(`${bad.has(e.step) ? ' ▶' : '  '}${String(e.step).padStart(2)}. ${e.on} — ${e.transition}${bad.has(e.step) ? `   ◀ violates ${s.violations.filter((v) => v.step === e.step).map((v) => v.property).join(', ')}` : ''}`);
        break;
      case 'reveal':
        push(`  ${String(e.step).padStart(2)}. attacker ${e.text}`);
        break;
      case 'deduction':
        if (e.noise && !opts.verbose) folded++;
        else push(`        E ${e.text}`);
        break;
      case 'claim':
        push(`        ${e.on} claims ${e.text}${e.violating ? '   ✗' : ''}`);
        break;
      case 'message': {
        const how = e.how === 'built' ? ' [built by E]' : e.how === 'forwarded' ? ` [forwarded unchanged, received at step ${e.receivedAt}]` : '';
        push(`        ${arrow(e.from, e.to, e.how)}  ${e.label}${how}: ${e.term}`);
        break;
      }
    }
  }
  if (s.derivation.length) {
    push('  the attacker then:');
    for (const d of s.derivation) push(`        E ${d}`);
  }
  if (folded) push(`  (${folded} value${folded === 1 ? '' : 's'} taken from the attacker's initial knowledge folded; --verbose shows them)`);
  if (s.omitted) push(`  (${s.omitted} step${s.omitted === 1 ? '' : 's'} of the path found that the attack does not use left out)`);
  return lines;
}
