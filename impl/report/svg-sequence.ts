/**
 * A sequence (honest run or attack trace) as a self-contained SVG sequence diagram: a lifeline
 * per role instance and, in an attack, the attacker `E` with its deductions in a side lane;
 * an arrow per message labelled with the step, the message label and the abbreviated term
 * (dashed from E: built by the attacker; to E: intercepted; sender to receiver: forwarded
 * unchanged); claims as marks on their lifeline; the violating step, arrow and claim in red;
 * the violations and summary on top, the legend below. Text is measured in the monospace font
 * (`svg-theme.ts`), so every box holds its text; no scripts, no external resources.
 * @module
 */
import { ATTACKER, type Sequence } from './sequence.ts';
import { CHAR_W, LINE_H, SVG_STYLE, wrapText } from './svg-theme.ts';
import { escapeXml as esc } from './xml.ts';

export interface SvgOptions {
  /** show the values the attacker takes from its initial knowledge */
  readonly verbose?: boolean;
}

const M = 16; // outer margin
const COL_GAP = 250; // between lifelines
const LANE = 380; // the attacker's deduction lane
const MSG_CHARS = 56; // message labels wrap here at least

function textLines(x: number, y: number, lines: readonly string[], cls = ''): string {
  const c = cls ? ` class="${cls}"` : '';
  return lines.map((l, i) => `<text x="${x.toFixed(1)}" y="${(y + i * LINE_H).toFixed(1)}"${c}>${esc(l)}</text>`).join('');
}

