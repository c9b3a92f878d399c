/**
 * A timeline as a picture: one lane per core (or any actor), spans on a lane (work that takes
 * time: a measurement), numbered marks at instants (an attack, a detection, an intervention), a
 * time axis in milliseconds, and below it the marks' list with their times and what they say, so
 * no label has to fit between two marks. The neutral data type is `Timeline`; the monitor's run
 * report is converted to it in impl/tztcm/monitor/monitor-timeline.ts. Self-contained like the
 * other pictures (svg-theme.ts: generic fonts, light and dark colours, its own background).
 * @module
 */
import { escapeXml } from './xml.ts';
import { CHAR_W, FONT_FAMILY, FONT_PX, LINE_H, scopeCss, wrapText } from './svg-theme.ts';

export type SpanKind = 'work' | 'finding';
export type MarkKind = 'attack' | 'detect' | 'intervene' | 'event';

export interface Timeline {
  readonly title: string;
  readonly subtitle?: string;
  readonly lanes: readonly { readonly id: string; readonly label: string }[];
  readonly spans: readonly { readonly lane: string; readonly startMs: number; readonly endMs: number; readonly kind: SpanKind }[];
  readonly marks: readonly { readonly lane: string; readonly atMs: number; readonly kind: MarkKind; readonly label: string }[];
  /** an interval to point out (e.g. attack → detection) */
  readonly brackets?: readonly { readonly fromMs: number; readonly toMs: number; readonly label: string }[];
  readonly endMs: number;
}

const CSS = scopeCss(
  `
.bg{fill:#ffffff}
text{fill:#1f2328;font-family:${FONT_FAMILY};font-size:${FONT_PX}px;white-space:pre}
.title{font-size:14px;font-weight:bold}
.muted{fill:#59636e}
.bad{fill:#cf222e}
.lane{fill:#f6f8fa;stroke:#d1d9e0}
.axis{stroke:#59636e}
.grid{stroke:#d1d9e0;stroke-dasharray:2 4}
.span.work{fill:#0969da;opacity:.75}
.span.finding{fill:#cf222e}
.mark.attack{fill:#9a6700}.mark.detect{fill:#cf222e}.mark.intervene{fill:#8250df}.mark.event{fill:#59636e}
.num{fill:#ffffff;font-size:10px;font-weight:bold}
.bracket{stroke:#cf222e;fill:none}
@media (prefers-color-scheme: dark){
.bg{fill:#0d1117}
text{fill:#e6edf3}
.muted{fill:#9198a1}
.bad{fill:#ff7b72}
.lane{fill:#151b23;stroke:#3d444d}
.axis{stroke:#9198a1}
.grid{stroke:#3d444d}
.span.work{fill:#4493f8}
.span.finding{fill:#ff7b72}
.mark.attack{fill:#d29922}.mark.detect{fill:#ff7b72}.mark.intervene{fill:#ab7df8}.mark.event{fill:#9198a1}
.num{fill:#0d1117}
.bracket{stroke:#ff7b72}
}`,
  'svg[data-kind=timeline]',
);

const LEFT = 150;
const PLOT_W = 820;
const LANE_H = 46;
const PAD = 16;

