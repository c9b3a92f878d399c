/**
 * `tcv diagram <protocol> [--role R] [--variant ID] [--svg FILE] [--dot FILE] [--stately FILE]`:
 * the party machines as state diagrams (Graphviz through `@viz-js/viz`, see
 * `impl/report/svg-machine.ts`), a variant's edit highlighted against the base machine, and
 * the machines as XState/Stately JSON (`machine.toJSON()`).
 * @module
 */
import { type Command, UsageError, parseFlags } from '../command.ts';

const HELP = `usage: tcv diagram <protocol> [--role R] [--variant ID] [--svg FILE] [--dot FILE] [--stately FILE]

Draws the party machines of <protocol> as state diagrams: every state, every transition
labelled with its name, its trigger (START or the message it receives, and from whom), the
messages it sends and the claims it makes; each waiting state's fallback to 'failed' muted and
dashed, labelled with the checks that lead there. With --variant, the transitions the variant's
edit changes are highlighted and say what changed (e.g. "drops check Unseal response HMAC").

  --role R        one role only (default: every role, side by side)
  --variant ID    the variant's machines (an M id or a mode, see tcv list)
  --svg FILE      the diagram as SVG (laid out by Graphviz, self-contained, light and dark)
  --dot FILE      the Graphviz DOT source
  --stately FILE  the machine(s) as XState JSON (machine.toJSON(): what Stately's visualiser
                  and @xstate/inspect read); with several roles, an object keyed by role

Without an output flag the DOT source is printed.

exit 0; 2 usage error (unknown protocol, role or variant, a file that cannot be written)`;

export const diagramCommand: Command = {
  name: 'diagram',
  summary: 'draw the party machines as state diagrams (SVG, DOT, Stately JSON)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      role: { type: 'string' },
      variant: { type: 'string' },
      svg: { type: 'string' },
      dot: { type: 'string' },
      stately: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `one protocol at a time (got ${positionals.join(', ')})` : 'name a protocol (see tcv list)');
    const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
    const { protocolByName } = await import('../../models/protocols/index.ts');
    const { UnknownNameError } = await import('../../models/protocol.ts');
    const { targetOf } = await import('../../models/target.ts');
    const p = protocolByName(positionals[0]!, ALL_PROTOCOLS);
    const q = targetOf(p, values.variant).protocol;
    if (values.role !== undefined && !p.roles.some((r) => r.role === values.role)) throw new UnknownNameError('role', values.role, p.roles.map((r) => r.role), `of ${p.name}`);
    const { dotMachines } = await import('../../impl/report/dot-machine.ts');
    const { writeOrSay } = await import('../diagram-files.ts');
    const roles = q.roles
      .filter((r) => values.role === undefined || r.role === values.role)
      .map((r) => ({ role: r.role, machine: r.machine, ...(values.variant !== undefined ? { base: p.roles.find((b) => b.role === r.role)!.machine } : {}) }));
    const dot = dotMachines(roles, values.variant !== undefined ? { variant: values.variant } : {});
    const what = `${p.name}${values.variant ? ` ${values.variant}` : ''}${values.role ? ` ${values.role}` : ''}`;
    if (values.dot !== undefined) {
      writeOrSay(values.dot, dot, 'DOT source');
      io.out(`wrote ${values.dot}`);
    }
    if (values.svg !== undefined) {
      const { svgFromDot } = await import('../../impl/report/svg-machine.ts');
      writeOrSay(values.svg, await svgFromDot(dot, `${what}: state machines`), 'SVG diagram');
      io.out(`wrote ${values.svg} (${roles.map((r) => r.role).join(', ')})`);
    }
    if (values.stately !== undefined) {
      const json = roles.length === 1 ? roles[0]!.machine.toJSON() : Object.fromEntries(roles.map((r) => [r.role, r.machine.toJSON()]));
      writeOrSay(values.stately, JSON.stringify(json, null, 2) + '\n', 'Stately JSON');
      io.out(`wrote ${values.stately}`);
    }
    if (values.dot === undefined && values.svg === undefined && values.stately === undefined) io.out(dot.trimEnd());
    return 0;
  },
};
