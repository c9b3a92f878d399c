#!/usr/bin/env node
// `tcv` launcher. Runs the bundle in dist/ (built by `npm run build`, which `npm ci` runs
// through `prepare`; see scripts/build.mjs) when it is newer than every TypeScript source, so a
// start pays for no compiling; otherwise — a source was edited since — runs the sources through
// tsx, so a changed model is never run stale. TCV_FROM_SOURCE=1 forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// output errors (EPIPE, a full disk) are handled by the CLI itself: one line, exit 5
// (cli/output.ts)

const root = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['models', 'impl', 'properties', 'proofs-export', 'cli'];

function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// a protocol file (or a directory of them) among the arguments: run from the sources, so the
// file is loaded by tsx and shares the modules of the interpreters that read it
// (cli/protocol-files.ts)
const MODULE = /\.(ts|mts|js|mjs)$/;
function namesProtocolFiles(args) {
  return args.some((a) => {
    try {
      if (MODULE.test(a)) return existsSync(a) && statSync(a).isFile();
      if (!existsSync(a) || !statSync(a).isDirectory()) return false;
      return readdirSync(a, { withFileTypes: true }).some((e) => (e.isFile() && MODULE.test(e.name)) || (e.isDirectory() && e.name !== 'node_modules' && readdirSync(`${a}/${e.name}`).some((n) => MODULE.test(n))));
    } catch {
      return false;
    }
  });
}

function compiledIsFresh() {
  if (process.env.TCV_FROM_SOURCE || namesProtocolFiles(process.argv.slice(3))) return false;
  let stamp;
  try {
    stamp = statSync(`${root}dist/.build-stamp`).mtimeMs;
  } catch {
    return false;
  }
  return SOURCES.every((d) => newestSource(`${root}${d}`) <= stamp);
}

let main;
if (compiledIsFresh()) {
  const { loadBundle } = await import('./load-bundle.js');
  try {
    ({ main } = loadBundle(`${root}dist/tcv.cjs`).exports);
  } catch (e) {
    // a damaged build (a truncated file, a bundle that no longer loads): say so in one line and
    // run from the sources, which are the truth the bundle was made from
    process.stderr.write(`tcv: the build in dist/ does not load (${e instanceof Error ? e.message.split('\n')[0] : e}); running from the sources. Rebuild with 'npm run build'.\n`);
  }
}
if (!main) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
