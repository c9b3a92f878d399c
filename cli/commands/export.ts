/**
 * `tcv export <protocol> [--variant ID] --tamarin FILE [--proverif FILE]` and
 * `tcv export --all --tamarin DIR [--proverif DIR]`: the protocol machines as Tamarin theories
 * (and ProVerif models), each checked by the exporter's well-formedness checker before it is
 * written. Files are written through a temporary file and a rename, so an error never leaves a
 * half-written file or destroys an earlier one.
 * @module
 */
import { join } from 'node:path';
import { type Command, type CliIO, parseFlags, UsageError } from '../command.ts';
import { protocolByName } from '../../models/protocols/index.ts';
import type { Protocol } from '../../models/protocol.ts';
import { type Target, targetName, targetOf } from '../../models/target.ts';
import { exportCorpus, targetsOf } from '../../proofs-export/corpus.ts';
import { writeFileAtomic } from '../../proofs-export/atomic-write.ts';
import { exportTamarin, theoryName } from '../../proofs-export/tamarin/theory.ts';
import { theoryProblems } from '../../proofs-export/tamarin/check-theory.ts';
import { modelProblems } from '../../proofs-export/proverif/check.ts';
import { ExportError } from '../../proofs-export/tamarin/term.ts';
import { exportProverif } from '../../proofs-export/proverif/model.ts';

interface Produced {
  readonly tamarin?: string;
  readonly proverif?: string;
  readonly lemmas: number;
}

/** Export one target in the requested languages; null (problems printed) if it cannot be. */
function produce(t: Target, want: { tamarin: boolean; proverif: boolean }, io: CliIO): Produced | null {
  const label = targetName(t);
  try {
    const e = exportTamarin(t);
    const problems = theoryProblems(e.theory);
    if (problems.length) {
      io.err(`tcv export: the Tamarin theory of ${label} is not well formed (an exporter defect):`);
      for (const p of problems) io.err(`  - ${p}`);
      return null;
    }
    const lemmas = e.theory.items.filter((i) => i.k === 'lemma').length;
    const pv = want.proverif ? exportProverif(t) : undefined;
    const pvProblems = pv ? modelProblems(pv.decls) : [];
    if (pvProblems.length) {
      io.err(`tcv export: the ProVerif model of ${label} is not well formed (an exporter defect):`);
      for (const p of pvProblems) io.err(`  - ${p}`);
      return null;
    }
    return { ...(want.tamarin ? { tamarin: e.text } : {}), ...(pv ? { proverif: pv.text } : {}), lemmas };
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    io.err(`tcv export: ${label} cannot be exported: ${err.message}`);
    return null;
  }
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'export protocols as Tamarin theories (and ProVerif models)',
  help: `usage: tcv export <protocol> [--variant ID] --tamarin FILE [--proverif FILE]
       tcv export --all --tamarin DIR [--proverif DIR]

Writes the protocol's machines as a Tamarin theory (.spthy): one rule per machine transition,
set-up and compromise rules, a lemma per property (P id) and an exists-trace executability
lemma. --proverif also writes a ProVerif model (.pv) with the same properties as queries.
Every theory passes the exporter's well-formedness checker before it is written.

  --variant ID      export a variant (an M id or a mode, see 'tcv list')
  --all             every protocol and every variant, one file each, named
                    <protocol>[_<variant>].spthy / .pv in the directories given
  --tamarin PATH    the .spthy file (with --all: a directory)
  --proverif PATH   the .pv file (with --all: a directory)

Run Tamarin on a theory with 'tamarin-prover --prove FILE' or 'tcv prove FILE'.
exit 0 when everything was written; 1 when an export failed (nothing is overwritten); 2 usage error`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { all: { type: 'boolean' }, variant: { type: 'string' }, tamarin: { type: 'string' }, proverif: { type: 'string' }, protocol: { type: 'string' }
    });
    if (!values.tamarin && !values.proverif) throw new UsageError('say where to write: --tamarin FILE (and/or --proverif FILE)');
    const want = { tamarin: values.tamarin !== undefined, proverif: values.proverif !== undefined };
    if (values.all) {
      if (positionals.length) throw new UsageError(`--all exports every protocol; unexpected argument '${positionals[0]}'`);
      if (values.variant) throw new UsageError('--all exports every variant; drop --variant');
      let failed = 0;
      let written = 0;
      const protocols = exportCorpus();
      for (const t of targetsOf(protocols)) {
        const out = produce(t, want, io);
        if (!out) {
          failed++;
          continue;
        }
        const base = theoryName(t);
        if (out.tamarin !== undefined) writeFileAtomic(join(values.tamarin!, `${base}.spthy`), out.tamarin);
        if (out.proverif !== undefined) writeFileAtomic(join(values.proverif!, `${base}.pv`), out.proverif);
        written++;
      }
      io.out(`wrote ${written} ${written === 1 ? 'theory' : 'theories'}${values.tamarin ? ` to ${values.tamarin}` : ''}${values.proverif ? `${values.tamarin ? ' and' : ''} models to ${values.proverif}` : ''}${failed ? `; ${failed} failed` : ''}`);
      return failed ? 1 : 0;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument '${positionals[1]}'` : 'name a protocol (see tcv list), or --all');
    const { oneProtocolFor } = await import('../protocol-files.ts');
    const protocol = await oneProtocolFor(positionals[0]!, exportCorpus(), values.protocol);
    const target = targetOf(protocol, values.variant);
    const out = produce(target, want, io);
    if (!out) return 1;
    if (out.tamarin !== undefined) {
      writeFileAtomic(values.tamarin!, out.tamarin);
      io.out(`wrote ${values.tamarin} (theory ${theoryName(target)}, ${out.lemmas} lemmas)`);
    }
    if (out.proverif !== undefined) {
      writeFileAtomic(values.proverif!, out.proverif);
      io.out(`wrote ${values.proverif} (ProVerif model of ${targetName(target)})`);
    }
    return 0;
  },
};
