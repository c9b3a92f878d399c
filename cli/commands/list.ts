/**
 * `tcv list [--json]`: the built-in protocols with their parties, properties and variants.
 * @module
 */
import { type Command, parseFlags, UsageError } from '../command.ts';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { roleOf } from '../../models/role.ts';
import { expectedVerdict } from '../../models/protocol.ts';
import { jsonOutput } from '../version.ts';

export const listCommand: Command = {
  name: 'list',
  summary: 'list protocols, parties, properties and variants',
  help: `usage: tcv list [FILE | DIR] [--json]

Lists every built-in protocol: its roles (and the party playing each), its security
properties (P ids, with their kind and the verdict the design expects) and its variants
(M ids: known-bad edits, each with the properties it must break; and benign modes).

  --json   one JSON array instead of text`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { json: { type: 'boolean' } });
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    // a file or directory: the protocols it exports (validated), instead of the built-in ones
    const { loadProtocolFiles } = await import('../protocol-files.ts');
    const corpus = positionals.length ? (await loadProtocolFiles(positionals[0]!)).map((x) => x.protocol) : ALL_PROTOCOLS;
    const data = corpus.map((p) => ({
      name: p.name,
      title: p.title,
      source: p.source,
      roles: p.roles.map((r) => ({ role: r.role, party: roleOf(r.machine).party, initiator: r.initiator })),
      properties: p.properties.map((x) => ({ id: x.id, kind: x.kind, expected: expectedVerdict(p, x.id), statement: x.statement })),
      variants: p.variants.map((v) => ({ id: v.id, title: v.title, breaks: v.breaks, expect: v.expect ?? {} })),
    }));
    if (values.json) {
      io.out(jsonOutput(data));
      return 0;
    }
    for (const p of data) {
      io.out(`${p.name} — ${p.title}  (${p.source})`);
      io.out(`  roles:      ${p.roles.map((r) => (r.role === r.party ? r.role : `${r.role} (${r.party})`)).join(', ')}`);
      for (const x of p.properties) io.out(`  ${x.id.padEnd(5)} ${x.kind.padEnd(24)} expect ${x.expected.padEnd(6)} ${x.statement}`);
      for (const v of p.variants) {
        const what = v.breaks.length ? `breaks ${v.breaks.join(', ')}` : Object.entries(v.expect).map(([k, e]) => `${k} ${e}`).join(', ');
        io.out(`  ${v.id.padEnd(9)} ${what.padEnd(20)} ${v.title}`);
      }
      io.out('');
    }
    return 0;
  },
};
