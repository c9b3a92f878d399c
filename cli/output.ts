/**
 * The process's output as the CLI writes it, failing closed: a write to stdout or stderr that
 * fails (closed, full, EPIPE) becomes one {@link OutputError}, reported in one line on stderr (if
 * stderr can still be written) with its own exit code (EXIT.output), never a stack trace and never
 * exit 1, which would read as "a verdict differs". Writes to files are synchronous in Node and
 * throw where they happen; writes to pipes report EPIPE later, as an 'error' event, which ends
 * the process with the same line and code.
 * @module
 */
import type { CliIO } from './command.ts';
import { EXIT } from './exit-codes.ts';

export class OutputError extends Error {
  constructor(
    readonly stream: 'stdout' | 'stderr',
    readonly code: string,
  ) {
    super(`cannot write to ${stream}: ${code}`);
    this.name = 'OutputError';
  }
}

const codeOf = (e: unknown): string => (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);

/** The one line that says the output failed, on stderr when that is not the stream that failed. */
export function reportOutputError(e: OutputError): void {
  if (e.stream === 'stderr') return;
  try {
    process.stderr.write(`${prefix}: ${e.message}\n`);
  } catch {
    // stderr is gone too: the exit code is all that is left
  }
}

let watching = false;
let prefix = 'tcv';

/** The command the one line names (`tcv verify: cannot write to stdout: EPIPE`). */
export function outputPrefix(p: string): void {
  prefix = p;
}

/** Asynchronous write errors (EPIPE on a pipe whose reader left) end the process: one line, exit 5. */
function watchStreams(): void {
  if (watching) return;
  watching = true;
  for (const stream of ['stdout', 'stderr'] as const) {
    process[stream].on('error', (e) => {
      reportOutputError(new OutputError(stream, codeOf(e)));
      // the exit hooks (a private swtpm's, see impl/tpm2/swtpm-process.ts) still run
      process.exit(EXIT.output);
    });
  }
}

function guarded(stream: 'stdout' | 'stderr'): (line: string) => void {
  return (line) => {
    try {
      process[stream].write(line + '\n');
    } catch (e) {
      throw new OutputError(stream, codeOf(e));
    }
  };
}

/** The CliIO of the real process: stdout and stderr with their failures made OutputErrors. */
export function processIO(): CliIO {
  watchStreams();
  return { out: guarded('stdout'), err: guarded('stderr'), isTTY: Boolean(process.stdout.isTTY) };
}
