/**
 * The tool's version (package.json) and the version of the JSON every command prints with
 * `--json`, so a script reading a report can tell which tcv wrote it and whether it knows the
 * shape. Every JSON object a command prints starts with `schemaVersion` and `tcvVersion`; an
 * array (verify --all, a directory, merge, list) carries them in each element, so the arrays
 * stay what `tcv merge` and older scripts read.
 *
 * schemaVersion 1: the shapes documented in properties/explorer/README.md (verify) and
 * docs/protocol-files.md (attack, run, merge). A change that removes or retypes a field raises it;
 * adding a field does not.
 * @module
 */
import { readFileSync } from 'node:fs';

export const SCHEMA_VERSION = 1;

let version: string | undefined;
/** The package's version (package.json beside the sources, or above the bundle in dist/). */
export function packageVersion(): string {
  if (version !== undefined) return version;
  try {
    version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    version = 'unknown';
  }
  return version;
}

const stamp = (x: unknown): unknown => (typeof x === 'object' && x !== null && !Array.isArray(x) ? { schemaVersion: SCHEMA_VERSION, tcvVersion: packageVersion(), ...x } : x);

/** The JSON text a command prints: `value` with the versions in it (in each element of an array). */
export function jsonOutput(value: unknown): string {
  return JSON.stringify(Array.isArray(value) ? value.map(stamp) : stamp(value), null, 2);
}
