/**
 * How the s-core worker is started, three ways:
 *
 * - beside the bundle (`dist/tcv.cjs`): `dist/score-worker.cjs`, built by scripts/build.mjs;
 * - from the sources, default engine: the worker's sources bundled in memory with esbuild (the
 *   project's build tool) on first use in this process, then every worker evaluates that one
 *   file — a worker that loads ~150 TypeScript modules through tsx's loader hooks takes about
 *   2 s to boot on this machine, the bundle about 0.4 s (the TZTCM interop suites open a backend
 *   per test); the bundle is made from the sources as they are now, so it is never stale;
 * - from the sources when esbuild is missing, or when the configuration names modules by URL
 *   (test engines, added TAs — TypeScript files only tsx can load): score-worker.ts with tsx's
 *   loader registered first (an `--import tsx` in a worker's execArgv does not take effect on
 *   Node 20).
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SCoreWorkerData } from './score-worker.ts';

/** The file: URL of tsx's ESM API, from its package's export map (`import.meta.resolve` would
 * do, but the bundle is CommonJS and has no import.meta beyond the url). */
function tsxEsmApi(): string {
  const pkgFile = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

let bundled: Promise<string | null> | undefined;

/** The worker's sources as one CommonJS file, or null without esbuild. */
function bundleOfSources(file: string): Promise<string | null> {
  bundled ??= (async () => {
    let esbuild: { build: (o: object) => Promise<{ outputFiles: { text: string }[] }> };
    // by a variable, so that bundling this file (scripts/build.mjs) leaves esbuild out
    const name = 'esbuild';
    try {
      esbuild = (await import(name)) as typeof esbuild;
    } catch {
      return null;
    }
    const r = await esbuild.build({
      entryPoints: [fileURLToPath(file)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      define: { 'import.meta.url': JSON.stringify(file) },
    });
    return r.outputFiles[0]!.text;
  })().catch(() => null);
  return bundled;
}

export async function newSCoreWorker(workerData: SCoreWorkerData): Promise<Worker> {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts')) return new Worker(new URL('./score-worker.cjs', import.meta.url), { workerData });
  const file = new URL('./score-worker.ts', import.meta.url).href;
  const byUrl = workerData.engine?.module !== undefined || (workerData.apps?.length ?? 0) > 0;
  const code = byUrl ? null : await bundleOfSources(file);
  if (code !== null) return new Worker(code, { eval: true, workerData });
  const boot = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
