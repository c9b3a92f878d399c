// Loads the CLI bundle (dist/tcv.cjs, written by scripts/build.mjs) as a CommonJS module through
// V8 directly, with the code cache the build wrote beside it (`tcv.cjs.cache`): the bytecode of
// every function the build's warm-up ran, so a start neither parses nor compiles those again.
// V8 checks that a cache belongs to this source, this V8 and these flags, and ignores it
// otherwise (the bundle then runs as it is, only slower to start).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

// V8 optimises a function once it has run bytecode worth this many bytes (default 67 584). Most
// `tcv` runs are short searches; there, the default tiers up functions that then have little
// left to run, and their compiles compete for the machine. At this budget `tcv verify nspk`'s
// search (132 states, cold) took a median 114 ms instead of 163 ms, while searches of seconds
// (key-exchange two-phase, attestation M1.2, provisioning M3.2) took the same time (see the
// README's benchmarks). The code cache below is checked against V8's flags: the build's warm-up
// loads the bundle through this function too, with the same flag. TCV_V8_DEFAULT_TIERING=1
// keeps V8's default, for the benchmark that compares the two (the code cache then does not
// apply).
const INTERRUPT_BUDGET = 300_000;

export function loadBundle(path) {
  const file = resolve(path);
  if (!process.env.TCV_V8_DEFAULT_TIERING) v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  const source = readFileSync(file, 'utf8');
  let cachedData;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    // an import() the bundler left (a Node built-in) resolves as it would in a module file
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script };
}
