// `npm run build`: bundles the CLI, the explorer's pool worker and the TZTCM s-core worker into dist/ (CommonJS, one file
// each, dependencies inside), then runs a short warm-up of the CLI to write the V8 code cache
// the bin loads with the bundle (bin/load-bundle.js). One file and a code cache instead of a
// tree of modules: a `tcv` start resolves, reads and compiles one file, with the functions a
// verification runs already compiled to bytecode. The stamp (dist/.build-stamp) is written last,
// so a failed build never leaves a bundle the bin takes for fresh.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist`;
const out = process.argv[2] ?? dist;
const OUTPUTS = ['.build-stamp', 'tcv.cjs', 'tcv.cjs.cache', 'verify-worker.cjs', 'score-worker.cjs', 'host-worker.cjs'];

// dist/ is the build's own (older builds left other files there); another directory given (the
// tests build into a temporary one) loses only what a build writes
if (out === dist) rmSync(out, { recursive: true, force: true });
else for (const f of OUTPUTS) rmSync(`${out}/${f}`, { force: true });
mkdirSync(out, { recursive: true });
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // the pool finds its worker file beside the module that starts it (verify-pool.ts)
  define: { 'import.meta.url': '__tcv_module_url' },
  banner: { js: "var __tcv_module_url = require('node:url').pathToFileURL(__filename).href;" },
};
// Graphviz (WebAssembly, 1.2 MB) stays in node_modules: loaded only by the commands that draw
// state diagrams, never read by a start that does not
await build({ ...common, entryPoints: [`${root}cli/main.ts`], outfile: `${out}/tcv.cjs`, external: ['@viz-js/viz'] });
await build({ ...common, entryPoints: [`${root}properties/explorer/verify-worker.ts`], outfile: `${out}/verify-worker.cjs` });
// the TZTCM's s-core worker, found beside the bundle by impl/tztcm/score/score.ts
await build({ ...common, entryPoints: [`${root}impl/tztcm/score/score-worker.ts`], outfile: `${out}/score-worker.cjs` });
// the active measurement's host-core thread (impl/threads/module-worker.ts finds it beside the bundle)
await build({ ...common, entryPoints: [`${root}impl/tztcm/monitor/host-worker.ts`], outfile: `${out}/host-worker.cjs` });

const warm = spawnSync(process.execPath, [`${root}scripts/code-cache.mjs`, `${out}/tcv.cjs`], { stdio: ['ignore', 'ignore', 'inherit'] });
if (warm.status !== 0) throw new Error('the code-cache warm-up failed (see above)');
writeFileSync(`${out}/.build-stamp`, '');
