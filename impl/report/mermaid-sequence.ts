/**
 * A sequence as Mermaid `sequenceDiagram` text, to paste into a GitHub PR or issue: a
 * participant per lifeline (the attacker `E` last), an arrow per message (`->>` delivered or
 * forwarded unchanged, `-)` intercepted, `-->>` built by the attacker), the attacker's
 * deductions as notes right of E, claims as notes over their lifeline, the violating step in a
 * red `rect`, the legend as a note with a line per entry (`<br/>`). Characters Mermaid reads (`<`, `>`, `#`, `;`) are written as its entity codes.
 * @module
 */
import { ATTACKER, type Sequence } from './sequence.ts';

export interface MermaidOptions {
  readonly verbose?: boolean;
}

/** Mermaid's entity codes (`#60;`) for the characters it would read as markup. */
export function mermaidText(s: string): string {
  return s.replace(/[#;<>]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** The sequence as Mermaid `sequenceDiagram` source. */
export function mermaidSequence(s: Sequence, opts: MermaidOptions = {}): string {
  const out = ['sequenceDiagram'];
  out.push(`  %% ${mermaidText(s.title)}`);
  for (const l of s.lifelines) out.push(`  participant ${l.id} as ${mermaidText(l.id === ATTACKER ? 'E (attacker)' : `${l.id} (${l.detail})`)}`);
  const bad = new Set(s.violations.map((v) => v.step));
  let open = false;
  const first = s.lifelines[0]!.id;
  const last = s.lifelines[s.lifelines.length - 1]!.id;
  for (const n of [s.summary ?? '', ...(s.notes ?? [])].filter(Boolean)) out.push(`  Note over ${first},${last}: ${mermaidText(n)}`);
  for (const v of s.violations) out.push(`  Note over ${first},${last}: ${mermaidText(`✗ ${v.property}: ${v.why} (step ${v.step})`)}`);
  for (const e of s.events) {
    if (e.kind === 'step') {
      if (open) out.push('  end');
      open = bad.has(e.step);
      if (open) out.push('  rect rgb(255, 200, 200)');
      continue;
    }
    if (e.kind === 'deduction') {
      if (!e.noise || opts.verbose) out.push(`  Note right of ${ATTACKER}: ${mermaidText(`E ${e.text}`)}`);
    } else if (e.kind === 'reveal') out.push(`  Note right of ${ATTACKER}: ${mermaidText(`E ${e.text}`)}`);
    else if (e.kind === 'claim') out.push(`  Note over ${e.on}: ${mermaidText(`${e.violating ? '✗ ' : ''}${e.text}`)}`);
    else {
      const a = e.how === 'built' ? '-->>' : e.how === 'intercepted' ? '-)' : '->>';
      const note = e.how === 'forwarded' ? ' (forwarded by E)' : e.how === 'built' ? ' (built by E)' : '';
      out.push(`  ${e.from}${a}${e.to}: ${mermaidText(`${e.step}. ${e.label}${note}: ${e.term}`)}`);
    }
  }
  if (open) out.push('  end');
  for (const d of s.derivation) out.push(`  Note right of ${ATTACKER}: ${mermaidText(`E ${d}`)}`);
  if (s.legend.length) out.push(`  Note over ${first},${last}: ${['legend', ...s.legend.map((e) => `${e.name} = ${e.term}`)].map(mermaidText).join('<br/>')}`);
  return out.join('\n') + '\n';
}
