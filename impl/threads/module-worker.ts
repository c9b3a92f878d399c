/**
 * Starting a worker thread on one of the project's own modules, from the TypeScript sources or
 * from the bundle alike. Beside the bundle (scripts/build.mjs) the worker is a `.cjs` file of the
 * same name and starts as it is. From the sources it is a `.ts` file, and Node 20 does not apply
 * an `--import tsx` given in a worker's execArgv (the worker fails with "Unknown file extension
 * '.ts'"), so the worker starts from a two-line bootstrap that registers tsx's loader in the
 * worker's own thread and then imports the module.
 * @module
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A worker running the module `name` (without extension) that sits beside `callerUrl` (the
 * caller's `import.meta.url`): `name.ts` beside a source module, `name.cjs` beside the bundle.
 */
export function startModuleWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const self = fileURLToPath(callerUrl);
  const ext = self.slice(self.lastIndexOf('.'));
  const file = new URL(`./${name}${ext}`, callerUrl);
  if (ext !== '.ts') return new Worker(file, options);
  const code = `import(${JSON.stringify(tsxEsmApi(callerUrl))}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

/**
 * The URL of tsx's ESM API as the caller would import it: read from the package's declared
 * `exports` (its CommonJS twin registers a loader path that does not exist when loaded directly).
 */
function tsxEsmApi(callerUrl: string): string {
  const pkg = createRequire(callerUrl).resolve('tsx/package.json');
  const exp = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api'];
  if (!exp) throw new Error(`tsx at ${dirname(pkg)} declares no ./esm/api export`);
  return pathToFileURL(join(dirname(pkg), exp.import.default)).href;
}
