/**
 * The shape of a `tcv` command, and the small helpers every command shares: argument parsing
 * that turns unknown flags and missing values into usage errors (exit 2), and output.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName } from '../models/protocol.ts';

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
  /** the help for these arguments, when it depends on them (a command with subcommands:
   * `tcv tztcm monitor --help` is the monitor's) */
  helpFor?(args: readonly string[]): Promise<string>;
  /** exit code (`exit-codes.ts`): 0 ok, 1 a verdict/run differs, 2 usage error, 4 inconclusive */
  run(args: string[], io: CliIO): Promise<number>;
}

/** A problem with how the command was called: printed as one line, exit 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse flags strictly; `--help` is always accepted. Throws UsageError naming the bad flag.
 * A value that begins with a dash (`--sessions -1`) is taken as the flag's value, so that the
 * flag's own check names it, instead of Node's three-line "ambiguous argument" message. */
export function parseFlags<O extends Options>(args: string[], options: O, allowPositionals = true) {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const opt = a.startsWith('--') ? options[a.slice(2)] : undefined;
    if (opt?.type === 'string' && next !== undefined && /^-\d|^-$/.test(next)) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  try {
    return parseArgs({ args: joined, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\n.*$/s, '');
    const unknown = /^Unknown option '(.*?)'/.exec(msg);
    if (!unknown) throw new UsageError(msg);
    // as for names: the nearest flag this command has ("did you mean")
    const flags = Object.keys(options).map((k) => `--${k}`);
    const near = unknown[1]!.startsWith('--') ? closestName(unknown[1]!, flags) : undefined;
    throw new UsageError(`unknown flag '${unknown[1]}'${near ? ` — did you mean '${near}'?` : ''}`);
  }
}

/** The largest `--timeout`, in seconds (a week): a stated bound, like `--sessions`'. */
export const MAX_TIMEOUT_S = 604_800;

/** A whole-number flag value in [min, max] (default: 0 .. 2^53 - 1, the integers a number holds
 * exactly), or a UsageError naming the flag and the range. */
export function intFlag(name: string, value: string | undefined, dflt: number, range: { min?: number; max?: number } = {}): number {
  if (value === undefined) return dflt;
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  const bounds = `from ${min} to ${max === Number.MAX_SAFE_INTEGER ? '2^53 - 1' : max}`;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} wants a whole number ${bounds}, got '${value}'`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} wants a whole number ${bounds}, got ${value.length > 24 ? value.slice(0, 24) + '…' : value}`);
  return n;
}
