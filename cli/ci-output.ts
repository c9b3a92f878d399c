/**
 * Verdicts in the forms CI systems read: SARIF 2.1.0 (GitHub code scanning and other SARIF
 * viewers; OASIS SARIF v2.1.0 §3) with one result per property whose verdict differs from the
 * model's expectation (and, with `all`, one per attack found), located at the model file and line
 * of the transition that emits the violated claim and, for a variant, at the line that declares
 * its edit (the change that breaks the property); and, under GitHub Actions, `::error` workflow
 * commands and a Markdown job summary ($GITHUB_STEP_SUMMARY).
 * @module
 */
import { appendFileSync } from 'node:fs';
import type { Protocol } from '../models/protocol.ts';
import type { VerifyReport } from '../properties/explorer/verify.ts';
import { propertyLocation, type SourceLocation, variantEditLocation } from './model-locations.ts';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

interface Finding {
  readonly report: VerifyReport;
  readonly id: string;
  readonly statement: string;
  readonly expected: string;
  readonly verdict: string;
  readonly differs: boolean;
  readonly where: SourceLocation | undefined;
  /** a variant's edit */
  readonly edit: SourceLocation | undefined;
}

function findings(reports: readonly VerifyReport[], protocols: readonly Protocol[], files: readonly string[], all: boolean): Finding[] {
  const out: Finding[] = [];
  for (const r of reports) {
    const p = protocols.find((x) => x.name === r.protocol);
    for (const x of r.properties) {
      const differs = x.verdict !== x.expected;
      if (!differs && !(all && x.verdict === 'attack')) continue;
      const decl = p?.properties.find((d) => d.id === x.id);
      const edit = p && r.variant ? variantEditLocation(p, r.variant, files) : undefined;
      out.push({ report: r, id: x.id, statement: decl?.statement ?? x.id, expected: x.expected, verdict: x.verdict, differs, where: p && decl ? propertyLocation(p, decl, files) : undefined, edit });
    }
  }
  return out;
}

const target = (r: VerifyReport) => `${r.protocol}${r.variant ? ' ' + r.variant : ''}`;
const message = (f: Finding) => `${target(f.report)} ${f.id}: expected ${f.expected}, verdict ${f.verdict} (bound: ${f.report.bound}) — ${f.statement}${f.edit ? ` (variant ${f.report.variant}'s edit: ${f.edit.file}:${f.edit.line})` : ''}`;

/** A SARIF location (§3.28) with a message saying what is there. */
const sarifLocation = (at: SourceLocation, text: string) => ({ physicalLocation: { artifactLocation: { uri: at.file.split('\\').join('/') }, region: { startLine: at.line } }, message: { text } });

/** The claim's transition first (where GitHub shows the result), then the variant's edit. */
function sarifLocations(f: Finding): object[] {
  return [
    ...(f.where ? [sarifLocation(f.where, `${f.where.transition} emits the claim ${f.id} judges`)] : []),
    ...(f.edit ? [sarifLocation(f.edit, `variant ${f.report.variant} declares its edit here`)] : []),
  ];
}

/** The SARIF log of these reports (`all`: every attack, not only the verdicts that differ). */
export function sarifLog(reports: readonly VerifyReport[], protocols: readonly Protocol[], opts: { version: string; files?: readonly string[]; all?: boolean }): object {
  const fs = findings(reports, protocols, opts.files ?? [], opts.all ?? false);
  const rules = new Map<string, { id: string; shortDescription: { text: string } }>();
  for (const r of reports) {
    const p = protocols.find((x) => x.name === r.protocol);
    for (const x of r.properties) {
      const id = `${r.protocol}/${x.id}`;
      if (!rules.has(id)) rules.set(id, { id, shortDescription: { text: p?.properties.find((d) => d.id === x.id)?.statement ?? x.id } });
    }
  }
  const ruleIds = [...rules.keys()];
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'tcv', version: opts.version, rules: [...rules.values()] } },
        results: fs.map((f) => ({
          ruleId: `${f.report.protocol}/${f.id}`,
          ruleIndex: ruleIds.indexOf(`${f.report.protocol}/${f.id}`),
          level: f.differs ? 'error' : 'note',
          message: { text: message(f) },
          ...(f.where || f.edit ? { locations: sarifLocations(f) } : {}),
        })),
      },
    ],
  };
}

/** Under GitHub Actions: an `::error` line per verdict that differs, and a job summary table. */
export function githubAnnotations(reports: readonly VerifyReport[], protocols: readonly Protocol[], out: (line: string) => void, files: readonly string[] = []): void {
  if (process.env['GITHUB_ACTIONS'] !== 'true') return;
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  for (const f of findings(reports, protocols, files, false)) {
    const at = f.where ? `file=${f.where.file},line=${f.where.line},` : '';
    out(`::error ${at}title=${esc(`${target(f.report)} ${f.id}`)}::${esc(message(f))}`);
  }
  const summary = process.env['GITHUB_STEP_SUMMARY'];
  if (!summary) return;
  const rows = reports.flatMap((r) => r.properties.map((x) => `| ${target(r)} | ${x.id} | ${x.expected} | ${x.verdict}${x.verdict === x.expected ? '' : ' ✗'} | ${r.stats.states} | ${r.stats.ms} |`));
  const bad = reports.reduce((n, r) => n + r.properties.filter((x) => x.verdict !== x.expected).length, 0);
  appendFileSync(summary, `### tcv verify: ${bad ? `${bad} verdict(s) differ` : 'every verdict as expected'}\n\n| target | property | expected | verdict | states | ms |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n\n`);
}
