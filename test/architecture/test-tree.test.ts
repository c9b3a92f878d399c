/**
 * The test tree mirrors the source tree (issue 14, item 10): a test of `impl/tztcm/storage/` lives
 * under `test/impl/tztcm/storage/`, so a newcomer finds a module's tests by its path. Every folder
 * under `test/` that holds tests is a source folder's mirror; data folders (`vectors`, `golden`,
 * `fixtures`) and the tree's own checks (`architecture`) are the only others, and no test file
 * lives outside `test/`.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LAYERS = ['models', 'impl', 'properties', 'proofs-export', 'cli'];
/** folders of test data or of the tree's own checks: not mirrors of a source folder */
const NOT_MIRRORS = new Set(['architecture', 'vectors', 'golden', 'fixtures']);
const isTest = (name: string) => /\.(test|prop)\.ts$/.test(name);

function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'node_modules')
    .flatMap((e) => [join(dir, e.name), ...folders(join(dir, e.name))]);
}

test('every test folder under test/ mirrors a source folder', () => {
  const wrong: string[] = [];
  for (const d of folders(join(root, 'test'))) {
    const rel = relative(join(root, 'test'), d);
    if (rel.split('/').some((part) => NOT_MIRRORS.has(part))) continue;
    if (!readdirSync(d).some(isTest)) continue;
    if (!existsSync(join(root, rel)) || !statSync(join(root, rel)).isDirectory()) wrong.push(`test/${rel} (no source folder ${rel}/)`);
  }
  assert.deepEqual(wrong, []);
});

test('no test file lives in a source folder', () => {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : isTest(e.name) ? [relative(root, join(dir, e.name))] : []));
  assert.deepEqual(LAYERS.flatMap((l) => walk(join(root, l))), []);
});
