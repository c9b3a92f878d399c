/**
 * Composes the HTML report (`impl/report/html-report.ts`) from what the interpreters produce:
 * the explorer's reports (verdicts, traces as sequences, replays with real crypto), an honest
 * run of each protocol with real crypto, and the party machines drawn by Graphviz (the base
 * machines, and each variant's with its edit highlighted). Used by `tcv report` and `tcv start`.
 * @module
 */
import type { Protocol } from '../models/protocol.ts';
import { targetOf } from '../models/target.ts';
import { roleOf } from '../models/role.ts';
import { honestRun } from '../impl/runtime/report.ts';
import { dotMachines } from '../impl/report/dot-machine.ts';
import { groupSequences } from '../impl/report/group-traces.ts';
import { honestSequence } from '../impl/report/honest-sequence.ts';
import { htmlReport } from '../impl/report/html-report.ts';
import { type ReportAttack, type ReportData, type ReportProtocol, type ReportTarget, anchorOf } from '../impl/report/report-data.ts';
import { svgFromDot } from '../impl/report/svg-machine.ts';
import { svgSequence } from '../impl/report/svg-sequence.ts';
import type { VerifyReport } from '../properties/explorer/verify.ts';
import { join } from 'node:path';
import { writeOrSay } from './diagram-files.ts';

/** The diagrams of one protocol: its base machines, each variant's, and an honest run. */
async function protocolPart(p: Protocol): Promise<ReportProtocol> {
  const anchor = anchorOf('protocol', p.name);
  const machines = [{ anchor: anchorOf('machines', p.name), title: `${p.name}: the party machines`, svg: await svgFromDot(dotMachines(p.roles.map((r) => ({ role: r.role, machine: r.machine }))), `${p.name}: the party machines`) }];
  for (const v of p.variants) {
    const q = targetOf(p, v.id).protocol;
    const roles = q.roles.map((r) => ({ role: r.role, machine: r.machine, base: p.roles.find((b) => b.role === r.role)!.machine }));
    const title = `${p.name} ${v.id}: the machines, the edit highlighted`;
    machines.push({ anchor: anchorOf('machines', p.name, v.id), title, svg: await svgFromDot(dotMachines(roles, { variant: v.id }), title) });
  }
  let honest: ReportProtocol['honest'] = null;
  try {
    const run = honestRun(targetOf(p), { seed: 1 });
    const seq = honestSequence(p, run);
    honest = { anchor: anchorOf('honest', p.name), title: seq.title, svg: svgSequence(seq) };
  } catch {
    honest = null; // a protocol the runtime cannot run honestly (none of the built-in ones)
  }
  return {
    anchor,
    name: p.name,
    title: p.title,
    source: p.source,
    roles: p.roles.map((r) => ({ role: r.role, party: roleOf(r.machine).party })),
    properties: p.properties.map((x) => ({ id: x.id, kind: x.kind, statement: x.statement })),
    variants: p.variants.map((v) => ({ id: v.id, title: v.title, breaks: v.breaks, diagram: anchorOf('machines', p.name, v.id) })),
    machines,
    honest,
  };
}

/** The protocols' parts of the report (machines, honest runs): they need no verdict, so
 * `tcv start` draws them while the explorer's workers search. Yields to the event loop between
 * diagrams (the worker pool keeps being served). */
export async function protocolParts(catalog: readonly Protocol[], names?: readonly string[]): Promise<ReportProtocol[]> {
  const out: ReportProtocol[] = [];
  for (const p of catalog) {
    if (names && !names.includes(p.name)) continue;
    out.push(await protocolPart(p));
    await new Promise((r) => setImmediate(r));
  }
  return out;
}

/** The report's data from the explorer's reports (in catalog order) and the protocols' parts
 * (drawn here unless given). */
export async function buildReport(reports: readonly VerifyReport[], catalog: readonly Protocol[], made: string, parts?: readonly ReportProtocol[]): Promise<ReportData> {
  const attacks: ReportAttack[] = [];
  const targets: ReportTarget[] = reports.map((r) => {
    const groups = groupSequences(r.properties.flatMap((x) => (x.trace ? [x.trace.sequence] : [])));
    const anchorFor = new Map<string, string>();
    groups.forEach((s, k) => {
      const anchor = anchorOf('attack', r.protocol, r.variant, String(k + 1));
      const props = s.violations.map((v) => v.property);
      for (const id of props) anchorFor.set(id, anchor);
      const withReplay = r.properties.find((x) => props.includes(x.id) && x.replay);
      attacks.push({
        anchor,
        protocol: r.protocol,
        variant: r.variant,
        properties: props,
        sequence: s,
        svg: svgSequence(s),
        ...(withReplay?.replay ? { replay: { reproduced: withReplay.replay.variant.reproduced, detail: withReplay.replay.variant.detail, correct: withReplay.replay.correct } } : {}),
      });
    });
    return {
      protocol: r.protocol,
      variant: r.variant,
      bound: r.bound,
      states: r.stats.states,
      ms: r.stats.ms,
      ...(r.stats.cut ? { cut: r.stats.cut } : {}),
      verdicts: r.properties.map((x) => ({ id: x.id, kind: x.kind, expected: x.expected, verdict: x.verdict, bound: x.bound, ...(anchorFor.has(x.id) ? { attack: anchorFor.get(x.id)! } : {}) })),
    };
  });
  const names = [...new Set(reports.map((r) => r.protocol))];
  const drawn = parts ?? (await protocolParts(catalog, names));
  const protocols = names.flatMap((n) => drawn.filter((x) => x.name === n));
  return { title: 'tcv report: TEE–TPM trusted channels, verified and drawn', made, targets, attacks, protocols };
}

/** Write the report as `DIR/index.html` (atomically); returns the path. A directory that cannot
 * be written is a usage error naming it. */
export async function writeReport(dir: string, reports: readonly VerifyReport[], catalog: readonly Protocol[], made: string, parts?: readonly ReportProtocol[]): Promise<string> {
  const html = htmlReport(await buildReport(reports, catalog, made, parts));
  const path = join(dir, 'index.html');
  writeOrSay(path, html, 'HTML report');
  return path;
}
