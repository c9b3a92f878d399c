/**
 * The report as one self-contained HTML file (no scripts, no external resources: it works
 * offline and from `file://`): the verdict table (protocol × property, expected against
 * verdict, bound, states, time), each attack with its summary, sequence diagram and replay
 * result, each protocol with its statements in plain words, its state diagrams (the variants'
 * edits highlighted) and an honest run; links between them both ways. Light and dark themes
 * follow `prefers-color-scheme`; the diagrams scroll sideways inside their own box.
 * @module
 */
import type { ReportAttack, ReportData, ReportProtocol } from './report-data.ts';
import { escapeXml as esc } from './xml.ts';

const CSS = `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;--bad:#cf222e;--ok:#1a7f37;--link:#0969da}
@media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;--bad:#ff7b72;--ok:#3fb950;--link:#4493f8}}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif}
main{max-width:1200px;margin:0 auto;padding:16px 24px 48px}
a{color:var(--link)}
h1{font-size:24px;margin:8px 0}
h2{font-size:19px;margin:32px 0 8px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:16px;margin:20px 0 6px}
code,.mono{font-family:'DejaVu Sans Mono',ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.v-muted{color:var(--muted)}
.v-bad{color:var(--bad);font-weight:600}
.v-ok{color:var(--ok)}
nav ul{columns:3;padding-left:18px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:var(--card);position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.differs td{background:rgba(207,34,46,.12)}
.diagram{overflow-x:auto;border:1px solid var(--line);border-radius:6px;padding:6px;background:var(--card);margin:8px 0}
.diagram svg{display:block;max-width:none;height:auto}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:var(--card);margin:8px 0}
ul.props li{margin:2px 0}
`;

const verdictCell = (v: string, expected: string) => `<td class="${v === expected ? 'v-ok' : 'v-bad'}">${esc(v)}${v === expected ? '' : ' ✗'}</td>`;

