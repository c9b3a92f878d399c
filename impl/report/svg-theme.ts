/**
 * The style sheet every SVG of the report carries inside itself: generic font families only
 * (no external fonts), colours for a light and a dark theme (`prefers-color-scheme`, also when
 * the SVG is opened on its own), a background of its own so it reads on any page.
 * @module
 */

/** Width of one character of the monospace font at 12 px (DejaVu Sans Mono: 0.602 em), a
 * little over, so that text measured by it never overflows its box. */
export const CHAR_W = 7.4;
export const FONT_PX = 12;
export const LINE_H = 16;
/** generic families only: nothing is fetched */
export const FONT_FAMILY = "'DejaVu Sans Mono',ui-monospace,Menlo,Consolas,monospace";

const SEQUENCE_CSS = `
.bg{fill:#ffffff}
text{fill:#1f2328;font-family:${FONT_FAMILY};font-size:${FONT_PX}px;white-space:pre}
.title{font-size:14px;font-weight:bold}
.muted{fill:#59636e}
.bad{fill:#cf222e}
.ok{fill:#1a7f37}
.life{stroke:#8c959f;stroke-dasharray:4 4}
.head{fill:#f6f8fa;stroke:#59636e}
.head.att{fill:#fff8c5;stroke:#9a6700}
.lane{fill:#fff8c5;opacity:.35}
.msg{stroke:#1f2328;stroke-width:1.3;fill:none}
.msg.built{stroke:#9a6700;stroke-dasharray:6 3}
.msg.intercepted{stroke:#59636e}
.msg.bad{stroke:#cf222e;stroke-width:2.2}
.ah{fill:#1f2328}.ah.built{fill:#9a6700}.ah.intercepted{fill:#59636e}.ah.bad{fill:#cf222e}
.claim{fill:#ddf4ff;stroke:#0969da}
.claim.bad{fill:#ffebe9;stroke:#cf222e;stroke-width:2}
.lbg{fill:#ffffff;opacity:.88}
.box{fill:#f6f8fa;stroke:#d1d9e0}
.node{fill:#f6f8fa;stroke:#59636e}
@media (prefers-color-scheme: dark){
.bg{fill:#0d1117}
text{fill:#e6edf3}
.muted{fill:#9198a1}
.bad{fill:#ff7b72}
.ok{fill:#3fb950}
.life{stroke:#656c76}
.head{fill:#151b23;stroke:#9198a1}
.head.att{fill:#2e2610;stroke:#d29922}
.lane{fill:#2e2610;opacity:.5}
.msg{stroke:#e6edf3}
.msg.built{stroke:#d29922}
.msg.intercepted{stroke:#9198a1}
.msg.bad{stroke:#ff7b72}
.ah{fill:#e6edf3}.ah.built{fill:#d29922}.ah.intercepted{fill:#9198a1}.ah.bad{fill:#ff7b72}
.claim{fill:#0c2d6b;stroke:#4493f8}
.claim.bad{fill:#3c1618;stroke:#ff7b72}
.lbg{fill:#0d1117}
.box{fill:#151b23;stroke:#3d444d}
.node{fill:#151b23;stroke:#9198a1}
}`;

/** A style sheet with every selector under `scope` (`svg[data-kind=sequence]`): several SVGs
 * inline in one HTML page keep their styles apart, and none leaks into the page. */
export function scopeCss(css: string, scope: string): string {
  return css.replace(/(?<=^|[{}])\s*([^{}]+?)\s*\{/g, (m, sel: string) => (sel.startsWith('@') ? m : `\n${sel.split(',').map((x) => `${scope} ${x.trim()}`).join(',')}{`));
}

/** The sequence diagrams' style sheet, scoped to them. */
export const SVG_STYLE = scopeCss(SEQUENCE_CSS, 'svg[data-kind=sequence]');

/** Wrap text at `chars` columns, after a comma or a space where there is one. */
export function wrapText(s: string, chars: number): string[] {
  const out: string[] = [];
  let rest = s;
  const n = Math.max(12, Math.floor(chars));
  while (rest.length > n) {
    let cut = Math.max(rest.lastIndexOf(', ', n - 2) + 2, rest.lastIndexOf(' ', n - 1) + 1);
    if (cut < n / 3) cut = n;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
  }
  out.push(rest);
  return out;
}
