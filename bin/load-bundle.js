// Loads the CLI bundle (dist/tcv.cjs, written by scripts/build.mjs) as a CommonJS module through
// V8 directly, with the code cache the build wrote beside it (`tcv.cjs.cache`): the bytecode of
// every function the build's warm-up ran, so a start neither parses nor compiles those again.
// V8 checks that a cache belongs to this source, this V8 and these flags, and ignores it
// otherwise (the bundle then runs as it is, only slower to start).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

export function loadBundle(file) {
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
