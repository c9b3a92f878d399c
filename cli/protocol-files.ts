/**
 * Protocols from the user's own files: every command that takes a protocol also takes a path to a
 * `.ts`, `.mts`, `.js` or `.mjs` module anywhere on disk, or a directory of them. A module
 * exports one or more protocols (default or named; arrays of protocols too). TypeScript loads
 * without a build step (the bin runs from the sources when a protocol file is named, so tsx is
 * registered and the file shares tcv's module instances), and an import of this package by name
 * resolves to the running tcv (package-alias-hooks.mjs). Every protocol found is validated
 * before any interpreter sees it; a module that does not load, exports no protocol or exports
 * an ill-formed one is refused in one line naming the file (exit 2).
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Protocol } from '../models/protocol.ts';
import { protocolProblems } from '../models/validate.ts';
import { UsageError } from './command.ts';

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** Is this argument a path rather than a built-in protocol's name? (Names have no '/' or '.'.) */
export function isProtocolPath(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || EXTENSIONS.includes(extname(arg)) || arg === '.' || arg === '..';
}

/** A protocol value: the shape every interpreter relies on. */
function isProtocol(x: unknown): x is Protocol {
  const p = x as Partial<Protocol> | null;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && Array.isArray(p.roles) && Array.isArray(p.properties) && Array.isArray(p.variants);
}

/** The loader hooks that resolve an import of this package by name to the running tcv (a
 * worker thread that imports a user's module registers them too: verify-pool.ts). */
export function packageAliasHooks(): { url: string; data: { name: string; root: string } } {
  const root = new URL('..', import.meta.url);
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { name: string };
  return { url: new URL('package-alias-hooks.mjs', import.meta.url).href, data: { name: pkg.name, root: root.href } };
}

let aliasRegistered = false;
function registerPackageAlias(): void {
  if (aliasRegistered) return;
  aliasRegistered = true;
  const { url, data } = packageAliasHooks();
  register(url, { data });
}

function filesUnder(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(path, e.name)) : EXTENSIONS.includes(extname(e.name)) && !/\.(test|prop|spec)\.[cm]?[jt]s$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(path, e.name)] : []))
    .sort();
}

/** The protocols a module exports (in export order, each once). */
async function protocolsOfModule(file: string): Promise<Protocol[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new UsageError(`${file}: does not load: ${msg.split('\n').find((l) => l.trim()) ?? msg}`);
  }
  const out: Protocol[] = [];
  for (const v of Object.values(mod)) for (const x of Array.isArray(v) ? v : [v]) if (isProtocol(x) && !out.includes(x)) out.push(x);
  return out;
}

/** The file each protocol loaded from a user's module came from (for CI locations). */
const sourceFiles = new WeakMap<Protocol, string>();
export function sourceFileOf(p: Protocol): string | undefined {
  return sourceFiles.get(p);
}

export interface LoadedProtocol {
  readonly protocol: Protocol;
  /** the module it came from, relative to the working directory */
  readonly file: string;
}

/**
 * Every protocol of the module or directory at `path` (with `pick`: the one of that name).
 * Throws UsageError for a path that does not exist, a module that does not load, no protocol,
 * a name exported twice, or an ill-formed protocol (every problem named).
 */
export async function loadProtocolFiles(path: string, pick?: string): Promise<LoadedProtocol[]> {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new UsageError(`${path}: no such file or directory`);
  const files = filesUnder(abs);
  if (!files.length) throw new UsageError(`${path}: no ${EXTENSIONS.join('/')} module in it`);
  registerPackageAlias();
  const found: LoadedProtocol[] = [];
  for (const f of files) {
    const shown = relative(process.cwd(), f) || f;
    const ps = await protocolsOfModule(f);
    // a directory may hold helper modules; a file named on its own must export a protocol
    if (!ps.length && files.length === 1) throw new UsageError(`${shown}: exports no protocol (export one, default or named: an object with name, roles, properties, variants)`);
    for (const p of ps) {
      const twin = found.find((x) => x.protocol.name === p.name);
      if (twin) throw new UsageError(`${shown}: protocol '${p.name}' is also exported by ${twin.file}`);
      found.push({ protocol: p, file: shown });
      sourceFiles.set(p, f);
    }
  }
  if (!found.length) throw new UsageError(`${path}: no module in it exports a protocol`);
  const chosen = pick === undefined ? found : found.filter((x) => x.protocol.name === pick);
  if (!chosen.length) throw new UsageError(`${path}: no protocol '${pick}' (it has ${found.map((x) => x.protocol.name).join(', ')})`);
  const problems = chosen.flatMap(({ protocol, file }) => protocolProblems(protocol).map((m) => `${file}: ${m}`));
  if (problems.length) throw new UsageError(`the model is not well formed:\n  - ${problems.join('\n  - ')}`);
  return chosen;
}

/**
 * What a command's protocol argument names: a built-in protocol of `corpus` by name, or every
 * protocol of a file or directory (`pick`: the one of that name, `--protocol`).
 */
export async function protocolsFor(arg: string, corpus: readonly Protocol[], pick?: string): Promise<Protocol[]> {
  // a bare word is a built-in name first, else a path (`tcv verify demo` after `tcv init demo`)
  if (isProtocolPath(arg) || (!corpus.some((p) => p.name === arg) && existsSync(arg))) return (await loadProtocolFiles(arg, pick)).map((x) => x.protocol);
  if (pick !== undefined) throw new UsageError('--protocol picks a protocol of a file or directory; a built-in protocol is named directly');
  const { protocolByName } = await import('../models/protocols/index.ts');
  return [protocolByName(arg, corpus)];
}

/** Exactly one protocol for a command that handles one (run, attack, export): a file with
 * several needs `--protocol NAME`. */
export async function oneProtocolFor(arg: string, corpus: readonly Protocol[], pick?: string): Promise<Protocol> {
  const found = await protocolsFor(arg, corpus, pick);
  if (found.length > 1) throw new UsageError(severalMessage(arg, found));
  return found[0]!;
}

/** "X has N protocols (a, b): pick one with --protocol NAME". */
export function severalMessage(arg: string, found: readonly Protocol[]): string {
  return `${arg} has ${found.length} protocols (${found.map((x) => x.name).join(', ')}): pick one with --protocol NAME`;
}
