/**
 * `tcv start` (what `npm start` runs): the main job — every built-in protocol run once with real
 * cryptography (one row each), then `tcv verify --all`: every property of every protocol and
 * variant decided by the explorer and compared with the model's expectation.
 * @module
 */
import { type Command, parseFlags, UsageError } from '../command.ts';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { assertWellFormed } from '../../models/validate.ts';
import { honestRun } from '../../impl/runtime/report.ts';

export const startCommand: Command = {
  name: 'start',
  summary: 'the main job: real-crypto runs, then every verdict (tcv verify --all)',
  help: `usage: tcv start [--json]

The main job (npm start). First runs every built-in protocol once, honestly, with real
cryptography: one row per protocol (parties finished, messages and bytes on the wire, claim
checks, wall time). Then runs 'tcv verify --all': the bounded Dolev–Yao explorer decides every
property of every protocol and variant (design and classic corpus) and compares each verdict
with the expectation declared in the model.

  --json   {"runs": [...], "verify": [...]} instead of tables

exit 0 when every run completes and every verdict is as expected, 1 otherwise (4 when the only
differences are inconclusive verdicts)`,
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
    const { verifyAll } = await import('./verify.ts');
    if (values.json) {
      const captured: string[] = [];
      const code = await verifyAll({ ...io, out: (l) => captured.push(l), isTTY: false }, { json: true });
      io.out(JSON.stringify({ runs: rows, verify: JSON.parse(captured.join('\n')) }, null, 2));
      return rows.every((r) => r.ok) ? code : 1;
    } else {
      io.out('Honest runs with real cryptography');
      io.out('');
      const head = ['protocol', 'parties done', 'messages', 'bytes', 'claims ok', 'ms', 'result'];
      const body = rows.map((r) => [r.protocol, r.parties, String(r.messages), String(r.bytes), r.claims, r.ms.toFixed(1), r.ok ? 'complete' : 'FAILED']);
      const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
      io.out(line(head));
      io.out(w.map((n) => '-'.repeat(n)).join('  '));
      for (const b of body) io.out(line(b));
    }
    io.out('');
    io.out('Verification: bounded Dolev–Yao explorer (tcv verify --all)');
    io.out('');
    const code = await verifyAll(io, {});
    return rows.every((r) => r.ok) ? code : 1;
  },
};