/** A step of 1, 2 or 5 × 10^k ms giving about 8 axis ticks. */
function tickStep(endMs: number): number {
  const raw = Math.max(endMs, 1) / 8;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

const f1 = (x: number) => x.toFixed(1);

export function svgTimeline(t: Timeline): string {
  const endMs = Math.max(t.endMs, ...t.marks.map((m) => m.atMs), ...t.spans.map((s) => s.endMs), 1);
  const x = (ms: number) => LEFT + (PLOT_W * Math.max(0, ms)) / endMs;
  const out: string[] = [];
  let y = PAD + 14;
  out.push(`<text class="title" x="${PAD}" y="${y}">${escapeXml(t.title)}</text>`);
  if (t.subtitle) for (const line of wrapText(t.subtitle, (LEFT + PLOT_W) / CHAR_W)) out.push(`<text class="muted" x="${PAD}" y="${(y += LINE_H)}">${escapeXml(line)}</text>`);
  y += t.brackets?.length ? 34 : 14;
  const laneY = new Map(t.lanes.map((l, i) => [l.id, y + i * (LANE_H + 8)]));
  const plotTop = y;
  const plotBottom = y + t.lanes.length * (LANE_H + 8) - 8;
  const step = tickStep(endMs);
  for (let ms = 0; ms <= endMs + 1e-9; ms += step) {
    out.push(`<line class="grid" x1="${f1(x(ms))}" y1="${plotTop}" x2="${f1(x(ms))}" y2="${plotBottom}"/>`);
    out.push(`<line class="axis" x1="${f1(x(ms))}" y1="${plotBottom + 2}" x2="${f1(x(ms))}" y2="${plotBottom + 7}"/>`);
    out.push(`<text class="muted" x="${f1(x(ms) - (String(ms).length * CHAR_W) / 2)}" y="${plotBottom + 20}">${ms}</text>`);
  }
  out.push(`<line class="axis" x1="${LEFT}" y1="${plotBottom + 2}" x2="${LEFT + PLOT_W}" y2="${plotBottom + 2}"/>`);
  out.push(`<text class="muted" x="${LEFT + PLOT_W - 2 * CHAR_W}" y="${plotBottom + 34}">ms</text>`);
  for (const l of t.lanes) {
    const ly = laneY.get(l.id)!;
    out.push(`<rect class="lane" data-lane="${escapeXml(l.id)}" x="${LEFT}" y="${ly}" width="${PLOT_W}" height="${LANE_H}"/>`);
    out.push(`<text x="${PAD}" y="${ly + LANE_H / 2 + 4}">${escapeXml(l.label.slice(0, Math.floor((LEFT - PAD - 4) / CHAR_W)))}</text>`);
  }
  for (const s of t.spans) {
    const ly = laneY.get(s.lane);
    if (ly === undefined) continue;
    const w = Math.max(1, x(s.endMs) - x(s.startMs));
    out.push(`<rect class="span ${s.kind}" data-start="${f1(s.startMs)}" x="${f1(x(s.startMs))}" y="${ly + 8}" width="${f1(w)}" height="${LANE_H - 16}"/>`);
  }
  // marks closer than a circle on one lane are stacked downwards, so each number stays readable
  const placed: { lane: string; cx: number }[] = [];
  t.marks.forEach((m, i) => {
    const ly = laneY.get(m.lane);
    if (ly === undefined) return;
    const cx = x(m.atMs);
    const row = placed.filter((p) => p.lane === m.lane && Math.abs(p.cx - cx) < 17).length % 3;
    placed.push({ lane: m.lane, cx });
    const cy = ly + 9 + row * 15;
    out.push(`<line class="axis" x1="${f1(cx)}" y1="${ly}" x2="${f1(cx)}" y2="${ly + LANE_H}"/>`);
    out.push(`<circle class="mark ${m.kind}" data-mark="${m.kind}" cx="${f1(cx)}" cy="${cy}" r="8"/>`);
    out.push(`<text class="num" x="${f1(cx - (String(i + 1).length * 6) / 2)}" y="${cy + 4}">${i + 1}</text>`);
  });
  for (const b of t.brackets ?? []) {
    const by = plotTop - 6;
    out.push(`<path class="bracket" d="M${f1(x(b.fromMs))} ${by + 4} V${by} H${f1(x(b.toMs))} V${by + 4}"/>`);
    out.push(`<text class="bad" x="${f1(x(b.fromMs))}" y="${by - 3}">${escapeXml(b.label)}</text>`);
  }
  y = plotBottom + 54;
  const chars = (LEFT + PLOT_W - PAD) / CHAR_W;
  t.marks.forEach((m, i) => {
    const lines = wrapText(`${String(i + 1).padStart(2)}. +${m.atMs.toFixed(1)} ms  ${m.kind.padEnd(9)} ${m.label}`, chars);
    lines.forEach((line, k) => out.push(`<text${k ? ' class="muted"' : ''} x="${PAD}" y="${(y += LINE_H)}">${escapeXml(k ? `      ${line}` : line)}</text>`));
  });
  const height = y + PAD;
  const width = LEFT + PLOT_W + PAD * 2;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" data-kind="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<style>${CSS}</style>`,
    `<rect class="bg" x="0" y="0" width="${width}" height="${height}"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
