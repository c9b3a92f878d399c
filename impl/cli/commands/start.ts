/**
 * `tcv start` (what `npm start` runs): the main job — every built-in protocol run once with real
 * cryptography, then the verifier's verdicts when the explorer is available, as one table.
 * @module
 */
import { type Command, parseFlags, UsageError } from '../command.ts';
import { PROTOCOLS } from '../../../models/protocols/index.ts';
import { assertWellFormed } from '../../../models/validate.ts';
import { honestRun } from '../../runtime/report.ts';

export const startCommand: Command = {
  name: 'start',
  summary: 'the main job: every protocol run once with real crypto, one summary table',
  help: `usage: tcv start [--json]

Runs every built-in protocol once, honestly, with real cryptography, and prints one row per
protocol: parties finished, messages and bytes on the wire, claim checks, wall time.

  --json   the rows as JSON

exit 0 when every protocol completes with consistent claims, 1 otherwise`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { json: { type: 'boolean' } });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const rows = PROTOCOLS.map((p) => {
      assertWellFormed(p);
      const r = honestRun(p, null);
      return {
        protocol: p.name,
        parties: `${r.parties.filter((x) => x.state === 'done').length}/${r.parties.length}`,
        messages: r.messages.length,
        bytes: r.messages.reduce((n, m) => n + m.size, 0),
        claims: `${r.checks.filter((c) => c.ok).length}/${r.checks.length}`,
        ms: Number(r.ms.toFixed(1)),
        ok: r.ok,
      };
    });
    if (values.json) io.out(JSON.stringify(rows, null, 2));
    else {
      const head = ['protocol', 'parties done', 'messages', 'bytes', 'claims ok', 'ms', 'result'];
      const body = rows.map((r) => [r.protocol, r.parties, String(r.messages), String(r.bytes), r.claims, r.ms.toFixed(1), r.ok ? 'complete' : 'FAILED']);
      const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
      io.out(line(head));
      io.out(w.map((n) => '-'.repeat(n)).join('  '));
      for (const b of body) io.out(line(b));
    }
    return rows.every((r) => r.ok) ? 0 : 1;
  },
};
