/**
 * The SVG plot of bench/results/fuzzy-extractor.json: failure probability (log scale) against the
 * PUF bit-error rate — the analytic curve, the Monte Carlo estimates with 95 % intervals, and the
 * rule-of-three upper bound where no failure was seen. Generated from the data only.
 * @module
 */

export interface CurvePoint {
  readonly ber: number;
  readonly analytic: number;
}
export interface McPoint {
  readonly ber: number;
  readonly trials: number;
  readonly failures: number;
  readonly low: number;
  readonly high: number;
}

const W = 720;
const H = 460;
const L = 80;
const R = 20;
const T = 40;
const B = 60;

export function failureSvg(curve: readonly CurvePoint[], mc: readonly McPoint[], title: string): string {
  const xs = curve.map((c) => c.ber);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const yMin = -12;
  const yMax = 0;
  const X = (b: number) => L + ((b - x0) / (x1 - x0)) * (W - L - R);
  const Y = (p: number) => {
    const l = Math.max(yMin, Math.min(yMax, Math.log10(Math.max(p, 1e-300))));
    return T + ((yMax - l) / (yMax - yMin)) * (H - T - B);
  };
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>`);
  for (let e = yMin; e <= yMax; e += 2) {
    const y = Y(10 ** e);
    out.push(`<line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#ddd"/><text x="${L - 6}" y="${y + 4}" text-anchor="end">1e${e}</text>`);
  }
  for (let b = Math.ceil(x0 * 100); b <= Math.floor(x1 * 100); b++) {
    const x = X(b / 100);
    out.push(`<line x1="${x}" y1="${T}" x2="${x}" y2="${H - B}" stroke="#eee"/><text x="${x}" y="${H - B + 16}" text-anchor="middle">${b}%</text>`);
  }
  out.push(`<line x1="${L}" y1="${Y(1e-9)}" x2="${W - R}" y2="${Y(1e-9)}" stroke="#c00" stroke-dasharray="4 3"/>`);
  out.push(`<text x="${W - R - 4}" y="${Y(1e-9) - 4}" text-anchor="end" fill="#c00">goal 1e-9</text>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">PUF bit-error rate</text>`);
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">key failure probability</text>`);
  const path = curve.map((c, i) => `${i ? 'L' : 'M'}${X(c.ber).toFixed(1)} ${Y(c.analytic).toFixed(1)}`).join(' ');
  out.push(`<path d="${path}" fill="none" stroke="#1f5fbf" stroke-width="2"/>`);
  for (const p of mc) {
    const x = X(p.ber);
    if (p.failures === 0) {
      const y = Y(p.high);
      out.push(`<path d="M${x - 5} ${y - 4} L${x + 5} ${y - 4} L${x} ${y + 5} Z" fill="#e08000"/>`);
    } else {
      out.push(`<line x1="${x}" y1="${Y(p.low)}" x2="${x}" y2="${Y(p.high)}" stroke="#e08000" stroke-width="2"/>`);
      out.push(`<circle cx="${x}" cy="${Y(p.failures / p.trials)}" r="4" fill="#e08000"/>`);
    }
  }
  const ly = T + 14;
  out.push(`<line x1="${L + 14}" y1="${ly}" x2="${L + 40}" y2="${ly}" stroke="#1f5fbf" stroke-width="2"/><text x="${L + 46}" y="${ly + 4}">analytic P(Bin(511, p₇) &gt; 28)</text>`);
  out.push(`<circle cx="${L + 27}" cy="${ly + 18}" r="4" fill="#e08000"/><text x="${L + 46}" y="${ly + 22}">Monte Carlo (95 % interval); ▼ no failure seen: 3/N bound</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
