/**
 * `tcv attack <protocol> [--variant ID] [--property P] [--seed N] [--json]`: find the variant's
 * attack with the explorer, replay it on the real implementation (real crypto, real bytes),
 * print the concrete transcript, and replay the same schedule against the correct protocol.
 * Without --variant the protocol is attacked as it is (a user's protocol with a flaw, a textbook
 * protocol's known attack) and the attack is replayed on it; the exit code then compares with
 * what the protocol declares (an attack on a property expected to hold is a flaw: exit 1).
 * @module
 */
import { type Command, MAX_TIMEOUT_S, intFlag, parseFlags, UsageError } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { SUITE_HELP, suiteFlag } from '../suite-flag.ts';
import { jsonOutput } from '../version.ts';

export const attackCommand: Command = {
  name: 'attack',
  summary: 'replay a variant’s symbolic attack on the real implementation',
  help: `usage: tcv attack <protocol> [--variant ID] [--property P] [--watch] [--sessions N] [--timeout S] [--seed N] [--suite ID] [--json]
                  [--svg FILE] [--mermaid FILE]

Finds the attack on a known-bad variant (M id) with the Dolev–Yao explorer, then plays it on
the reference implementation with real cryptography: the same role instances, each message the
attacker sends computed from what it observed (its deductions done with the real primitives).
Prints the concrete transcript (who received what, sizes, hex) and whether the violated property
is violated concretely; then plays the same schedule against the correct protocol, where the
violation must not happen. <protocol> is a built-in name or a protocol file (tcv verify --help).

Without --variant, the protocol itself is attacked (at one session per role, then at its
bound) and the first attack found is replayed on it: a flaw in your own protocol, or a
textbook attack (tcv attack nspk: Lowe's). If the explorer finds none, one line says so.

  --variant ID    the variant (see 'tcv list'); without it, the protocol as given
  --property P    which attacked property to replay (default: the first the variant breaks)
  --sessions N    the explorer's bound, 1 to 8 (default: the variant's own)
  --timeout S     the explorer's time budget in seconds (default 60; memory: 75% of the heap)
  --seed N        randomness of the concrete run (default 1)
  ${SUITE_HELP.replace('--suite ID    ', '--suite ID      ').replace('\n', '\n  ')}
  --watch         with a protocol file: again on every save of it or of a module it imports,
                  one line per save (and the concrete steps when the outcome changes); a
                  save that does not load is one line; Ctrl-C ends it (exit 130)
  --json          the result as JSON
  --svg FILE      also write the attack trace, with the outcome of the replay, as an SVG
                  sequence diagram (see tcv verify --help for the notation)
  --mermaid FILE  and/or as Mermaid sequenceDiagram text

exit, with --variant: 0 when the attack reproduces on the variant and not on the correct
protocol, 1 otherwise. Without --variant: 0 when the attack found is one the protocol declares
(expected: attack) and reproduces, or when none is found and none is declared; 1 when the
attack breaks a property declared to hold (a flaw: the trace is printed), does not reproduce,
or a declared attack is not found. Both: 2 usage error; 4 when a budget cut the search before
it found an attack (inconclusive)`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      variant: { type: 'string' },
      property: { type: 'string' },
      sessions: { type: 'string' },
      timeout: { type: 'string' },
      seed: { type: 'string' },
      suite: { type: 'string' },
      json: { type: 'boolean' },
      svg: { type: 'string' },
      mermaid: { type: 'string' },
      protocol: { type: 'string' },
      watch: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('name one protocol (see tcv list)');
    if (values.variant === '') throw new UsageError('--variant wants an id (an M id, see tcv list)');
    const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
    const { oneProtocolFor } = await import('../protocol-files.ts');
    if (values.watch) {
      const { isProtocolPath } = await import('../protocol-files.ts');
      const { existsSync } = await import('node:fs');
      const arg = positionals[0]!;
      if (!isProtocolPath(arg) && ALL_PROTOCOLS.some((x) => x.name === arg)) throw new UsageError(`--watch takes a protocol file ('${arg}' is a built-in protocol, which does not change)`);
      if (!existsSync(arg)) throw new UsageError(`${arg}: no such file or directory`);
      const bad = ['json', 'svg', 'mermaid'].find((f) => values[f as 'json'] !== undefined);
      if (bad) throw new UsageError(`--watch prints to the terminal; it does not go with --${bad}`);
      const { MAX_SESSIONS } = await import('../../models/target.ts');
      const { attackWatch } = await import('./attack-watch.ts');
      const sessions = values.sessions === undefined ? undefined : intFlag('sessions', values.sessions, 1, { min: 1, max: MAX_SESSIONS });
      return attackWatch(io, {
        path: arg,
        seed: intFlag('seed', values.seed, 1),
        suite: suiteFlag(values.suite),
        timeoutMs: intFlag('timeout', values.timeout, 60, { min: 1, max: MAX_TIMEOUT_S }) * 1000,
        ...(values.protocol !== undefined ? { pick: values.protocol } : {}),
        ...(values.variant !== undefined ? { variant: values.variant } : {}),
        ...(values.property !== undefined ? { property: values.property } : {}),
        ...(sessions ? { sessions } : {}),
      });
    }
    const { UnknownNameError, expectedVerdict } = await import('../../models/protocol.ts');
    const { MAX_SESSIONS, targetName, targetOf } = await import('../../models/target.ts');
    const p = await oneProtocolFor(positionals[0]!, ALL_PROTOCOLS, values.protocol);
    const sessions = values.sessions === undefined ? undefined : intFlag('sessions', values.sessions, 1, { min: 1, max: MAX_SESSIONS });
    const resolved = targetOf(p, values.variant, sessions ? { sessions } : undefined);
    if (values.property && !resolved.protocol.properties.some((x) => x.id === values.property)) throw new UnknownNameError('property', values.property, resolved.protocol.properties.map((x) => x.id), `of ${targetName(resolved)}`);
    const timeout = intFlag('timeout', values.timeout, 60, { min: 1, max: MAX_TIMEOUT_S });
    const seed = intFlag('seed', values.seed, 1);
    const suite = suiteFlag(values.suite);
    const { replayAttack } = await import('../../properties/attack-replay.ts');
    const r = replayAttack(resolved, { ...(values.property ? { property: values.property } : {}), seed, suite, timeoutMs: timeout * 1000 });
    const target = targetName(resolved);
    if (!r.found) {
      // a search cut by a budget proves nothing: inconclusive (exit 4), not "no attack"
      if (values.json) io.out(jsonOutput({ protocol: p.name, variant: values.variant ?? null, found: false, inconclusive: r.cut !== null && r.cut !== undefined, ...(r.cut ? { cut: r.cut } : {}), bound: r.bound }));
      else if (r.cut) io.out(`${target}: inconclusive — the search was cut (${r.cut}) before it found an attack (bound: ${r.bound}); nothing to replay`);
      else io.out(`${target}: the explorer found no attack within the bound (${r.bound}); nothing to replay`);
      if (r.cut) return EXIT.inconclusive;
      // a variant is declared to break something; the base protocol (or a property a variant
      // adds) may declare attacks too
      const declared = (resolved.variant?.breaks.length ?? 0) > 0 || resolved.protocol.properties.some((x) => expectedVerdict(p, x.id, resolved.variant) === 'attack');
      return declared ? EXIT.differs : EXIT.ok;
    }
    // with a variant that breaks the property: it reproduces there and not on the correct
    // protocol; otherwise: it reproduces, and the protocol (or the variant's added property)
    // declares this attack (else it is a flaw, exit 1)
    const ok = r.correctRun ? r.variantRun.reproduced && !r.correctRun.reproduced : r.variantRun.reproduced && expectedVerdict(p, r.variantRun.property, resolved.variant) === 'attack';
    const written: string[] = [];
    if (values.svg !== undefined || values.mermaid !== undefined) {
      // the symbolic trace, with the outcome of its replay with real crypto
      const { traceSequence } = await import('../../properties/explorer/trace-sequence.ts');
      const { writeSequenceDiagrams } = await import('../diagram-files.ts');
      const seq = traceSequence(r.scenario, r.finding);
      const notes = [
        `Replayed with real crypto on ${target}: ${r.variantRun.reproduced ? 'VIOLATED' : 'not violated'} — ${r.variantRun.detail}`,
        ...(r.correctRun ? [`The same schedule on the correct protocol: ${r.correctRun.reproduced ? 'VIOLATED (unexpected)' : 'no violation'} — ${r.correctRun.detail}`] : []),
      ];
      written.push(...writeSequenceDiagrams(values, [{ ...seq, notes }]));
    }
    if (values.json) {
      // `variant`: the run on what was attacked (the variant, or the protocol itself); `correct`:
      // the same schedule on the correct protocol (null without a variant)
      io.out(jsonOutput({ protocol: p.name, found: true, bound: r.bound, property: r.variantRun.property, reproduced: r.correctRun ? ok : r.variantRun.reproduced, asExpected: ok, variant: r.variantRun, correct: r.correctRun }));
      return ok ? EXIT.ok : EXIT.differs;
    }
    io.out(`${target}: attack on ${r.variantRun.property} (explorer bound: ${r.bound})`);
    io.out('');
    io.out(`Concrete replay on the ${values.variant ? 'variant' : 'protocol'} (real crypto, suite ${suite.name}):`);
    for (const s of r.variantRun.steps) {
      const rcv = s.received ? ` ← ${s.received.label} ${s.received.bytes} B${s.received.forged ? ' (made by the attacker)' : ''} ${s.received.hex.slice(0, 48)}…` : ' ← START';
      io.out(`  ${String(s.n).padStart(2)}. ${s.instance} ${s.transition}${rcv}`);
      for (const m of s.sent) io.out(`        → ${m.to} ${m.label} ${m.bytes} B ${m.hex.slice(0, 48)}…`);
      if (s.note) io.out(`        ${s.state}: ${s.note}`);
    }
    io.out(`  ${r.variantRun.reproduced ? 'VIOLATED' : 'not violated'}: ${r.variantRun.detail}`);
    io.out('');
    if (r.correctRun) {
      io.out(`The same schedule against the correct protocol: ${r.correctRun.reproduced ? 'VIOLATED (unexpected)' : 'no violation'} — ${r.correctRun.detail}`);
      io.out('');
      io.out(ok ? 'the symbolic attack reproduces on the real implementation' : 'the attack did not reproduce as predicted');
    } else if (!r.variantRun.reproduced) io.out('the attack did not reproduce as predicted');
    else io.out(ok ? `the symbolic attack reproduces on the real implementation (${r.variantRun.property} is declared broken)` : `the symbolic attack reproduces on the real implementation: ${r.variantRun.property} is declared to hold — a flaw in ${p.name}`);
    for (const f of written) io.out(`wrote ${f}`);
    return ok ? EXIT.ok : EXIT.differs;
  },
};
