/**
 * `tcv verify <protocol> [--variant ID] [--property ID,…] [--sessions N] [--timeout S] [--json]` and
 * `tcv verify --all [--json]`: run the bounded Dolev–Yao explorer and compare each verdict
 * with the expectation the model declares. Exit 0 when all are as expected, 1 otherwise
 * (the differing rows are named), 2 on usage errors. The explorer is imported lazily.
 * @module
 */
import { availableParallelism } from 'node:os';
import { type CliIO, type Command, MAX_TIMEOUT_S, UsageError, intFlag, parseFlags } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import type { VerifyProgress, VerifyReport } from '../../properties/explorer/verify.ts';
import { expectationNote } from '../../properties/explorer/expectation-note.ts';
import type { Sequence } from '../../impl/report/sequence.ts';
import type { Protocol } from '../../models/protocol.ts';
import type { BoundRequest, Target } from '../../models/target.ts';
import { jsonOutput } from '../version.ts';

export interface VerifyAllOptions {
  readonly json?: boolean;
  readonly sessions?: number;
  /** Scyther's bound instead: role instances in all, any role, any agent */
  readonly runs?: number;
  /** per protocol/variant, seconds */
  readonly timeout?: number;
  /** worker threads (targets verified at once); default: the machine's cores */
  readonly jobs?: number;
  /** also write the reports as JUnit XML to this file */
  readonly junit?: string;
  /** replay every attack on a variant with real crypto (for the HTML report) */
  readonly replay?: boolean;
  /** receives the reports (tcv start writes the HTML report from them) */
  readonly keep?: (reports: readonly VerifyReport[]) => void;
  /** SARIF and GitHub outputs */
  readonly sarif?: string;
  readonly 'sarif-all'?: boolean;
  /** only this shard of the targets (--shard i/n) */
  readonly shard?: import('../shard.ts').Shard;
  /** not on a terminal: a line per finished target on stderr (the command turns it on) */
  readonly progress?: boolean;
  /** print the trace of every verdict that differs (protocols from the user's files) */
  readonly traces?: boolean;
  /** variants that could not be applied (their edit matches nothing): named, not verified, exit 1 */
  readonly brokenVariants?: readonly string[];
}

