/**
 * `tcv prove FILE... | --all DIR`: runs a locally installed Tamarin (`.spthy`) or ProVerif
 * (`.pv`) on exported files and compares every verdict with what the models expect (the
 * `expected` comments `tcv export` writes from `expected` / `breaks`, the explorer's
 * expectations), in one table.
 *
 * Tamarin is run once per lemma (`--prove=NAME`), so that each lemma gets its own line as it
 * is decided and its own time budget; its exit code is 0 even when a lemma is falsified, so
 * the verdict is read from the summary. ProVerif is run once per file; its `RESULT` lines come
 * one per query, in order, and each is printed as it comes. `--timeout` bounds a file,
 * `--lemma-timeout` a lemma (ProVerif: the wait for the next RESULT). The prover runs in its
 * own process group, stopped on a timeout and when tcv is stopped (prover-process.ts).
 * @module
 */
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

import { delimiter, join } from 'node:path';
import { type CliIO, type Command, intFlag, parseFlags, UsageError } from '../command.ts';
import { type Goal, type GoalResult, type Verdict, asExpected, asExpectedByProperty, parseProverifResults, propertyOf, parseTamarinSummary, proverifGoals, proverifVerdict, tamarinGoals } from '../../proofs-export/prover-output.ts';
import { runProver } from './prover-process.ts';
import { isSecrecyQuery, oneQuery } from '../../proofs-export/proverif/one-query.ts';
import { EXIT } from '../exit-codes.ts';

export { parseTamarinSummary } from '../../proofs-export/prover-output.ts';

/** The largest theory or model `tcv prove` reads (exported ones are tens of kilobytes). */
const MAX_THEORY_BYTES = 64 << 20;

/** Expected verdicts stated in an exported theory, by lemma (executability: holds). */
export function expectedVerdicts(spthy: string): Map<string, 'holds' | 'attack'> {
  return new Map(tamarinGoals(spthy).map((g) => [g.name, g.expected === 'attack' ? 'attack' : 'holds']));
}

