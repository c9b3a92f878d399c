/**
 * The shipped CLI: `npm run build`'s bundle (scripts/build.mjs), loaded as the bin loads it
 * (bin/load-bundle.js), built here into a temporary directory. The other CLI tests run the
 * sources in this process; these catch what only the bundle can get wrong (a path resolved
 * beside a module, the worker file, the code cache).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PoolAnswer, PoolJob } from '../../properties/explorer/verify-pool.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = mkdtempSync(join(tmpdir(), 'tcv-bundle-'));
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), dist], { encoding: 'utf8' });

/** Runs the bundle's `main` in a child process, as bin/tcv.js does. */
function bundled(...args: string[]): { code: number | null; out: string; err: string } {
  const script = `import { loadBundle } from ${JSON.stringify(join(root, 'bin/load-bundle.js'))};
const { exports, script } = loadBundle(${JSON.stringify(join(dist, 'tcv.cjs'))});
if (script.cachedDataRejected !== false) process.stderr.write('code cache rejected\\n');
process.exitCode = await exports.main(process.argv.slice(1));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { encoding: 'utf8', env: { ...process.env, TCV_FROM_SOURCE: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the build writes the bundle, the worker bundle, a code cache and the stamp last', () => {
  assert.equal(build.status, 0, build.stderr);
  assert.deepEqual(readdirSync(dist).sort(), ['.build-stamp', 'host-worker.cjs', 'score-worker.cjs', 'tcv.cjs', 'tcv.cjs.cache', 'verify-worker.cjs']);
});

test('the bundle runs with its code cache accepted, and decides Lowe’s attack', () => {
  const r = bundled('verify', 'nspk', '--property', 'NS2', '--json');
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.err, /code cache rejected/);
  assert.equal(JSON.parse(r.out).properties[0].verdict, 'attack');
});

test('the bundled export knows the classic corpus (it once looked for it beside the module)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcv-bundle-export-'));
  const one = bundled('export', 'nspk', '--tamarin', join(dir, 'nspk.spthy'));
  assert.equal(one.code, 0, one.err);
  const all = bundled('export', '--all', '--tamarin', dir);
  assert.equal(all.code, 0, all.err);
  for (const f of ['nspk.spthy', 'nsl.spthy', 'attestation.spthy']) assert.ok(existsSync(join(dir, f)), f);
});

test('the worker bundle beside the bundle answers a pool job', async () => {
  const w = new Worker(join(dist, 'verify-worker.cjs'));
  try {
    const answer = await new Promise<PoolAnswer>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage({ k: 7, module: undefined, target: { protocol: 'nsl', variant: undefined, bound: { sessions: 1 } }, opts: {}, hooks: [] } satisfies PoolJob);
    });
    assert.equal(answer.k, 7);
    assert.ok('report' in answer, JSON.stringify(answer));
    assert.deepEqual(answer.report.properties.map((p) => p.verdict), ['holds', 'holds', 'holds', 'holds']);
  } finally {
    await w.terminate();
  }
});

test('a usage error from the bundle is one line, exit 2', () => {
  const r = bundled('verify', 'nope');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown protocol 'nope'/);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
});

test('a damaged bundle: the bin says so in one line and runs from the sources', () => {
  // a copy of the package whose bin and dist are its own (the rest linked to this checkout)
  const pkg = mkdtempSync(join(tmpdir(), 'tcv-damaged-'));
  mkdirSync(join(pkg, 'bin'));
  for (const f of ['tcv.js', 'load-bundle.js']) copyFileSync(join(root, 'bin', f), join(pkg, 'bin', f));
  for (const d of ['models', 'impl', 'properties', 'proofs-export', 'cli', 'node_modules', 'package.json']) symlinkSync(join(root, d), join(pkg, d));
  mkdirSync(join(pkg, 'dist'));
  writeFileSync(join(pkg, 'dist/tcv.cjs'), 'var x = function (');
  writeFileSync(join(pkg, 'dist/.build-stamp'), '');
  const r = spawnSync(process.execPath, [join(pkg, 'bin/tcv.js'), 'verify', 'nspk', '--property', 'NS2'], { encoding: 'utf8', env: { ...process.env, TCV_FROM_SOURCE: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^tcv: the build in dist\/ does not load \(.+\); running from the sources/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stdout, /NS2\s+non-injective-agreement\s+expected attack\s+verdict attack/);
});
