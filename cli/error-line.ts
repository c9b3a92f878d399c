/**
 * What a command's failure becomes: its exit-code class and the one line printed for it. Usage
 * errors and ordinary I/O problems (a path that is a directory, read-only, full, too long, not
 * permitted…) are the caller's to fix: exit 2, the path named. An output failure is exit 5.
 * Anything else is a defect of tcv: "internal error", exit 3. Characters an argument may carry
 * into a message (escape sequences, newlines) are escaped, so a line stays one line and cannot
 * drive the terminal.
 * @module
 */
import { IO_REASONS } from '../proofs-export/atomic-write.ts';
import { UsageError } from './command.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { OutputError } from './output.ts';
import { UnknownNameError } from '../models/protocol.ts';
import { BoundError } from '../models/target.ts';
import { ModelError } from '../models/validate.ts';
import { SwtpmNotFoundError, SwtpmStartError } from '../impl/tpm2/swtpm-process.ts';
import { FileWriteError } from '../proofs-export/atomic-write.ts';

/** C0 and C1 control characters and DEL as `\xNN`: what is printed is what was typed. */
export function escapeControl(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}


/** An fs error naming a path, as one line: "cannot write 'x': is a directory (EISDIR)". */
export function ioProblem(e: unknown): string | null {
  const x = e as NodeJS.ErrnoException & { dest?: string };
  if (!(e instanceof Error) || typeof x.code !== 'string' || !(x.code in IO_REASONS) || typeof x.path !== 'string') return null;
  const verb = /^(open|write|rename|mkdir|copyfile|ftruncate|fsync|chmod|symlink|unlink|rm)/.test(x.syscall ?? '') ? 'write' : 'read';
  return `cannot ${verb} '${x.path}': ${IO_REASONS[x.code]} (${x.code})`;
}

/** The exit code and the lines to print (one, but a model's problems one per line). */
export function errorLine(command: string, e: unknown): { code: ExitCode; lines: string[] } {
  const say = (code: ExitCode, msg: string, more: readonly string[] = []) => ({ code, lines: [`tcv ${command}: ${msg}`, ...more.map((m) => `  - ${m}`)].map(escapeControl) });
  if (e instanceof OutputError) return say(EXIT.output, e.message);
  if (e instanceof ModelError) return say(EXIT.usage, 'the model is not well formed:', e.problems);
  if (e instanceof UsageError || e instanceof UnknownNameError || e instanceof BoundError) return say(EXIT.usage, e.message);
  if (e instanceof SwtpmNotFoundError || e instanceof SwtpmStartError || e instanceof FileWriteError) return say(EXIT.usage, e.message);
  const io = ioProblem(e);
  if (io) return say(EXIT.usage, io);
  return say(EXIT.internal, `internal error: ${(e as Error)?.message ?? String(e)}`);
}
