/**
 * Run `tcv` in-process with captured output (tests of CLI commands).
 * @module
 */
import { main } from '../../cli/main.ts';
import type { CliIO } from '../../cli/command.ts';

export async function tcv(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (l) => out.push(l), err: (l) => err.push(l), isTTY: false };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
