/**
 * `tcv attack <protocol> --variant ID [--property P] [--seed N] [--json]`: find the variant's
 * attack with the explorer, replay it on the real implementation (real crypto, real bytes),
 * print the concrete transcript, and replay the same schedule against the correct protocol.
 * @module
 */
import { type Command, MAX_TIMEOUT_S, intFlag, parseFlags, UsageError } from '../command.ts';
import { EXIT } from '../exit-codes.ts';
import { SUITE_HELP, suiteFlag } from '../suite-flag.ts';

export const attackCommand: Command = {
  name: 'attack',
  summary: 'replay a variant’s symbolic attack on the real implementation',
  help: `usage: tcv attack <protocol> --variant ID [--property P] [--sessions N] [--timeout S] [--seed N] [--suite ID] [--json]
                  [--svg FILE] [--mermaid FILE]

Finds the attack on a known-bad variant (M id) with the Dolev–Yao explorer, then plays it on
the reference implementation with real cryptography: the same role instances, each message the
attacker sends computed from what it observed (its deductions done with the real primitives).
Prints the concrete transcript (who received what, sizes, hex) and whether the violated property
is violated concretely; then plays the same schedule against the correct protocol, where the
violation must not happen.

  --variant ID    the variant (see 'tcv list')
  --property P    which attacked property to replay (default: the first the variant breaks)
  --sessions N    the explorer's bound, 1 to 8 (default: the variant's own)
  --timeout S     the explorer's time budget in seconds (default 60; memory: 75% of the heap)
  --seed N        randomness of the concrete run (default 1)
  ${SUITE_HELP.replace('--suite ID    ', '--suite ID      ').replace('\n', '\n  ')}
  --json          the result as JSON
  --svg FILE      also write the attack trace, with the outcome of the replay, as an SVG
                  sequence diagram (see tcv verify --help for the notation)
  --mermaid FILE  and/or as Mermaid sequenceDiagram text

exit 0 when the attack reproduces on the variant and not on the correct protocol; 1 otherwise;
2 usage error; 4 when a budget cut the search before it found the attack (inconclusive)`,
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
    });
    if (positionals.length !== 1) throw new UsageError('name one protocol (see tcv list)');
    if (!values.variant) throw new UsageError('--variant ID is required (an M id, see tcv list)');
    const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
    const { oneProtocolFor } = await import('../protocol-files.ts');
    const { UnknownNameError } = await import('../../models/protocol.ts');
    const p = await oneProtocolFor(positionals[0]!, ALL_PROTOCOLS, values.protocol);
    if (!p.variants.some((x) => x.id === values.variant)) throw new UnknownNameError('variant', values.variant, p.variants.map((x) => x.id), `of ${p.name}`);
    if (values.property && !p.properties.some((x) => x.id === values.property)) throw new UnknownNameError('property', values.property, p.properties.map((x) => x.id), `of ${p.name}`);
    const { MAX_SESSIONS } = await import('../../properties/explorer/scenario.ts');
    const sessions = values.sessions === undefined ? undefined : intFlag('sessions', values.sessions, 1, { min: 1, max: MAX_SESSIONS });
    const timeout = intFlag('timeout', values.timeout, 60, { min: 1, max: MAX_TIMEOUT_S });
    const seed = intFlag('seed', values.seed, 1);
    const suite = suiteFlag(values.suite);
    const { replayAttack } = await import('../../properties/attack-replay.ts');
    const r = replayAttack(p, values.variant, { ...(values.property ? { property: values.property } : {}), ...(sessions ? { sessions } : {}), seed, suite, timeoutMs: timeout * 1000 });
    if (!r.found) {
      // a search cut by a budget proves nothing: inconclusive (exit 4), not "no attack" (exit 1)
      if (values.json) io.out(JSON.stringify({ protocol: p.name, variant: values.variant, found: false, inconclusive: r.cut !== null, ...(r.cut ? { cut: r.cut } : {}), bound: r.bound }, null, 2));
      else if (r.cut) io.out(`${p.name} ${values.variant}: inconclusive — the search was cut (${r.cut}) before it found an attack (bound: ${r.bound}); nothing to replay`);
      else io.out(`${p.name} ${values.variant}: the explorer found no attack within the bound (${r.bound}); nothing to replay`);
      return r.cut ? EXIT.inconclusive : EXIT.differs;
    }
    const ok = r.variantRun.reproduced && !r.correctRun.reproduced;
    const written: string[] = [];
    if (values.svg !== undefined || values.mermaid !== undefined) {
      // the symbolic trace, with the outcome of its replay with real crypto
      const { traceSequence } = await import('../../properties/explorer/trace-sequence.ts');
      const { writeSequenceDiagrams } = await import('../diagram-files.ts');
      const seq = traceSequence(r.scenario, r.finding);
      const notes = [
        `Replayed with real crypto on ${p.name} ${values.variant}: ${r.variantRun.reproduced ? 'VIOLATED' : 'not violated'} — ${r.variantRun.detail}`,
        `The same schedule on the correct protocol: ${r.correctRun.reproduced ? 'VIOLATED (unexpected)' : 'no violation'} — ${r.correctRun.detail}`,
      ];
      written.push(...writeSequenceDiagrams(values, [{ ...seq, notes }]));
    }
    if (values.json) {
      io.out(JSON.stringify({ found: true, bound: r.bound, reproduced: ok, variant: r.variantRun, correct: r.correctRun }, null, 2));
      return ok ? 0 : 1;
    }
    io.out(`${p.name} ${values.variant}: attack on ${r.variantRun.property} (explorer bound: ${r.bound})`);
    io.out('');
    io.out(`Concrete replay on the variant (real crypto, suite ${suite.name}):`);
    for (const s of r.variantRun.steps) {
      const rcv = s.received ? ` ← ${s.received.label} ${s.received.bytes} B${s.received.forged ? ' (made by the attacker)' : ''} ${s.received.hex.slice(0, 48)}…` : ' ← START';
      io.out(`  ${String(s.n).padStart(2)}. ${s.instance} ${s.transition}${rcv}`);
      for (const m of s.sent) io.out(`        → ${m.to} ${m.label} ${m.bytes} B ${m.hex.slice(0, 48)}…`);
      if (s.note) io.out(`        ${s.state}: ${s.note}`);
    }
    io.out(`  ${r.variantRun.reproduced ? 'VIOLATED' : 'not violated'}: ${r.variantRun.detail}`);
    io.out('');
    io.out(`The same schedule against the correct protocol: ${r.correctRun.reproduced ? 'VIOLATED (unexpected)' : 'no violation'} — ${r.correctRun.detail}`);
    io.out('');
    io.out(ok ? 'the symbolic attack reproduces on the real implementation' : 'the attack did not reproduce as predicted');
    for (const f of written) io.out(`wrote ${f}`);
    return ok ? 0 : 1;
  },
};