const HELP = `usage: tcv verify <protocol> [--variant ID] [--property ID,…] [--sessions N | --runs N] [--timeout S] [--json] [--junit FILE]
                  [--verbose] [--svg FILE] [--mermaid FILE]
       tcv verify <file.ts | dir> [--protocol NAME] [flags as above]
       tcv verify <file.ts | dir> --watch [--protocol NAME] [--sessions N] [--timeout S]
       tcv verify --all [--sessions N | --runs N] [--timeout S] [--jobs N] [--shard i/n] [--json] [--junit FILE]

<protocol> is a built-in protocol's name (tcv list) or a path: a .ts/.mts/.js/.mjs module that
exports protocols (default or named), or a directory of them — each protocol found is verified
with its variants (--protocol NAME picks one). A file is validated before any search; an
ill-formed model is refused with every problem named.

Runs the bounded Dolev–Yao explorer over the protocol's party machines and decides every
property: holds (no attack within the bound), attack (with a trace), or inconclusive (the
search was cut by a budget). Compares each verdict with the model's expectation.

  --variant ID     a variant (M id or mode) instead of the base protocol
  --property ID,…  decide only these properties (the search stops once they are refuted)
  --protocol NAME  with a file or directory: the protocol of that name only
  --quiet          with --all, off a terminal: no line per finished target on stderr
  --sarif FILE     SARIF 2.1.0 (GitHub code scanning): a result per verdict that differs, at
                   the model file and line of the transition that emits the violated claim
  --sarif-all      with --sarif: a result for every attack found too (level note when expected)
  --shard i/n      with --all: only the i-th of n shards of the targets (deterministic, balanced
                   by the explorer benchmark's time per target); with one target: the i-th of n
                   shards of its search (the first-level branches of the search tree dealt
                   round-robin; an attack in any shard is an attack, a property holds only
                   when every shard holds it). Combine the shards' --json with 'tcv merge'
  --watch          with a file or directory: verify, then again on every save of the file or
                   of a module it imports, printing what changed (and each new attack's
                   trace); a save that does not load is one line, and the watch goes on.
                   Ctrl-C ends it (exit 130)
  --sessions N     honest sessions per role, 1 to 8 (default: 2, or a smaller bound the protocol
                   declares — none of the built-in ones does —, with a replay variant's
                   broken properties at the sessions its attack needs; the attacker's agent
                   E is always there). The search runs at one session first: attacks found
                   there keep that bound, the rest is decided at N
  --runs N         instead of --sessions, the bound in Scyther's terms (its --max-runs): at
                   most N role instances in all, 1 to 8, each of any role, played by any
                   honest agent (two of them: the deployment's), talking to any agents, honest
                   or E — reflection and role mix-up included; authorities stay fixed. One
                   search at that bound (no one-session rung first); the bound line says it
  --timeout S      time budget per protocol/variant in seconds, for all its bounds together
                   (default 120); the search also stops at 75% of the heap limit (memory
                   budget): a cut search leaves its open verdicts inconclusive, with the reason
  --all            every protocol and variant of the design and of the classic corpus
  --jobs N         with --all: targets verified at once, one worker thread each (default:
                   the machine's cores; 1 runs them one after the other in this thread)
  --json           JSON instead of text (an array with --all)
  --junit FILE     also write the results as JUnit XML, for CI test reports: a test suite per
                   protocol or variant, a test case per property, a failure where the verdict
                   differs from the expectation (with the attack trace)
  --verbose        show the values the attacker takes from its initial knowledge (folded)
  --svg FILE       write the attack trace as an SVG sequence diagram (self-contained)
  --mermaid FILE   and/or as Mermaid sequenceDiagram text (pastes into a PR or issue);
                   traces of properties broken differently go to FILE-2, FILE-3, …

An attack trace shows the steps the attack uses: steps of the path found that it does not use
are left out (and counted), each cut checked by executing the rest again. It opens with the
violations and a summary of what the attacker did; compound values a party bound to a variable
are written as variable.instance (sKey.TEE1) and defined once in the legend, values the
attacker chose as E.name; 'I2 → (E)' is a message the attacker intercepted, '(E) → R1 [built
by E]' one it made, 'R1 → I2 [forwarded unchanged]' one it passed on; ▶ marks the violating
step. Properties broken by the same trace share one printed trace.

exit 0: every verdict as expected; 1: some verdict differs (listed); 2: usage error;
4: the only differences are inconclusive verdicts (a budget cut the search; 'cut' says which)`;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function tableRows(r: VerifyReport): string[][] {
  return r.properties.map((x) => [r.protocol, r.variant ?? '-', x.id, x.expected + expectationNote(x, true), x.verdict + (x.verdict === x.expected ? '' : '  ✗'), String(r.stats.states), String(r.stats.ms)]);
}