/** The first executable `name` on the PATH, or null. */
export function onPath(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

interface Row extends GoalResult {
  readonly file: string;
  readonly expected: Goal['expected'];
  readonly seconds: number;
  readonly ok: boolean;
}

interface Budget {
  readonly fileMs: number;
  readonly lemmaMs: number;
  readonly noExpect: boolean;
  /** --lemma: the lemmas / queries to run (all when empty) */
  readonly only: readonly string[];
}

/** Is the goal one --lemma names? `P2.2` and `P2_2` select Tamarin's `P2_2_injective_agreement`
 * and ProVerif's `P2.2 TEE->TPM` / `P2.2 TPM->TEE`; `executable` every executability goal. */
export function selected(goal: string, only: readonly string[]): boolean {
  const norm = (x: string) => x.replace(/\./g, '_');
  const n = norm(goal);
  return !only.length || only.some((o) => n === norm(o) || n.startsWith(`${norm(o)}_`) || n.startsWith(`${norm(o)} `));
}

const fmt = (s: number) => `${s.toFixed(1)} s`;

function row(file: string, g: Goal, r: { verdict: Verdict; detail: string }, seconds: number, b: Budget): Row {
  const expected = b.noExpect && g.expected === 'attack' ? 'holds' : g.expected;
  return { file, name: g.name, expected, verdict: r.verdict, detail: r.detail, seconds, ok: asExpected(expected, r.verdict) };
}

function line(r: Row, status = r.ok ? 'ok  ' : 'FAIL'): string {
  return `${status} ${r.name.padEnd(34)} ${r.verdict.padEnd(16)} expected ${r.expected.padEnd(9)} ${fmt(r.seconds).padStart(8)}  ${r.detail}`.trimEnd();
}

async function proveTamarin(exe: string, file: string, b: Budget, io: CliIO): Promise<{ rows: Row[]; interrupted: boolean }> {
  const all = tamarinGoals(readFileSync(file, 'utf8'));
  const goals = all.filter((g) => selected(g.name, b.only));
  const rows: Row[] = [];
  const start = Date.now();
  for (const g of goals) {
    const left = b.fileMs - (Date.now() - start);
    if (left <= 0) {
      rows.push(row(file, g, { verdict: 'timeout', detail: 'the file budget (--timeout) was spent before this lemma' }, 0, b));
      io.out(line(rows.at(-1)!));
      continue;
    }
    // not --quit-on-warning: on a busy machine Tamarin 1.9's message-derivation checks time out
    // (5 s) and that warning would stop every run; a failed wellformedness check is read instead
    // the [sources] lemmas before it are proved in the same run: Tamarin 1.9 uses a sources
    // lemma only when it is selected (andrew-rpc's AR1 alone: no result in 45 s; with
    // received_plaintexts selected too: falsified in 19 s, as 1.7.1 does with AR1 alone). A
    // [reuse] lemma is not re-proved in every run (provisioning's skey_secret took 131 s of each
    // 150 s budget): it has its own row, and P3.2 without it selected had the same 79-step proof
    // in 64 s (1.7.1) as with it in 179 s (1.9)
    const helpers = all.slice(0, all.indexOf(g)).filter((h) => h.sources).map((h) => `--prove=${h.name}`);
    // --derivcheck-timeout=0: the optional derivation check (5 s per run, "timed out" on a busy
    // machine) is skipped; `tcv export`'s checker and one `tamarin-prover FILE` cover loading
    const run = await runProver(exe, ['--derivcheck-timeout=0', ...helpers, `--prove=${g.name}`, file], { timeoutMs: Math.min(left, b.lemmaMs) });
    if (run.stopped === 'signal') return { rows, interrupted: true };
    const got = parseTamarinSummary(run.output).find((x) => x.lemma === g.name);
    let r: { verdict: Verdict; detail: string };
    if (run.stopped) r = { verdict: 'timeout', detail: `stopped after ${fmt(run.seconds)}` };
    else if (wellformednessFailures(run.output).length) r = { verdict: 'error', detail: `Tamarin: wellformedness check failed: ${wellformednessFailures(run.output).join('; ').slice(0, 200)}` };
    else if (got) r = { verdict: got.verdict, detail: `${got.detail}${/Derivation checks timed out/.test(run.output) ? ' (derivation checks timed out)' : ''}` };
    else r = { verdict: 'error', detail: lastLines(run.output, run.code) };
    rows.push(row(file, g, r, run.seconds, b));
    io.out(line(rows.at(-1)!));
  }
  return { rows, interrupted: false };
}

/** ProVerif once per query (proofs-export/proverif/one-query.ts), each on a model holding that
 * query alone, with the lemma budget; a secrecy query is first tried with argument-free names
 * for at most a minute, then on the model as exported. */
async function proveProverif(exe: string, file: string, b: Budget, io: CliIO): Promise<{ rows: Row[]; interrupted: boolean }> {
  const text = readFileSync(file, 'utf8');
  const goals = proverifGoals(text);
  const rows: Row[] = [];
  const start = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'tcv-prove-'));
  try {
    for (const [i, g] of goals.entries()) {
      if (!selected(g.name, b.only)) continue;
      const tries = isSecrecyQuery(text, i) ? [{ plainNames: true, capMs: 60_000 }, { plainNames: false, capMs: Infinity }] : [{ plainNames: false, capMs: Infinity }];
      let r: { verdict: Verdict; detail: string } = { verdict: 'timeout', detail: 'the file budget (--timeout) was spent before this query' };
      let seconds = 0;
      for (const t of tries) {
        const left = b.fileMs - (Date.now() - start);
        if (left <= 0) break;
        const one = join(dir, `q${i + 1}${t.plainNames ? '-plain' : ''}.pv`);
        writeFileSync(one, oneQuery(text, i, { plainNames: t.plainNames }));
        const run = await runProver(exe, [one], { timeoutMs: Math.min(left, b.lemmaMs, t.capMs) });
        if (run.stopped === 'signal') return { rows, interrupted: true };
        seconds += run.seconds;
        const answer = parseProverifResults(run.output)[0];
        const syntax = /^(?:File .*\n)?Error: .*$/m.exec(run.output);
        if (answer) r = { verdict: proverifVerdict(g, answer), detail: t.plainNames ? 'names without arguments' : '' };
        else if (run.stopped) r = { verdict: 'timeout', detail: `no RESULT after ${fmt(run.seconds)}` };
        else r = { verdict: 'error', detail: syntax ? syntax[0].replace(/\n/g, ' ') : lastLines(run.output, run.code) };
        if (r.verdict === 'verified' || r.verdict === 'falsified' || r.verdict === 'error') break;
      }
      rows.push(row(file, g, r, seconds, b));
      judgeByProperty(rows);
      const id = propertyOf(g.name);
      const more = goals.slice(i + 1).some((x) => selected(x.name, b.only) && propertyOf(x.name) === id);
      const last = rows.at(-1)!;
      // a direction that holds where the property's attack is expected: the other direction decides
      if (!last.ok && more && last.expected === 'attack' && last.verdict === 'verified') io.out(line(last, 'part'));
      else io.out(line(last));
      const group = rows.filter((x) => propertyOf(x.name) === id);
      if (!more && group.length > 1) io.out(groupLine(id, group));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, interrupted: false };
}

