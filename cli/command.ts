/**
 * The shape of a `tcv` command, and the small helpers every command shares: argument parsing
 * that turns unknown flags and missing values into usage errors (exit 2), and output.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /** is stdout a terminal (live progress lines) */
  readonly isTTY: boolean;
}

export interface Command {
  readonly name: string;
  /** one line for `tcv --help` */
  readonly summary: string;
  /** the full `tcv <name> --help` text */
  readonly help: string;
  /** exit code: 0 ok, 1 a verdict/run differs from what is expected, 2 usage error */
  run(args: string[], io: CliIO): Promise<number>;
}

/** A problem with how the command was called: printed as one line, exit 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse flags strictly; `--help` is always accepted. Throws UsageError naming the bad flag. */
export function parseFlags<O extends Options>(args: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(msg.replace(/^Unknown option '(.*?)'.*$/s, "unknown flag '$1'"));
  }
}

/** A non-negative integer flag value, or a UsageError naming the flag. */
export function intFlag(name: string, value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} wants a whole number, got '${value}'`);
  return Number(value);
}