export function printTable(io: CliIO, rows: string[][]): void {
  const head = ['protocol', 'variant', 'property', 'expected', 'verdict', 'states', 'ms'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  io.out(head.map((h, i) => pad(h, w[i]!)).join('  '));
  for (const r of rows) io.out(r.map((c, i) => pad(c, w[i]!)).join('  '));
}

/** 1 when a verdict differs, 4 when the only differences are inconclusive verdicts, else 0. */
export function verdictExit(reports: readonly VerifyReport[]): number {
  const off = reports.flatMap((r) => r.properties.filter((x) => x.verdict !== x.expected));
  return off.length === 0 ? EXIT.ok : off.every((x) => x.verdict === 'inconclusive') ? EXIT.inconclusive : EXIT.differs;
}

export function mismatches(reports: readonly VerifyReport[]): string[] {
  return reports.flatMap((r) =>
    r.properties.filter((x) => x.verdict !== x.expected).map((x) => `${r.protocol}${r.variant ? ' ' + r.variant : ''} ${x.id}: expected ${x.expected}, got ${x.verdict}${x.verdict === 'inconclusive' && r.stats.cut ? ` (${r.stats.cut})` : ''}`),
  );
}

/** The bound the user asked for (`--sessions` or `--runs`), else none: the target's default,
 * with a variant's broken properties at the variant's own bound (see `verifyTarget`). */
function boundFor(sessions: number | undefined, runs?: number): BoundRequest | undefined {
  return sessions ? { sessions } : runs ? { runs } : undefined;
}

/** A progress line rewritten in place on a terminal (nothing when `on` is false), cleared before
 * the results are printed. */
function liveLine(on: boolean): { show(text: string): void; clear(): void } {
  const write = (text: string) => on && process.stdout.write(`\r\x1b[K${text}`);
  return { show: write, clear: () => write('') };
}

/** Writes the JUnit report, if asked for; a file it cannot write is named in one line. The file
 * is replaced whole or not at all. */
/** `--sarif FILE` (`--sarif-all`: every attack too) and, under GitHub Actions, annotations and a
 * job summary. */
export async function writeCiOutputs(io: CliIO, values: { sarif?: string; 'sarif-all'?: boolean }, reports: readonly VerifyReport[], protocols: readonly Protocol[]): Promise<void> {
  const { githubAnnotations, sarifLog } = await import('../ci-output.ts');
  const { sourceFileOf } = await import('../protocol-files.ts');
  const files = protocols.flatMap((p) => sourceFileOf(p) ?? []);
  githubAnnotations(reports, protocols, (l) => io.err(l), files);
  if (values.sarif === undefined) return;
  const { packageVersion } = await import('../version.ts');
  const { writeFileAtomic } = await import('../../proofs-export/atomic-write.ts');
  try {
    writeFileAtomic(values.sarif, JSON.stringify(sarifLog(reports, protocols, { version: packageVersion(), files, all: values['sarif-all'] ?? false }), null, 2) + '\n');
  } catch (e) {
    throw new UsageError(`cannot write the SARIF report to ${(e as Error).message.replace(/^cannot write /, '')}`);
  }
}

export async function writeJunit(path: string | undefined, reports: readonly VerifyReport[]): Promise<void> {
  if (path === undefined) return;
  const { junitXml } = await import('../../properties/explorer/junit.ts');
  const { writeFileAtomic } = await import('../../proofs-export/atomic-write.ts');
  try {
    writeFileAtomic(path, junitXml(reports));
  } catch (e) {
    throw new UsageError(`cannot write the JUnit report to ${(e as Error).message.replace(/^cannot write /, '')}`);
  }
}

/** `--svg FILE` / `--mermaid FILE`: the (first) attack trace as a sequence diagram, written
 * atomically; a file it cannot write is named in one line. */
async function writeDiagrams(io: CliIO, values: { svg?: string; mermaid?: string; verbose?: boolean }, seqs: readonly Sequence[]): Promise<void> {
  if (values.svg === undefined && values.mermaid === undefined) return;
  io.out('');
  if (!seqs.length) {
    io.out('no attack trace to draw (--svg, --mermaid): every property holds or is inconclusive');
    return;
  }
  const { writeSequenceDiagrams } = await import('../diagram-files.ts');
  for (const f of writeSequenceDiagrams(values, seqs)) io.out(`wrote ${f}`);
}

/** `tcv verify --all`: every protocol and variant of both corpora; exit code as the command. */
export async function verifyAll(io: CliIO, opts: VerifyAllOptions = {}, corpus?: readonly Protocol[]): Promise<number> {
  const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
  const { allTargets, targetName, targetOf } = await import('../../models/target.ts');
  const { verifyMany } = await import('../../properties/explorer/verify-pool.ts');
  const broken = new Set(opts.brokenVariants ?? []);
  let chosen = allTargets(corpus ?? ALL_PROTOCOLS).filter(({ protocol, variant }) => !broken.has(`${protocol.name} ${variant}`));
  if (opts.shard) {
    const { shardOfAll } = await import('../shard.ts');
    chosen = shardOfAll(chosen, (t) => (t.variant ? `${t.protocol.name} ${t.variant}` : t.protocol.name), opts.shard);
  }
  // a protocol from the user's files goes to a worker with the module it came from
  const { sourceFileOf, packageAliasHooks } = await import('../protocol-files.ts');
  const bound = boundFor(opts.sessions, opts.runs);
  const targets = chosen.map(({ protocol, variant }) => ({
    target: targetOf(protocol, variant, bound),
    ...(sourceFileOf(protocol) ? { module: sourceFileOf(protocol)! } : {}),
    opts: { timeoutMs: (opts.timeout ?? 120) * 1000, ...(opts.replay ? { replay: true } : {}) },
  }));
  const live = liveLine(io.isTTY && !opts.json);
  live.show(`[0/${targets.length}] …`);
  // on a terminal one live line; elsewhere (a CI log) one line per finished target on stderr,
  // so the log is never silent for long and stdout keeps only the table or the JSON
  const onDone = (done: number, t: { target: Target }, r: VerifyReport) => {
    const name = targetName(t.target);
    if (io.isTTY && !opts.json) live.show(`[${done}/${targets.length}] ${name} done`);
    else if (opts.progress) io.err(`[${done}/${targets.length}] ${name}: ${r.properties.map((x) => `${x.id} ${x.verdict}`).join(', ')}; ${r.stats.states} states, ${(r.stats.ms / 1000).toFixed(1)} s`);
  };
  const verified = await verifyMany(targets, opts.jobs ?? availableParallelism(), onDone, targets.some((t) => 'module' in t) ? [packageAliasHooks()] : []);
  const reports = opts.shard ? (await import('../shard.ts')).stampShard(verified, opts.shard) : verified;
  live.clear();
  opts.keep?.(reports);
  await writeJunit(opts.junit, reports);
  await writeCiOutputs(io, opts, reports, corpus ?? ALL_PROTOCOLS);
  const bad = mismatches(reports);
  if (opts.json) io.out(jsonOutput(reports));
  else {
    printTable(io, reports.flatMap(tableRows));
    io.out('');
    io.out(bad.length ? `${bad.length} verdict(s) differ from the expectation:` : `all ${reports.reduce((n, r) => n + r.properties.length, 0)} verdicts as expected`);
    for (const b of bad) io.out(`  ${b}`);
    for (const v of broken) io.out(`  ${v}: not verified — its edit does not apply to the machines (see above)`);
    if (opts.traces) {
      const { textTrace } = await import('../../impl/report/text-trace.ts');
      const { groupSequences } = await import('../../impl/report/group-traces.ts');
      const seqs = groupSequences(reports.flatMap((r) => r.properties.flatMap((x) => (x.trace && x.verdict !== x.expected ? [x.trace.sequence] : []))));
      for (const s of seqs) {
        io.out('');
        for (const l of textTrace(s, { verbose: false })) io.out(l);
      }
    }
  }
  const exit = verdictExit(reports);
  return broken.size && exit === EXIT.ok ? EXIT.differs : exit;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'decide the security properties with the bounded Dolev–Yao explorer',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      variant: { type: 'string' },
      property: { type: 'string' },
      sessions: { type: 'string' },
      runs: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      jobs: { type: 'string' },
      junit: { type: 'string' },
      verbose: { type: 'boolean' },
      svg: { type: 'string' },
      mermaid: { type: 'string' },
      protocol: { type: 'string' },
      quiet: { type: 'boolean' },
      shard: { type: 'string' },
      sarif: { type: 'string' },
      'sarif-all': { type: 'boolean' },
      watch: { type: 'boolean' },
    });
    const ci = { ...(values.sarif !== undefined ? { sarif: values.sarif } : {}), ...(values['sarif-all'] ? { 'sarif-all': true } : {}) };
    if (values.junit === '') throw new UsageError('--junit wants a file name');
    const { MAX_RUNS, MAX_SESSIONS } = await import('../../models/target.ts');
    const jobs = intFlag('jobs', values.jobs, 0, { min: 1, max: 256 });
    const sessions = intFlag('sessions', values.sessions, 0, { min: 1, max: MAX_SESSIONS });
    const timeout = intFlag('timeout', values.timeout, 120, { min: 1, max: MAX_TIMEOUT_S });
    const runs = intFlag('runs', values.runs, 0, { min: 1, max: MAX_RUNS });
    if (runs && sessions) throw new UsageError('--runs and --sessions are two kinds of bound: give one');
    if (values.watch) {
      const { watchFlagProblem } = await import('./verify-watch.ts');
      const problem = watchFlagProblem(values, positionals);
      if (problem) throw new UsageError(problem);
      const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
      const { isProtocolPath } = await import('../protocol-files.ts');
      const arg = positionals[0]!;
      if (!isProtocolPath(arg) && ALL_PROTOCOLS.some((x) => x.name === arg)) throw new UsageError(`--watch takes a protocol file or directory ('${arg}' is a built-in protocol, which does not change)`);
      const { existsSync } = await import('node:fs');
      if (!existsSync(arg)) throw new UsageError(`${arg}: no such file or directory`);
      const { verifyWatch } = await import('./verify-watch.ts');
      return verifyWatch(io, { path: arg, timeoutMs: timeout * 1000, ...(values.protocol !== undefined ? { pick: values.protocol } : {}), ...(sessions ? { sessions } : {}) });
    }
    if (values.all) {
      if (positionals.length) throw new UsageError(`--all takes no protocol (got '${positionals[0]}')`);
      if (values.variant) throw new UsageError('--all and --variant do not go together');
      if (values.property) throw new UsageError('--all and --property do not go together');
      if (values.svg !== undefined || values.mermaid !== undefined) throw new UsageError('--svg and --mermaid draw the traces of one protocol (tcv report draws them all)');
      const { parseShard } = await import('../shard.ts');
      const shard = values.shard === undefined ? undefined : parseShard(values.shard);
      return verifyAll(io, { ...ci, json: values.json ?? false, timeout, progress: !io.isTTY && !values.quiet, ...(shard ? { shard } : {}), ...(sessions ? { sessions } : {}), ...(runs ? { runs } : {}), ...(jobs ? { jobs } : {}), ...(values.junit !== undefined ? { junit: values.junit } : {}) });
    }
    if (values.jobs !== undefined) throw new UsageError('--jobs goes with --all (one protocol is searched in one thread)');
    // one target: --shard splits its search (the first-level branches) between machines
    const { parseShard } = await import('../shard.ts');
    const split = values.shard === undefined ? undefined : parseShard(values.shard);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `one protocol at a time (got ${positionals.join(', ')})` : 'name a protocol, or --all (see tcv list)');
    const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
    const { protocolsFor } = await import('../protocol-files.ts');
    const { verifyTarget } = await import('../../properties/explorer/verify.ts');
    const { textTrace } = await import('../../impl/report/text-trace.ts');
    const { groupSequences } = await import('../../impl/report/group-traces.ts');
    const chosen = await protocolsFor(positionals[0]!, ALL_PROTOCOLS, values.protocol);
    const { isProtocolPath } = await import('../protocol-files.ts');
    const fromFiles = isProtocolPath(positionals[0]!) || !ALL_PROTOCOLS.some((x) => x.name === positionals[0]);
    const one = values.variant !== undefined || values.property !== undefined || values.svg !== undefined || values.mermaid !== undefined;
    if (chosen.length > 1 || (fromFiles && !one)) {
      // protocols from a file or directory: each with its variants, as --all does
      if (split) throw new UsageError('--shard splits one search: name one target (--variant ID, or --protocol NAME for the base), or use --all');
      if (one) throw new UsageError(`${positionals[0]} has ${chosen.length} protocols (${chosen.map((x) => x.name).join(', ')}): pick one with --protocol NAME`);
      // a variant whose edit matches nothing (e.g. the check it drops is already gone) is named
      // and not verified; the rest still is
      const { targetOf } = await import('../../models/target.ts');
      const brokenVariants: string[] = [];
      for (const p of chosen)
        for (const x of p.variants) {
          try {
            targetOf(p, x.id);
          } catch (e) {
            brokenVariants.push(`${p.name} ${x.id}`);
            io.err(`tcv verify: ${p.name} ${x.id}: ${(e as Error).message.split('\n')[0]}`);
          }
        }
      return verifyAll(io, { ...ci, json: values.json ?? false, timeout, traces: true, brokenVariants, ...(sessions ? { sessions } : {}), ...(runs ? { runs } : {}), ...(values.junit !== undefined ? { junit: values.junit } : {}) }, chosen);
    }
    const p = chosen[0]!;
    // as run and export do: an ill-formed model (an unbound variable, a property naming a claim
    // no machine makes) gets no verdicts, not even `holds`
    const { assertWellFormed } = await import('../../models/validate.ts');
    assertWellFormed(p);
    const { UnknownNameError } = await import('../../models/protocol.ts');
    const { BoundError, targetOf } = await import('../../models/target.ts');
    let target: Target;
    try {
      target = targetOf(p, values.variant, boundFor(sessions || undefined, runs || undefined));
    } catch (e) {
      if (e instanceof UnknownNameError || e instanceof BoundError) throw e;
      // a variant whose edit matches nothing names the problem, as a model error does
      throw new UsageError(`${p.name} ${values.variant}: ${(e as Error).message.split('\n')[0]}`);
    }
    const wanted = values.property === undefined ? undefined : values.property.split(',').map((x) => x.trim());
    for (const id of wanted ?? []) {
      const judged = target.protocol.properties;
      if (!judged.some((x) => x.id === id)) {
        throw new UnknownNameError('property', id, judged.map((x) => x.id), `of ${p.name}`);
      }
    }
    // a shard of one search takes the thread split's part (parallel-search.ts)
    const { SPLIT_DEPTH } = await import('../../properties/explorer/parallel-search.ts');
    // a live progress line on a terminal, for searches that take a while
    const live = liveLine(io.isTTY && !values.json);
    const progress = (at: VerifyProgress) => live.show(`  searching at ${at.sessions} session(s) per role for ${at.properties.join(', ')}: ${at.states} states, ${(at.ms / 1000).toFixed(1)} s`);
    const searched = verifyTarget(target, { timeoutMs: timeout * 1000, ...(wanted ? { properties: wanted } : {}), ...(split ? { split: { part: split.index - 1, parts: split.count, depth: SPLIT_DEPTH } } : {}) }, progress);
    // a shard's report says so: 'holds' there covers only its branches (tcv merge combines them)
    const r = split ? { ...searched, split: { index: split.index, count: split.count } } : searched;
    live.clear();
    await writeJunit(values.junit, [r]);
    await writeCiOutputs(io, values, [r], [p]);
    const bad = mismatches([r]);
    if (values.json) {
      io.out(jsonOutput(r));
      return verdictExit([r]);
    }
    io.out(`${r.protocol}${r.variant ? ' ' + r.variant : ''} — bound: ${r.bound}`);
    io.out(`explored ${r.stats.states} states in ${r.stats.ms} ms${r.stats.cut ? ` — cut: ${r.stats.cut}` : ''}`);
    if (split) io.out(`shard ${split.index}/${split.count} of a split search: 'holds' covers this shard's first-level branches only; combine the shards' --json with tcv merge`);
    io.out('');
    for (const x of r.properties) io.out(`  ${pad(x.id, 6)} ${pad(x.kind, 24)} expected ${pad(x.expected, 6)} verdict ${x.verdict}${x.verdict === x.expected ? '' : '  ✗'}${expectationNote(x)}`);
    // properties broken by the same trace share one printed trace
    const seqs = groupSequences(r.properties.flatMap((x) => (x.trace ? [x.trace.sequence] : [])));
    for (const s of seqs) {
      io.out('');
      for (const l of textTrace(s, { verbose: values.verbose ?? false })) io.out(l);
    }
    await writeDiagrams(io, values, seqs);
    if (bad.length) {
      io.out('');
      io.out('differs from the expectation:');
      for (const b of bad) io.out(`  ${b}`);
    }
    return verdictExit([r]);
  },
};