/** ProVerif: re-judge the rows per property (prover-output.ts `asExpectedByProperty`): an
 * expected attack on a mutual property is met by one falsified direction. */
function judgeByProperty(rows: Row[]): void {
  const ok = asExpectedByProperty(rows);
  rows.forEach((r, k) => {
    if (r.ok !== ok[k]) rows[k] = { ...r, ok: ok[k]!, detail: r.detail || `${propertyOf(r.name)} is falsified in another direction` };
  });
}

/** The verdict on a property of several queries (the directions of a mutual agreement). */
function groupLine(id: string, group: readonly Row[]): string {
  const falsified = group.filter((r) => r.verdict === 'falsified').map((r) => r.name.slice(id.length + 1));
  const verdict = falsified.length ? `falsified (${falsified.join(', ')})` : group.every((r) => r.verdict === 'verified') ? 'verified' : 'undecided';
  return `${group.every((r) => r.ok) ? 'ok  ' : 'FAIL'} ${`${id}: ${group.length} queries`.padEnd(34)} ${verdict.padEnd(16)} expected ${group[0]!.expected}`;
}

/** The failed wellformedness checks Tamarin lists (its `WARNING: the following wellformedness
 * checks failed!` block), less "Derivation checks timed out": that one says only that the
 * machine was too busy for the 5 s budget of an optional check, not that the theory is wrong. */
export function wellformednessFailures(output: string): string[] {
  const at = output.indexOf('the following wellformedness checks failed!');
  if (at < 0) return [];
  const block = output.slice(at, output.indexOf('*/', at) < 0 ? undefined : output.indexOf('*/', at)).split('\n').slice(1);
  return block
    .map((l) => l.trim())
    .filter((l) => l && !/^=+$/.test(l) && l !== 'Derivation Checks' && !/^Derivation checks timed out\.|^Use --derivcheck-timeout|^Set to 0 to deactivate/.test(l));
}

function lastLines(output: string, code: number | null): string {
  const tail = output.trim().split('\n').slice(-3).join(' | ');
  return `no verdict (exit ${code ?? 'by signal'}): ${tail || 'no output'}`.slice(0, 300);
}

/** The files to prove: those named, or every .spthy / .pv in the directory of --all. */
function filesOf(positionals: string[], all: string | undefined): string[] {
  if (all !== undefined) {
    if (positionals.length) throw new UsageError(`--all takes a directory and no file ('${positionals[0]}')`);
    if (!existsSync(all) || !statSync(all).isDirectory()) throw new UsageError(`--all wants a directory, '${all}' is not one`);
    const files = readdirSync(all).filter((f) => /\.(spthy|pv)$/.test(f)).sort().map((f) => join(all, f));
    if (!files.length) throw new UsageError(`no .spthy or .pv file in '${all}'`);
    return files;
  }
  if (!positionals.length) throw new UsageError('name a .spthy or .pv file, or --all DIR');
  for (const f of positionals) {
    if (!existsSync(f)) throw new UsageError(`no such file '${f}'`);
    // a directory or a device is no theory, and a huge file would be read whole
    const st = statSync(f);
    if (!st.isFile()) throw new UsageError(`'${f}' is not a regular file${st.isDirectory() ? ' (a directory)' : ''}`);
    if (st.size > MAX_THEORY_BYTES) throw new UsageError(`'${f}' has ${st.size} bytes; a theory over ${MAX_THEORY_BYTES >> 20} MB is refused`);
    if (!/\.(spthy|pv)$/.test(f)) throw new UsageError(`'${f}' is neither a .spthy nor a .pv file`);
  }
  return positionals;
}

