/**
 * `tcv verify FILE --watch`: verify the protocols of a file or directory, then again on every
 * save of the file or of a user module it imports, in this one warm process (the explorer's code
 * stays compiled; only the edited modules are evaluated again, see package-alias-hooks.mjs). The
 * first round prints the table; every later round one line (the verdicts and their time) and
 * then only what changed, with the trace of each new attack. A save that does not load (a syntax
 * error, an ill-formed model) prints one line and the watch goes on; SIGINT ends it (exit 130).
 * @module
 */
import { performance } from 'node:perf_hooks';
import { relative } from 'node:path';
import type { CliIO } from '../command.ts';
import type { Protocol } from '../../models/protocol.ts';
import type { VerifyReport } from '../../properties/explorer/verify.ts';
import { watchLoop } from '../watch.ts';
import { mismatches, printTable, tableRows } from './verify.ts';

export interface VerifyWatchOptions {
  readonly path: string;
  readonly pick?: string;
  readonly sessions?: number;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly debounceMs?: number;
}

/** What is wrong with these flags beside --watch (null: nothing). */
export function watchFlagProblem(values: Record<string, unknown>, positionals: readonly string[]): string | null {
  if (positionals.length !== 1) return '--watch wants one protocol file or directory';
  const alone = ['all', 'json', 'junit', 'variant', 'property', 'svg', 'mermaid', 'sarif', 'sarif-all', 'shard', 'jobs'].filter((f) => values[f] !== undefined);
  return alone.length ? `--watch verifies every protocol and variant of the file and prints to the terminal; it does not go with --${alone[0]}` : null;
}

/** SIGINT: 128 + 2, what a shell reports for a process ended by Ctrl-C. */
export const EXIT_SIGINT = 130;

const key = (r: VerifyReport, id: string) => `${r.protocol}${r.variant ? ' ' + r.variant : ''} ${id}`;

/** Every target of the protocols (base and variants) verified in this thread; variants whose
 * edit matches nothing are named and skipped, as `tcv verify FILE` does. */
async function verifyTargets(protocols: readonly Protocol[], opts: VerifyWatchOptions): Promise<{ reports: VerifyReport[]; skipped: string[] }> {
  const { verifyTarget } = await import('../../properties/explorer/verify.ts');
  const { targetOf } = await import('../../models/target.ts');
  const reports: VerifyReport[] = [];
  const skipped: string[] = [];
  const bound = opts.sessions ? { sessions: opts.sessions } : undefined;
  const run = { timeoutMs: opts.timeoutMs };
  for (const p of protocols) {
    reports.push(verifyTarget(targetOf(p, undefined, bound), run));
    for (const x of p.variants) {
      let target;
      try {
        target = targetOf(p, x.id, bound);
      } catch (e) {
        skipped.push(`${p.name} ${x.id}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      reports.push(verifyTarget(target, run));
    }
  }
  return { reports, skipped };
}

/** Runs the watch until SIGINT (or `opts.signal`); returns the exit code, 130. */
export async function verifyWatch(io: CliIO, opts: VerifyWatchOptions): Promise<number> {
  const { loadProtocolFiles, userModulesLoaded } = await import('../protocol-files.ts');
  const { textTrace } = await import('../../impl/report/text-trace.ts');
  const { statSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  let generation = 0;
  let last: Map<string, string> | null = null;
  const show = (f: string) => relative(process.cwd(), f) || f;
  const dirs = statSync(opts.path).isDirectory() ? [resolve(opts.path)] : [];
  await watchLoop({
    dirs,
    files: () => userModulesLoaded(),
    ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    async round(changed) {
      const t0 = performance.now();
      const what = changed.length ? changed.map(show).join(', ') : opts.path;
      let protocols: Protocol[];
      try {
        protocols = (await loadProtocolFiles(opts.path, opts.pick, ++generation)).map((x) => x.protocol);
      } catch (e) {
        // one line (an ill-formed model: its problems on one line too), then the next save
        const msg = (e as Error).message.replace(/\n\s*-\s*/g, '; ').replace(/:;/g, ':');
        io.out(`[watch] ${msg} — waiting for the next save`);
        return;
      }
      const t1 = performance.now();
      const { reports, skipped } = await verifyTargets(protocols, opts);
      const ms = (x: number) => Math.round(x);
      const now = new Map(reports.flatMap((r) => r.properties.map((x) => [key(r, x.id), x.verdict] as const)));
      const bad = mismatches(reports);
      const head = `[watch] ${what}: ${now.size} verdicts, ${bad.length ? `${bad.length} differ from the expectation` : 'all as expected'} (${ms(performance.now() - t0)} ms: load ${ms(t1 - t0)}, search ${ms(performance.now() - t1)})`;
      for (const s of skipped) io.out(`[watch] ${s} — not verified`);
      if (!last) {
        printTable(io, reports.flatMap(tableRows));
        io.out(head);
      } else {
        io.out(head);
        for (const [k, v] of now) if (last.get(k) !== v) io.out(`  ${k}: ${last.get(k) ?? 'new'} → ${v}`);
        for (const k of last.keys()) if (!now.has(k)) io.out(`  ${k}: gone`);
      }
      for (const b of bad) io.out(`  differs: ${b}`);
      // the trace of every attack that is new in this round (the first round: every unexpected one)
      for (const r of reports)
        for (const x of r.properties) {
          const fresh = last ? last.get(key(r, x.id)) !== 'attack' : x.verdict !== x.expected;
          if (x.verdict === 'attack' && x.trace && fresh) {
            io.out('');
            for (const l of textTrace(x.trace.sequence, { verbose: false })) io.out(l);
          }
        }
      last = now;
    },
  });
  io.out('[watch] stopped');
  return EXIT_SIGINT;
}
