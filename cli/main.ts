/**
 * `tcv` entry point: dispatches to a command, turns usage errors into one line and exit 2, and
 * any other failure into one line and exit 2 — never a stack trace (set TCV_DEBUG=1 to see one).
 * @module
 */
import { type CliIO, UsageError } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { UnknownNameError } from '../models/protocol.ts';
import { ModelError } from '../models/validate.ts';

function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'tcv — TEE/TPM trusted-channel verifier and reference implementation',
    '',
    'usage: tcv <command> [options]      tcv <command> --help',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(topHelp());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.err(`tcv: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return 2;
  }
  try {
    const cmd = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(cmd.help);
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    if (process.env['TCV_DEBUG']) io.err(String((e as Error).stack));
    if (e instanceof UsageError || e instanceof UnknownNameError) {
      io.err(`tcv ${name}: ${e.message}`);
      return 2;
    }
    if (e instanceof ModelError) {
      io.err(`tcv ${name}: ${e.message}`);
      return 2;
    }
    io.err(`tcv ${name}: internal error: ${(e as Error).message ?? String(e)}`);
    return 2;
  }
}

export function defaultIO(): CliIO {
  return {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    isTTY: Boolean(process.stdout.isTTY),
  };
}