function table(d: ReportData): string {
  const rows = d.targets.flatMap((t) =>
    t.verdicts.map((v, i) => {
      const proto = `<a href="#${esc(`protocol-${t.protocol}`.toLowerCase().replace(/[^a-z0-9]+/g, '-'))}">${esc(t.protocol)}</a>`;
      return `<tr class="${v.verdict === v.expected ? '' : 'differs'}"><td>${i === 0 ? proto : ''}</td><td>${i === 0 ? esc(t.variant ?? '—') : ''}</td><td>${esc(v.id)}</td><td>${esc(v.kind)}</td><td>${esc(v.expected)}</td>${verdictCell(v.verdict, v.expected)}<td>${v.attack ? `<a href="#${esc(v.attack)}">trace</a>` : ''}</td><td class="v-muted">${esc(v.bound.replace(/ on the deployment agents.*$/, ''))}</td><td class="num">${i === 0 ? t.states : ''}</td><td class="num">${i === 0 ? t.ms : ''}</td></tr>`;
    }),
  );
  return `<table><thead><tr><th>protocol</th><th>variant</th><th>property</th><th>kind</th><th>expected</th><th>verdict</th><th>attack</th><th>bound</th><th>states</th><th>ms</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function attackSection(a: ReportAttack, protocolAnchor: string | undefined): string {
  const s = a.sequence;
  const replay = a.replay
    ? `<div class="card"><b>Replayed with real crypto</b> on ${esc(a.protocol)} ${esc(a.variant ?? '')}: <span class="${a.replay.reproduced ? 'v-bad' : 'v-muted'}">${a.replay.reproduced ? 'VIOLATED' : 'not violated'}</span> — ${esc(a.replay.detail)}${a.replay.correct ? `<br>The same schedule on the correct protocol: <span class="${a.replay.correct.reproduced ? 'v-bad' : 'v-ok'}">${a.replay.correct.reproduced ? 'VIOLATED (unexpected)' : 'no violation'}</span> — ${esc(a.replay.correct.detail)}` : ''}</div>`
    : `<p class="v-muted">No replay with real crypto: ${a.variant ? 'not asked for' : 'the base protocol of the classic corpus has no implementation to replay on'}.</p>`;
  return [
    `<section id="${esc(a.anchor)}">`,
    `<h3>${esc(a.protocol)}${a.variant ? ` ${esc(a.variant)}` : ''}: ${esc(s.title)}</h3>`,
    `<p>${protocolAnchor ? `<a href="#${esc(protocolAnchor)}">the protocol and its machines</a> · ` : ''}<a href="#verdicts">verdict table</a></p>`,
    `<ul>${s.violations.map((v) => `<li class="v-bad">${esc(v.property)}: ${esc(v.why)} — at step ${v.step}</li>`).join('')}</ul>`,
    s.summary ? `<p>${esc(s.summary)}</p>` : '',
    replay,
    `<div class="diagram">${a.svg}</div>`,
    `</section>`,
  ].join('\n');
}

function protocolSection(p: ReportProtocol, attacks: readonly ReportAttack[]): string {
  const mine = attacks.filter((a) => a.protocol === p.name);
  const variantRows = p.variants.map((v) => {
    const as = mine.filter((a) => a.variant === v.id);
    return `<li><b>${esc(v.id)}</b> ${esc(v.title)}${v.breaks.length ? ` <span class="v-muted">(breaks ${esc(v.breaks.join(', '))})</span>` : ''}${v.diagram ? ` · <a href="#${esc(v.diagram)}">machines</a>` : ''}${as.map((a) => ` · <a href="#${esc(a.anchor)}">attack on ${esc(a.properties.join(', '))}</a>`).join('')}</li>`;
  });
  const baseAttacks = mine.filter((a) => a.variant === null);
  return [
    `<section id="${esc(p.anchor)}">`,
    `<h2>${esc(p.name)} — ${esc(p.title)}</h2>`,
    `<p class="v-muted">${esc(p.source)} · roles: ${p.roles.map((r) => `${esc(r.role)} (${esc(r.party)})`).join(', ')}</p>`,
    `<h3>What must hold</h3><ul class="props">${p.properties.map((x) => `<li><b>${esc(x.id)}</b> <span class="v-muted">${esc(x.kind)}</span> — ${esc(x.statement)}</li>`).join('')}</ul>`,
    baseAttacks.length ? `<p>Attacks on the protocol itself: ${baseAttacks.map((a) => `<a href="#${esc(a.anchor)}">${esc(a.properties.join(', '))}</a>`).join(', ')}</p>` : '',
    p.variants.length ? `<h3>Variants</h3><ul>${variantRows.join('')}</ul>` : '',
    p.honest ? `<h3 id="${esc(p.honest.anchor)}">${esc(p.honest.title)}</h3><div class="diagram">${p.honest.svg}</div>` : '',
    ...p.machines.map((m) => `<h3 id="${esc(m.anchor)}">${esc(m.title)}</h3><div class="diagram">${m.svg}</div>`),
    `</section>`,
  ].join('\n');
}

/** The whole report. */
export function htmlReport(d: ReportData): string {
  const differ = d.targets.reduce((n, t) => n + t.verdicts.filter((v) => v.verdict !== v.expected).length, 0);
  const total = d.targets.reduce((n, t) => n + t.verdicts.length, 0);
  const anchorOfProtocol = new Map(d.protocols.map((p) => [p.name, p.anchor]));
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(d.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body><main>',
    `<h1>${esc(d.title)}</h1>`,
    `<p class="v-muted">${esc(d.made)}</p>`,
    `<p class="${differ ? 'v-bad' : 'v-ok'}">${differ ? `${differ} of ${total} verdicts differ from the expectation` : `all ${total} verdicts as expected`} · ${d.attacks.length} attack trace${d.attacks.length === 1 ? '' : 's'} · ${d.protocols.length} protocol${d.protocols.length === 1 ? '' : 's'}</p>`,
    `<nav><b>Protocols</b><ul>${d.protocols.map((p) => `<li><a href="#${esc(p.anchor)}">${esc(p.name)}</a></li>`).join('')}</ul></nav>`,
    `<h2 id="verdicts">Verdicts</h2>`,
    `<p class="v-muted">holds: no attack within the bound (the explorer searched it all); attack: a trace (linked); inconclusive: the search was cut.</p>`,
    table(d),
    `<h2 id="attacks">Attacks</h2>`,
    ...d.attacks.map((a) => attackSection(a, anchorOfProtocol.get(a.protocol))),
    ...d.protocols.map((p) => protocolSection(p, d.attacks)),
    '</main></body></html>',
    '',
  ].join('\n');
}
