/**
 * `tcv report [targets…] [--out DIR] [--sessions N] [--timeout S] [--jobs N]`: verify the
 * targets (every attack on a variant replayed with real crypto), then write one self-contained
 * HTML report (`DIR/index.html`): the verdict table, each attack's summary, sequence diagram
 * and replay, each protocol's statements, state diagrams and an honest run.
 * @module
 */
import { availableParallelism } from 'node:os';
import { type Command, MAX_TIMEOUT_S, UsageError, intFlag, parseFlags } from '../command.ts';

/** Where `tcv report` and `tcv start` write the report unless told otherwise. */
export const DEFAULT_REPORT_DIR = 'out/report';

const HELP = `usage: tcv report [targets…] [--out DIR] [--sessions N] [--timeout S] [--jobs N]

Verifies the targets with the bounded Dolev–Yao explorer (as tcv verify --all does), replays
every attack on a variant with real crypto (on the variant and on the correct protocol), and
writes one self-contained HTML file, DIR/index.html (no scripts, nothing fetched: it opens
offline, from file://): the verdict table (protocol × property, expected and verdict, bound,
states, time), each attack with its summary, sequence diagram and replay result, each protocol
with its properties in plain words, its state diagrams (each variant's edit highlighted) and an
honest run with real crypto, linked both ways.

  targets         protocol names (every variant of each), or protocol:VARIANT for one
                  variant (protocol:base for the protocol alone); default: every protocol and
                  variant of the design and of the classic corpus
  --out DIR       where to write index.html (default ${DEFAULT_REPORT_DIR})
  --sessions N    honest sessions per role, 1 to 8 (default: as tcv verify)
  --timeout S     time budget per protocol/variant in seconds (default 120)
  --jobs N        targets verified at once, one worker thread each (default: the cores)

exit 0: every verdict as expected (the report is written either way); 1: some verdict differs;
2: usage error (unknown protocol or variant, a directory that cannot be written);
4: the only differences are inconclusive verdicts (a budget cut the search)`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'verify and write one self-contained HTML report with every diagram',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      out: { type: 'string' },
      sessions: { type: 'string' },
      timeout: { type: 'string' },
      jobs: { type: 'string' },
    });
    if (values.out === '') throw new UsageError('--out wants a directory');
    const { MAX_SESSIONS, allTargets, targetOf } = await import('../../models/target.ts');
    const sessions = intFlag('sessions', values.sessions, 0, { min: 1, max: MAX_SESSIONS });
    const timeout = intFlag('timeout', values.timeout, 120, { min: 1, max: MAX_TIMEOUT_S });
    const jobs = intFlag('jobs', values.jobs, 0, { min: 1, max: 256 });
    const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
    const { protocolByName } = await import('../../models/protocols/index.ts');
    const { verifyMany } = await import('../../properties/explorer/verify-pool.ts');
    const chosen = positionals.length
      ? positionals.flatMap((t) => {
          const [name, variant] = t.split(':');
          const p = protocolByName(name!, ALL_PROTOCOLS);
          if (variant === undefined) return allTargets([p]);
          return [{ protocol: p, variant: variant === 'base' ? undefined : variant }];
        })
      : allTargets(ALL_PROTOCOLS);
    const bound = sessions ? { sessions } : undefined;
    const targets = chosen.map((t) => targetOf(t.protocol, t.variant, bound));
    const opts = { timeoutMs: timeout * 1000, replay: true };
    const t0 = performance.now();
    const reports = await verifyMany(targets.map((target) => ({ target, opts })), jobs || availableParallelism());
    const t1 = performance.now();
    const { writeReport } = await import('../report-build.ts');
    const path = await writeReport(values.out ?? DEFAULT_REPORT_DIR, reports, ALL_PROTOCOLS, `made by tcv report on ${new Date().toISOString().slice(0, 19)}Z`);
    const differ = reports.reduce((n, r) => n + r.properties.filter((x) => x.verdict !== x.expected).length, 0);
    io.out(`verified ${reports.length} target(s) in ${((t1 - t0) / 1000).toFixed(1)} s; report written in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
    io.out(`report: ${path}${differ ? ` (${differ} verdict(s) differ from the expectation)` : ''}`);
    const { verdictExit } = await import('./verify.ts');
    return verdictExit(reports);
  },
};