/** The sequence as an SVG document. */
export function svgSequence(s: Sequence, opts: SvgOptions = {}): string {
  const lifes = s.lifelines;
  const attack = s.kind === 'attack';
  const headW = lifes.map((l) => Math.max(l.id.length, Math.min(l.detail.length, 30)) * CHAR_W + 20);
  const xs: number[] = [];
  let x = M + Math.max(headW[0]! / 2, 60);
  for (let i = 0; i < lifes.length; i++) {
    if (i > 0) x += Math.max(COL_GAP, (headW[i - 1]! + headW[i]!) / 2 + 40);
    xs.push(x);
  }
  const col = new Map(lifes.map((l, i) => [l.id, xs[i]!]));
  const ex = col.get(ATTACKER);
  const laneX = ex !== undefined ? ex + 14 : 0;
  let maxX = (xs[xs.length - 1] ?? M) + headW[headW.length - 1]! / 2 + (attack ? LANE : 0);
  const body: string[] = [];
  const bad = new Set(s.violations.map((v) => v.step));

  // top: title, violations, summary (wrapped to the diagram's width)
  const topChars = Math.max(80, Math.floor((maxX - M) / CHAR_W));
  let y = M + 14;
  body.push(`<text x="${M}" y="${y}" class="title">${esc(s.title)}</text>`);
  y += LINE_H + 4;
  for (const v of s.violations) {
    const ls = wrapText(`✗ ${v.property}: ${v.why} — at step ${v.step}`, topChars);
    body.push(textLines(M, y, ls, 'bad'));
    y += ls.length * LINE_H;
  }
  if (s.summary) {
    const ls = wrapText(s.summary, topChars);
    body.push(textLines(M, y, ls));
    y += ls.length * LINE_H;
  }
  for (const n of s.notes ?? []) {
    const ls = wrapText(n, topChars);
    body.push(textLines(M, y, ls, 'muted'));
    y += ls.length * LINE_H;
  }
  y += 10;

  // lifeline heads
  const headTop = y;
  const headH = 38;
  lifes.forEach((l, i) => {
    const w = headW[i]!;
    const cls = l.id === ATTACKER ? 'head att' : 'head';
    body.push(`<rect x="${(xs[i]! - w / 2).toFixed(1)}" y="${headTop}" width="${w.toFixed(1)}" height="${headH}" rx="5" class="${cls}"/>`);
    body.push(`<text x="${xs[i]!.toFixed(1)}" y="${headTop + 16}" text-anchor="middle" style="font-weight:bold">${esc(l.id)}</text>`);
    const d = l.detail.length > 30 ? l.detail.slice(0, 29) + '…' : l.detail;
    body.push(`<text x="${xs[i]!.toFixed(1)}" y="${headTop + 31}" text-anchor="middle" class="muted" style="font-size:10px">${esc(d)}</text>`);
  });
  y = headTop + headH + 16;
  const laneTop = y - 8;

  let folded = 0;
  for (const e of s.events) {
    switch (e.kind) {
      case 'step': {
        y += 8;
        const cls = bad.has(e.step) ? 'bad' : 'muted';
        const lx = col.get(e.on) ?? M;
        body.push(`<text x="${(lx + 6).toFixed(1)}" y="${y.toFixed(1)}" class="${cls}" style="font-size:11px">${esc(`${e.step}. ${e.transition}${bad.has(e.step) ? '  ◀ violation' : ''}`)}</text>`);
        maxX = Math.max(maxX, lx + 6 + (String(e.step).length + e.transition.length + 16) * CHAR_W);
        y += 10;
        break;
      }
      case 'deduction':
      case 'reveal': {
        if (e.kind === 'deduction' && e.noise && !opts.verbose) {
          folded++;
          break;
        }
        const ls = wrapText(`E ${e.text}`, (LANE - 24) / CHAR_W);
        body.push(textLines(laneX + 6, y + 12, ls, e.kind === 'reveal' ? 'bad' : 'muted'));
        y += ls.length * LINE_H + 2;
        break;
      }
      case 'claim': {
        const lx = col.get(e.on) ?? M;
        const ls = wrapText(e.text, 48);
        const w = Math.max(...ls.map((l) => l.length)) * CHAR_W + 14;
        const h = ls.length * LINE_H + 8;
        y += 4;
        body.push(`<g class="boxed"><rect x="${(lx + 8).toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h}" rx="4" class="${e.violating ? 'claim bad' : 'claim'}"/>`);
        body.push(textLines(lx + 15, y + 16, ls, e.violating ? 'bad' : '') + '</g>');
        body.push(`<path d="M${lx - 5},${y + h / 2} l5,-5 l5,5 l-5,5 z" class="${e.violating ? 'ah bad' : 'ah'}"/>`);
        maxX = Math.max(maxX, lx + 8 + w);
        y += h + 6;
        break;
      }
      case 'message': {
        const x1 = col.get(e.from) ?? M;
        const x2 = col.get(e.to) ?? M;
        const left = Math.min(x1, x2);
        const span = Math.abs(x2 - x1);
        const note = e.how === 'forwarded' ? ` (passed on unchanged by E at step ${e.receivedAt})` : e.how === 'built' ? ' (built by E)' : e.how === 'intercepted' ? ' (intercepted by E)' : '';
        const ls = wrapText(`${e.step}. ${e.label}${note}: ${e.term}`, Math.max(MSG_CHARS, (span - 16) / CHAR_W));
        const w = Math.max(...ls.map((l) => l.length)) * CHAR_W + 8;
        y += 6;
        body.push(`<g class="boxed"><rect x="${(left + 4).toFixed(1)}" y="${(y - 2).toFixed(1)}" width="${w.toFixed(1)}" height="${ls.length * LINE_H + 4}" class="lbg"/>`);
        body.push(textLines(left + 8, y + 11, ls, e.violating ? 'bad' : '') + '</g>');
        maxX = Math.max(maxX, left + 4 + w);
        y += ls.length * LINE_H + 6;
        const cls = `msg ${e.how}${e.violating ? ' bad' : ''}`;
        const dir = x2 >= x1 ? 1 : -1;
        body.push(`<line x1="${x1.toFixed(1)}" y1="${y}" x2="${(x2 - dir * 9).toFixed(1)}" y2="${y}" class="${cls}" data-how="${e.how}" data-step="${e.step}"/>`);
        body.push(`<path d="M${x2},${y} l${-dir * 10},-5 l0,10 z" class="ah ${e.how}${e.violating ? ' bad' : ''}"/>`);
        y += 12;
        break;
      }
    }
  }
  if (s.derivation.length) {
    y += 6;
    body.push(`<text x="${laneX + 6}" y="${y + 12}" class="bad">${esc('E then derives the secret:')}</text>`);
    y += LINE_H;
    for (const d of s.derivation) {
      const ls = wrapText(`E ${d}`, (LANE - 24) / CHAR_W);
      body.push(textLines(laneX + 6, y + 12, ls, 'bad'));
      y += ls.length * LINE_H + 2;
    }
  }
  y += 14;
  const laneBottom = y;
  const lifelinesSvg = xs.map((lx) => `<line x1="${lx.toFixed(1)}" y1="${headTop + headH}" x2="${lx.toFixed(1)}" y2="${laneBottom}" class="life"/>`).join('');
  const laneSvg = attack && ex !== undefined ? `<rect x="${laneX}" y="${laneTop}" width="${LANE - 10}" height="${laneBottom - laneTop}" class="lane"/>` : '';

  // below: notes and the legend
  const foot: string[] = [];
  const notes: string[] = [];
  if (folded) notes.push(`${folded} value${folded === 1 ? '' : 's'} the attacker took from its initial knowledge not shown`);
  if (s.omitted) notes.push(`${s.omitted} step${s.omitted === 1 ? '' : 's'} of the path found that the attack does not use left out`);
  y += 4;
  for (const n of notes) {
    foot.push(`<text x="${M}" y="${y + 12}" class="muted">${esc(n)}</text>`);
    y += LINE_H;
  }
  if (s.legend.length) {
    y += 6;
    const chars = Math.max(80, Math.floor((maxX - M - 20) / CHAR_W));
    const w = Math.max(...s.legend.map((e) => e.name.length));
    const lines = s.legend.flatMap((e) => wrapText(`${e.name.padEnd(w)} = ${e.term}`, chars).map((l, i) => (i ? ' '.repeat(w + 3) + l : l)));
    const bw = Math.max(...lines.map((l) => l.length), 6) * CHAR_W + 20;
    foot.push(`<g class="boxed"><rect x="${M}" y="${y}" width="${bw.toFixed(1)}" height="${(lines.length + 1) * LINE_H + 12}" rx="4" class="box"/>`);
    foot.push(`<text x="${M + 10}" y="${y + 16}" style="font-weight:bold">legend</text>`);
    foot.push(textLines(M + 10, y + 16 + LINE_H, lines) + '</g>');
    maxX = Math.max(maxX, M + bw);
    y += (lines.length + 1) * LINE_H + 12;
  }
  const W = Math.ceil(maxX + M);
  const H = Math.ceil(y + M);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(s.title)}" data-kind="sequence">`,
    `<title>${esc(s.title)}</title>`,
    `<style>${SVG_STYLE}</style>`,
    `<rect width="100%" height="100%" class="bg"/>`,
    laneSvg,
    lifelinesSvg,
    ...body,
    ...foot,
    `</svg>`,
  ].join('\n');
}
