/**
 * The package as npm publishes it: `npm pack` holds what `tcv` needs (the bin, the sources of
 * every layer, the init templates, the bundle when it is built) and no tests; and a project that
 * installs the tarball — offline, from npm's cache, never downloading — runs `npx tcv verify` on
 * a protocol file that imports 'tee-tpm-channel-verifier' by name, and its own node:test gate.
 * The install pins the dependencies to this checkout's package-lock.json (resolved URLs and
 * integrity), so npm needs only the tarballs `npm ci` put in the cache; when the cache lacks one,
 * the install test is skipped and says why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; private?: boolean; dependencies: Record<string, string>; bin: Record<string, string>; engines: Record<string, string> };
const work = mkdtempSync(join(tmpdir(), 'tcv-pack-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

// --ignore-scripts: packing must not rebuild dist/ in the checkout (prepare); the tarball takes
// the bundle that is there
const npm = (args: string[], cwd: string) => spawnSync('npm', [...args, '--no-audit', '--no-fund', '--ignore-scripts'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });

test('npm pack: publishable, with the bin, every layer, the templates, and no tests', () => {
  assert.equal(pkg.private, undefined, 'the package is not private');
  const r = npm(['pack', '--dry-run', '--json'], root);
  assert.equal(r.status, 0, r.stderr);
  const files = new Set((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
  for (const f of ['package.json', 'bin/tcv.js', 'bin/load-bundle.js', 'cli/main.ts', 'cli/api.ts', 'cli/package-alias-hooks.mjs', 'cli/init-template/protocol.ts.txt', 'cli/init-template/protocol.test.ts.txt', 'models/protocol.ts', 'properties/explorer/verify.ts', 'impl/runtime/report.ts', 'proofs-export/tamarin/theory.ts', 'bench/results/explorer.json'])
    assert.ok(files.has(f), `the tarball holds ${f}`);
  if (existsSync(join(root, 'dist/tcv.cjs'))) for (const f of ['dist/tcv.cjs', 'dist/.build-stamp', 'dist/verify-worker.cjs']) assert.ok(files.has(f), `the tarball holds ${f}`);
  const tests = [...files].filter((f) => /\.(test|prop)\.ts$/.test(f) || f.startsWith('test/') || f.includes('node_modules/'));
  assert.deepEqual(tests, [], 'no tests or node_modules in the tarball');
});

test('the tarball installs offline into an empty project and npx tcv verifies a file importing the package', { timeout: 180_000 }, (t) => {
  const packed = npm(['pack', '--pack-destination', work], root);
  assert.equal(packed.status, 0, packed.stderr);
  const tgz = join(work, `${pkg.name}-${pkg.version}.tgz`);
  assert.ok(existsSync(tgz), packed.stdout);
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'tcv.tgz'), readFileSync(tgz));
  // a lockfile with this checkout's resolved dependencies: `npm ci --offline` then reads npm's
  // cache for tarballs only (a range would need the registry's metadata)
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'my-protocols', dependencies: { [pkg.name]: 'file:tcv.tgz' } },
    [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: 'file:tcv.tgz', integrity, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [k, v] of Object.entries(lock.packages)) if (k && !v.dev) packages[k] = v;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-protocols', private: true, type: 'module', dependencies: { [pkg.name]: 'file:tcv.tgz' } }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'my-protocols', lockfileVersion: 3, requires: true, packages }));
  const ci = npm(['ci', '--offline'], project);
  if (ci.status !== 0 && /ENOTCACHED/.test(ci.stderr)) return t.skip(`npm's cache lacks a dependency, and nothing may download: ${ci.stderr.split('\n').find((l) => /ENOTCACHED/.test(l) || /request to/.test(l))}`);
  assert.equal(ci.status, 0, ci.stderr);

  const npx = (...args: string[]) => spawnSync(join(project, 'node_modules/.bin/tcv'), args, { cwd: project, encoding: 'utf8' });
  assert.match(npx('--version').stdout, new RegExp(`tcv ${pkg.version.replace(/\./g, '\\.')}`));
  assert.equal(npx('init', 'demo').status, 0);
  assert.match(readFileSync(join(project, 'demo/protocol.ts'), 'utf8'), new RegExp(`from '${pkg.name}'`), 'the starter imports the package by name');
  const v = npx('verify', 'demo/protocol.ts', '--json');
  assert.equal(v.status, 0, v.stderr + v.stdout);
  const reports = JSON.parse(v.stdout) as { variant: string | null; properties: { verdict: string }[] }[];
  assert.deepEqual(reports.map((r) => [r.variant, r.properties.map((x) => x.verdict)]), [[null, ['holds']], ['M1', ['attack']]]);
  // the starter's own gate, run by the user's test runner with the installed package
  const gate = spawnSync(process.execPath, ['--import', 'tsx', '--test', 'demo/protocol.test.ts'], { cwd: project, encoding: 'utf8' });
  assert.equal(gate.status, 0, gate.stdout + gate.stderr);
  // the broken starter: the attack, exit 1 (a verdict from the installed explorer, not a constant)
  writeFileSync(join(project, 'demo/protocol.ts'), readFileSync(join(project, 'demo/protocol.ts'), 'utf8').replace(/^\s*check\('signature of R'.*$/m, ''));
  const broken = npx('verify', 'demo/protocol.ts');
  assert.equal(broken.status, 1, broken.stdout + broken.stderr);
  assert.match(broken.stdout, /violates A1/);
  // a built-in protocol through the installed bundle
  assert.equal(npx('verify', 'nspk', '--property', 'NS2').status, 0);
});
