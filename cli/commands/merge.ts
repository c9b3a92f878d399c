/**
 * `tcv merge REPORT.json…`: the `--json` reports of `tcv verify --all --shard i/n` (or of any
 * verify runs) combined into one table, one JSON, one JUnit file and one exit code — the way a CI
 * matrix gathers its shards. A target found in two reports is refused (shards are disjoint).
 * @module
 */
import { readFileSync } from 'node:fs';
import { type Command, parseFlags, UsageError } from '../command.ts';
import type { VerifyReport } from '../../properties/explorer/verify.ts';
import { mismatches, printTable, tableRows, verdictExit, writeJunit } from './verify.ts';
import { jsonOutput, SCHEMA_VERSION } from '../version.ts';
import { combineSplit, isSplit, type SplitReport } from '../split-merge.ts';

function isReport(x: unknown): x is VerifyReport {
  const r = x as Partial<VerifyReport> | null;
  return typeof r === 'object' && r !== null && typeof r.protocol === 'string' && Array.isArray(r.properties) && typeof r.stats === 'object';
}

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'combine the JSON reports of verify shards into one verdict',
  help: `usage: tcv merge REPORT.json… [--json] [--junit FILE]

Reads the JSON of 'tcv verify … --json' runs (e.g. the shards of 'tcv verify --all --shard i/n'
on several CI machines), checks that no target appears twice and that no shard is missing
(exit 2 naming it), and prints one table (or, with
--json, one JSON array; with --junit FILE, one JUnit file). The exit code is that of one
'tcv verify' over all of them.

The shards of one split search ('tcv verify <target> --shard i/n --json', each exploring its
share of the first-level branches) are combined into one report: a property is attacked when
any shard found an attack, holds only when every shard holds it (all n shards must be given),
and is inconclusive otherwise; states add up, the time is the slowest shard's.

GitHub Actions, three shards:
  strategy: { matrix: { shard: [1, 2, 3] } }
  - run: npx tcv verify --all --shard \${{ matrix.shard }}/3 --json > verdicts-\${{ matrix.shard }}.json
  - uses: actions/upload-artifact@v4   # then, in a job that needs all three:
  - run: npx tcv merge verdicts-*.json --junit tcv.xml`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, junit: { type: 'string' } });
    if (!positionals.length) throw new UsageError('name the JSON reports to merge');
    const reports: VerifyReport[] = [];
    const seen = new Map<string, string>();
    const splits = new Map<string, SplitReport[]>();
    const allShards: { index: number; count: number }[] = [];
    for (const file of positionals) {
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not a JSON report (${(e as Error).message.split('\n')[0]})`}`);
      }
      const list = Array.isArray(data) ? data : [data];
      if (!list.every(isReport)) throw new UsageError(`${file}: not the JSON of 'tcv verify --json'`);
      for (const stamped of list) {
        // the versions are the writer's; the merged output carries this tcv's
        const { schemaVersion, tcvVersion: _written, allShard, ...r } = stamped as VerifyReport & { schemaVersion?: unknown; tcvVersion?: unknown; allShard?: { index?: unknown; count?: unknown } };
        if (allShard && Number.isInteger(allShard.index) && Number.isInteger(allShard.count)) allShards.push({ index: allShard.index as number, count: allShard.count as number });
        if (typeof schemaVersion === 'number' && schemaVersion > SCHEMA_VERSION) throw new UsageError(`${file}: written by a newer tcv (${String(_written)}, schemaVersion ${schemaVersion}; this tcv reads up to ${SCHEMA_VERSION})`);
        const key = `${r.protocol}${r.variant ? ' ' + r.variant : ''}`;
        // the shards of one split search (verify <target> --shard i/n) share a target
        if (isSplit(r)) {
          if (seen.has(key) && !splits.has(key)) throw new UsageError(`${key} is in ${seen.get(key)} whole and in ${file} as a shard of a split search`);
          splits.set(key, [...(splits.get(key) ?? []), r]);
          if (!seen.has(key)) (seen.set(key, file), reports.push(r));
          continue;
        }
        const twice = seen.get(key);
        if (twice) throw new UsageError(`${key} is in both ${twice} and ${file}: ${splits.has(key) ? 'whole and as a shard of a split search' : 'shards do not overlap'}`);
        seen.set(key, file);
        reports.push(r);
      }
    }
    // the shards of `verify --all --shard i/n`: every one of the n must be given (a CI job that
    // lost a shard must not pass on the others)
    if (allShards.length) {
      const counts = new Set(allShards.map((s) => s.count));
      if (counts.size > 1) throw new UsageError(`the reports come from different splits (--shard i/n with n = ${[...counts].sort().join(', ')})`);
      const n = allShards[0]!.count;
      const have = new Set(allShards.map((s) => s.index));
      const missing = Array.from({ length: n }, (_, k) => k + 1).filter((k) => !have.has(k));
      if (missing.length) throw new UsageError(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${n} missing: merge the reports of every 'tcv verify --all --shard i/${n}'`);
    }
    // each split search combined: an attack in any shard, holds only when every shard holds
    for (const [key, shards] of splits) reports[reports.findIndex((r) => `${r.protocol}${r.variant ? ' ' + r.variant : ''}` === key)] = combineSplit(key, shards);
    await writeJunit(values.junit, reports);
    if (values.json) io.out(jsonOutput(reports));
    else {
      printTable(io, reports.flatMap(tableRows));
      const bad = mismatches(reports);
      io.out('');
      io.out(bad.length ? `${bad.length} verdict(s) differ from the expectation:` : `all ${reports.reduce((n, r) => n + r.properties.length, 0)} verdicts as expected (${reports.length} targets from ${positionals.length} report(s))`);
      for (const b of bad) io.out(`  ${b}`);
    }
    return verdictExit(reports);
  },
};
