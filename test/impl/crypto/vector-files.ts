/**
 * Readers for the known-answer files under test/vectors/ (hex, JSON, and the
 * `Name = value` record layout used by NIST CAVP and our transcriptions).
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VECTORS = fileURLToPath(new URL('../../vectors/', import.meta.url));

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${s}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function readText(rel: string): string {
  return readFileSync(VECTORS + rel, 'utf8');
}

export function readJson<T>(rel: string): T {
  return JSON.parse(readText(rel)) as T;
}

/**
 * Records separated by blank lines, each line `Name = value` (value may be empty); lines
 * starting with `#` or `[` are skipped. Repeated names get a numeric suffix (`Name#2`).
 */
export function readRecords(rel: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const block of readText(rel).split(/\r?\n\s*\r?\n/)) {
    const rec: Record<string, string> = {};
    for (const line of block.split(/\r?\n/)) {
      const t = line.trim();
      if (t === '' || t.startsWith('#') || t.startsWith('[')) continue;
      const eq = t.indexOf('=');
      if (eq < 0) continue;
      let name = t.slice(0, eq).trim();
      for (let i = 2; name in rec; i++) name = `${t.slice(0, eq).trim()}#${i}`;
      rec[name] = t.slice(eq + 1).trim();
    }
    if (Object.keys(rec).length > 0) out.push(rec);
  }
  return out;
}

/** Field of a record, failing loudly if absent. */
export function field(rec: Record<string, string>, name: string): string {
  const v = rec[name];
  if (v === undefined) throw new Error(`vector record lacks ${name}: ${JSON.stringify(rec)}`);
  return v;
}
