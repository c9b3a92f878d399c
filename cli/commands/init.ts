/**
 * `tcv init [DIR]`: a small, commented starter protocol (two roles, one property that holds, one
 * variant that breaks it) and a test file that gates it, for a designer's first file.
 * @module
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, parseFlags, UsageError } from '../command.ts';
import { writeFileAtomic } from '../../proofs-export/atomic-write.ts';

const FILES = ['protocol.ts', 'protocol.test.ts'] as const;

/** The templates' folder, beside the sources (cli/commands/) or beside the bundle (dist/). */
function templateDir(): string {
  for (const rel of ['../init-template/', '../cli/init-template/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'protocol.ts.txt'))) return dir;
  }
  throw new Error('the init templates (cli/init-template/) are missing from this installation');
}

export const initCommand: Command = {
  name: 'init',
  summary: 'write a starter protocol and its test into a directory',
  help: `usage: tcv init [DIR]

Writes DIR/protocol.ts (default DIR: the current directory) — a signed challenge-response with
two roles, one property (A1, agreement) that holds and one variant (M1, the signature check
dropped) that breaks it, every line commented — and DIR/protocol.test.ts, which gates the same
verdicts from your own test runner. Then:

  npx tcv verify DIR          # exit 0: every verdict as the file declares
  npx tcv run DIR/protocol.ts # an honest run with real cryptography

Existing files are never overwritten (exit 2 naming them).`,
  async run(args, io) {
    const { positionals } = parseFlags(args, {});
    if (positionals.length > 1) throw new UsageError(`one directory (got ${positionals.join(', ')})`);
    const dir = positionals[0] ?? '.';
    const taken = FILES.filter((f) => existsSync(join(dir, f)));
    if (taken.length) throw new UsageError(`${taken.map((f) => join(dir, f)).join(', ')} already exist${taken.length === 1 ? 's' : ''}; tcv init writes only new files`);
    const src = templateDir();
    mkdirSync(dir, { recursive: true });
    for (const f of FILES) writeFileAtomic(join(dir, f), readFileSync(join(src, `${f}.txt`), 'utf8'));
    io.out(`wrote ${FILES.map((f) => join(dir, f)).join(' and ')}`);
    io.out(`next: npx tcv verify ${dir}`);
    return 0;
  },
};
