/**
 * `tcv start` (what `npm start` runs): the main job — every built-in protocol run once with real
 * cryptography on each crypto suite (one row per protocol and suite), then `tcv verify --all`: every property of every protocol and
 * variant decided by the explorer and compared with the model's expectation.
 * @module
 */
import { type Command, parseFlags, UsageError } from '../command.ts';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { assertWellFormed } from '../../models/validate.ts';
import { targetOf } from '../../models/target.ts';
import { honestRun } from '../../impl/runtime/report.ts';
import { ALGORITHM_SUITE_IDS, SUITES, suiteId } from '../../impl/crypto/index.ts';
import { suiteFlag } from '../suite-flag.ts';
import type { VerifyReport } from '../../properties/explorer/verify.ts';
import type { ReportProtocol } from '../../impl/report/report-data.ts';

export const startCommand: Command = {
  name: 'start',
  summary: 'the main job: real-crypto runs, then every verdict (tcv verify --all)',
  help: `usage: tcv start [--suite ID] [--json] [--report DIR] [--no-report]

The main job (npm start). First runs every built-in protocol once, honestly, with real
cryptography on each crypto suite (tpm2: P-256/SHA-256/AES; tcm: SM2/SM3/SM4): one row per
protocol and suite (parties finished, messages and bytes on the wire, claim checks, wall
time). Then runs 'tcv verify --all': the bounded Dolev–Yao explorer decides every
property of every protocol and variant (design and classic corpus) and compares each verdict
with the expectation declared in the model.

  --suite ID     only this suite's runs (tpm2, tcm or native); default tpm2 and tcm
                 (native computes tpm2's bytes with OpenSSL, docs/native-suite.md)
  --json         {"runs": [...], "verify": [...]} instead of tables
  --report DIR   where the HTML report goes (default out/report; see tcv report)
  --no-report    do not write the HTML report

It ends by writing the HTML report (tcv report: verdicts, attack traces with their replays
with real crypto, state diagrams, honest runs) and printing its path.

exit 0 when every run completes and every verdict is as expected, 1 otherwise (4 when the only
differences are inconclusive verdicts)`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, suite: { type: 'string' }, report: { type: 'string' }, 'no-report': { type: 'boolean' } });
    if (values.report === '') throw new UsageError('--report wants a directory');
    if (values.report !== undefined && values['no-report']) throw new UsageError('--report and --no-report do not go together');
    let reports: readonly VerifyReport[] = [];
    const keep = (r: readonly VerifyReport[]) => (reports = r);
    const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
    // the report's machines and honest runs need no verdict: drawn while the workers search
    let parts: Promise<readonly ReportProtocol[]> | null = null;
    const drawParts = () => {
      if (values['no-report']) return;
      parts = import('../report-build.ts').then((m) => m.protocolParts(ALL_PROTOCOLS));
    };
    // the HTML report, from the verdicts just computed (its path printed last; not with --json)
    const writeHtml = async (): Promise<string | null> => {
      if (values['no-report']) return null;
      const { DEFAULT_REPORT_DIR } = await import('./report.ts');
      const { writeReport } = await import('../report-build.ts');
      return writeReport(values.report ?? DEFAULT_REPORT_DIR, reports, ALL_PROTOCOLS, `made by tcv start on ${new Date().toISOString().slice(0, 19)}Z`, (await parts) ?? undefined);
    };
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const suites = values.suite === undefined ? ALGORITHM_SUITE_IDS.map((id) => SUITES[id]) : [suiteFlag(values.suite)];
    PROTOCOLS.forEach((p) => assertWellFormed(p));
    const rows = PROTOCOLS.flatMap((p) => suites.map((suite) => ({ p, suite }))).map(({ p, suite }) => {
      const r = honestRun(targetOf(p), { suite });
      return {
        protocol: p.name,
        suite: suiteId(suite),
        parties: `${r.parties.filter((x) => x.state === 'done').length}/${r.parties.length}`,
        messages: r.messages.length,
        bytes: r.messages.reduce((n, m) => n + m.size, 0),
        claims: `${r.checks.filter((c) => c.ok).length}/${r.checks.length}`,
        ms: Number(r.ms.toFixed(1)),
        ok: r.ok,
      };
    });
    const { verifyAll } = await import('./verify.ts');
    if (values.json) {
      const captured: string[] = [];
      const verifying = verifyAll({ ...io, out: (l) => captured.push(l), isTTY: false }, { json: true, replay: !values['no-report'], keep });
      drawParts();
      const code = await verifying;
      await writeHtml();
      io.out(JSON.stringify({ runs: rows, verify: JSON.parse(captured.join('\n')) }, null, 2));
      return rows.every((r) => r.ok) ? code : 1;
    } else {
      io.out('Honest runs with real cryptography');
      io.out('');
      const head = ['protocol', 'suite', 'parties done', 'messages', 'bytes', 'claims ok', 'ms', 'result'];
      const body = rows.map((r) => [r.protocol, r.suite, r.parties, String(r.messages), String(r.bytes), r.claims, r.ms.toFixed(1), r.ok ? 'complete' : 'FAILED']);
      const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => (i <= 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
      io.out(line(head));
      io.out(w.map((n) => '-'.repeat(n)).join('  '));
      for (const b of body) io.out(line(b));
    }
    io.out('');
    io.out('Verification: bounded Dolev–Yao explorer (tcv verify --all)');
    io.out('');
    const verifying = verifyAll(io, { replay: !values['no-report'], keep });
    drawParts();
    const code = await verifying;
    const path = await writeHtml();
    if (path) {
      io.out('');
      io.out(`report: ${path}`);
    }
    return rows.every((r) => r.ok) ? code : 1;
  },
};