export const proveCommand: Command = {
  name: 'prove',
  summary: 'run a local Tamarin or ProVerif on exported files and compare with the expectations',
  help: `usage: tcv prove FILE... [--timeout S] [--lemma-timeout S] [--lemma ID,...] [--no-expect]
       tcv prove --all DIR    every .spthy and .pv file of an export directory

Runs tamarin-prover on a .spthy file (one run per lemma: --prove=NAME; a failed
wellformedness check fails the lemma)
and proverif on a .pv file, prints a line per lemma or query as it is decided, then one
table comparing every verdict with what the models expect (the 'expected' comments that
'tcv export' writes). Neither prover is installable from this project's package registries;
they must be on the PATH.

  --timeout S        seconds for one file (default 600)
  --lemma-timeout S  seconds for one lemma; ProVerif: for the next RESULT (default 300)
  --lemma ID,...     only these lemmas / queries (P2.2 or P2_2: Tamarin's P2_2_… lemma and
                     ProVerif's P2.2 queries of both directions; executable)
  --no-expect        ignore the stated expectations: any falsified lemma fails

The prover runs in its own process group and is stopped with everything it started on a
timeout and when tcv is stopped (Ctrl-C, SIGTERM).

exit 0 when every verdict is as expected; 1 when one differs (falsified where it should hold,
verified where an attack is expected, incomplete, cannot be proved, timed out, no verdict);
2 usage error or a prover not on the PATH; 130/143 when stopped by a signal`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { 'no-expect': { type: 'boolean' }, timeout: { type: 'string' }, 'lemma-timeout': { type: 'string' }, lemma: { type: 'string' }, all: { type: 'string' } });
    const b: Budget = { fileMs: intFlag('timeout', values.timeout, 600) * 1000, lemmaMs: intFlag('lemma-timeout', values['lemma-timeout'], 300) * 1000, noExpect: values['no-expect'] === true, only: (values.lemma ?? '').split(',').map((x) => x.trim()).filter(Boolean) };
    if (b.fileMs <= 0 || b.lemmaMs <= 0) throw new UsageError('--timeout and --lemma-timeout want at least 1 second');
    const files = filesOf(positionals, values.all);
    if (values.lemma !== undefined && !b.only.length) throw new UsageError('--lemma wants a lemma name');
    if (b.only.length) {
      const names = files.flatMap((f) => (f.endsWith('.pv') ? proverifGoals(readFileSync(f, 'utf8')) : tamarinGoals(readFileSync(f, 'utf8'))).map((g) => g.name));
      for (const o of b.only) if (!names.some((n) => selected(n, [o]))) throw new UsageError(`--lemma ${o}: no such lemma or query in ${files.join(', ')}`);
    }
    const need = new Set(files.map((f) => (f.endsWith('.pv') ? 'proverif' : 'tamarin-prover')));
    const exes = new Map<string, string>();
    for (const n of need) {
      const exe = onPath(n);
      if (!exe) throw new UsageError(`${n} is not on the PATH; build it from its public sources (docs/export.md) or run it where it is installed`);
      exes.set(n, exe);
    }
    const rows: Row[] = [];
    for (const file of files) {
      io.out(`${file}:`);
      const pv = file.endsWith('.pv');
      const r = pv ? await proveProverif(exes.get('proverif')!, file, b, io) : await proveTamarin(exes.get('tamarin-prover')!, file, b, io);
      rows.push(...r.rows);
      if (r.interrupted) {
        io.err('tcv prove: stopped; the prover and what it started were stopped too');
        return process.exitCode === 143 ? 143 : 130;
      }
    }
    if (files.length > 1) {
      io.out('');
      io.out(`${'file'.padEnd(28)} ${'lemma / query'.padEnd(34)} ${'expected'.padEnd(9)} ${'verdict'.padEnd(16)} ${'time'.padStart(8)}`);
      for (const r of rows) io.out(`${r.file.replace(/^.*\//, '').padEnd(28)} ${r.name.padEnd(34)} ${r.expected.padEnd(9)} ${r.verdict.padEnd(16)} ${fmt(r.seconds).padStart(8)}${r.ok ? '' : '  DIFFERS'}`);
    }
    const bad = rows.filter((r) => !r.ok);
    io.out(bad.length ? `${bad.length} of ${rows.length} lemmas and queries differ from what is expected` : `all ${rows.length} lemmas and queries as expected`);
    // a budget that stopped the prover decides nothing: inconclusive (exit 4), unless a verdict
    // that came back differs (exit 1)
    if (bad.length && bad.every((r) => r.verdict === 'timeout')) {
      const prover = bad[0]!.file.endsWith('.pv') ? 'proverif' : 'tamarin-prover';
      io.err(`tcv prove: ${prover} stopped after ${Math.round(bad[0]!.seconds)} s (--timeout): inconclusive`);
      return EXIT.inconclusive;
    }
    return bad.length ? EXIT.differs : EXIT.ok;
  },
};
