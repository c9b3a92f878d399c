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
  // tsx's API module as the caller would resolve it (a URL, so the eval'd import finds it anywhere)
  const api = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api')).href;
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}
