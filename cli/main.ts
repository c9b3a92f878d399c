/**
 * `tcv` entry point: dispatches to a command and turns every failure into its exit-code class
 * (`exit-codes.ts`) and one line (`error-line.ts`) — never a stack trace (set TCV_DEBUG=1 to see
 * one). Every command's `--help` ends with the exit-code table.
 * @module
 */
import type { CliIO } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { errorLine, escapeControl } from './error-line.ts';
import { EXIT, EXIT_TABLE } from './exit-codes.ts';
import { OutputError, outputPrefix, processIO, reportOutputError } from './output.ts';
import { closestName } from '../models/protocol.ts';
import { packageVersion } from './version.ts';

export { packageVersion };

function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'tcv — TEE/TPM trusted-channel verifier and reference implementation',
    '',
    'usage: tcv <command> [options]      tcv <command> --help      tcv --version',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    EXIT_TABLE,
  ].join('\n');
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(topHelp());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-V' || name === 'version') {
      io.out(`tcv ${packageVersion()}`);
      return EXIT.ok;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) {
      const near = closestName(name, COMMANDS.map((c) => c.name));
      io.err(escapeControl(`tcv: unknown command '${name}'${near ? ` — did you mean '${near}'?` : ''} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`));
      return EXIT.usage;
    }
    outputPrefix(`tcv ${name}`);
    const cmd = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`${cmd.helpFor ? await cmd.helpFor(rest) : cmd.help}\n\n${EXIT_TABLE}`);
      return EXIT.ok;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    const { code, lines } = errorLine(name ?? '', e);
    if (e instanceof OutputError) {
      // the failing stream may be stderr itself: one attempt, straight to the process
      if (io === processStreams) reportOutputError(e);
      else if (e.stream !== 'stderr') tryErr(io, lines[0]!);
      return code;
    }
    if (process.env['TCV_DEBUG']) tryErr(io, String((e as Error)?.stack ?? e));
    for (const l of lines) if (!tryErr(io, l)) return EXIT.output;
    return code;
  }
}

/** Writes one line to stderr; false when even that fails. */
function tryErr(io: CliIO, line: string): boolean {
  try {
    io.err(line);
    return true;
  } catch {
    return false;
  }
}

let processStreams: CliIO | null = null;

export function defaultIO(): CliIO {
  return (processStreams ??= processIO());
}
