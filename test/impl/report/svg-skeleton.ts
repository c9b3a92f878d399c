/**
 * The structure of an SVG, for golden comparisons that do not depend on pixels: each element
 * in document order with its class and data attributes and its text, coordinates and sizes
 * left out. Two diagrams with the same skeleton draw the same things in the same order.
 * @module
 */

/** One line per element: `rect.claim.bad`, `text "Commit(resp, …)"`, `line.msg.built[how=built]`. */
export function svgSkeleton(svg: string): string[] {
  const out: string[] = [];
  const re = /<([a-zA-Z]+)([^>]*?)(\/?)>([^<]*)/g;
  for (const m of svg.matchAll(re)) {
    const [, tag, attrs, , text] = m;
    if (tag === 'style') continue;
    const cls = /\sclass="([^"]*)"/.exec(attrs!)?.[1];
    const data = [...attrs!.matchAll(/\sdata-([a-z-]+)="([^"]*)"/g)].map((d) => `${d[1]}=${d[2]}`);
    const t = text!.trim();
    out.push(`${tag}${cls ? '.' + cls.trim().split(/\s+/).join('.') : ''}${data.length ? `[${data.join(',')}]` : ''}${t ? ` ${JSON.stringify(t)}` : ''}`);
  }
  return out;
}
