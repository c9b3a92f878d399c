/**
 * Writing diagrams the `--svg FILE` / `--mermaid FILE` flags of `tcv verify`, `tcv run` and
 * `tcv attack` ask for: each file replaced whole or not at all (`writeFileAtomic`), a path that
 * cannot be written named in one line (a usage error). Several attack traces (properties broken
 * by different traces) go to FILE, FILE-2, FILE-3, … (the number before the extension).
 * @module
 */
import { extname } from 'node:path';
import { UsageError } from './command.ts';
import { writeFileAtomic } from '../proofs-export/atomic-write.ts';
import type { Sequence } from '../impl/report/sequence.ts';
import { svgSequence } from '../impl/report/svg-sequence.ts';
import { mermaidSequence } from '../impl/report/mermaid-sequence.ts';

/** `lowe.svg`, 2 → `lowe-2.svg` */
export function numbered(path: string, k: number): string {
  if (k === 0) return path;
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}-${k + 1}${ext}`;
}

/** Write a text file, or fail with a one-line usage error naming it. */
export function writeOrSay(path: string, text: string, what: string): void {
  if (path === '') throw new UsageError(`the ${what} flag wants a file name`);
  try {
    writeFileAtomic(path, text);
  } catch (e) {
    throw new UsageError(`cannot write the ${what} to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Write the sequences as SVG and/or Mermaid; returns the files written. */
export function writeSequenceDiagrams(flags: { svg?: string; mermaid?: string; verbose?: boolean }, seqs: readonly Sequence[]): string[] {
  const written: string[] = [];
  const opts = { verbose: flags.verbose ?? false };
  seqs.forEach((s, k) => {
    if (flags.svg !== undefined) {
      const f = numbered(flags.svg, k);
      writeOrSay(f, svgSequence(s, opts), 'SVG diagram');
      written.push(f);
    }
    if (flags.mermaid !== undefined) {
      const f = numbered(flags.mermaid, k);
      writeOrSay(f, mermaidSequence(s, opts), 'Mermaid diagram');
      written.push(f);
    }
  });
  return written;
}
