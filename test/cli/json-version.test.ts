/**
 * `--version` and the versions inside every JSON a command prints (cli/version.ts): verify (one
 * target and an array), attack, run, list and merge each carry schemaVersion and tcvVersion (in
 * every element of an array); merge writes its own and refuses a report of a newer schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcv } from './harness.ts';
import { SCHEMA_VERSION } from '../../cli/version.ts';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const work = mkdtempSync(join(tmpdir(), 'tcv-json-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

function assertStamped(what: string, text: string): unknown {
  const data = JSON.parse(text) as unknown;
  const items = Array.isArray(data) ? data : [data];
  assert.ok(items.length > 0, what);
  for (const x of items as Record<string, unknown>[]) {
    assert.equal(x['schemaVersion'], SCHEMA_VERSION, `${what}: schemaVersion`);
    assert.equal(x['tcvVersion'], version, `${what}: tcvVersion`);
    assert.deepEqual(Object.keys(x).slice(0, 2), ['schemaVersion', 'tcvVersion'], `${what}: the versions come first`);
  }
  return data;
}

test('tcv --version prints the package version', async () => {
  const r = await tcv('--version');
  assert.equal(r.code, 0);
  assert.equal(r.out, `tcv ${version}`);
});

test('every JSON output carries schemaVersion and tcvVersion', async () => {
  const dir = join(work, 'demo');
  await tcv('init', dir);
  const outputs: [string, string[]][] = [
    ['verify one target', ['verify', 'nspk', '--property', 'NS2', '--json']],
    ['verify a directory (array)', ['verify', dir, '--json']],
    ['attack', ['attack', 'nspk', '--json']],
    ['run', ['run', 'nspk', '--json']],
    ['run --stream', ['run', 'channel', '--stream', '2KiB', '--json']],
    ['list (array)', ['list', '--json']],
  ];
  for (const [what, args] of outputs) {
    const r = await tcv(...args);
    assert.ok(r.code === 0, `${what}: exit ${r.code} ${r.err}`);
    assertStamped(what, r.out);
  }
  const shard = join(work, 'one.json');
  writeFileSync(shard, (await tcv('verify', dir, '--json')).out);
  const merged = await tcv('merge', shard, '--json');
  assert.equal(merged.code, 0, merged.err);
  assertStamped('merge', merged.out);
});

test('merge refuses a report written with a newer schema, in one line', async () => {
  const dir = join(work, 'newer');
  await tcv('init', dir);
  const reports = JSON.parse((await tcv('verify', dir, '--json')).out) as Record<string, unknown>[];
  const file = join(work, 'newer.json');
  writeFileSync(file, JSON.stringify(reports.map((r) => ({ ...r, schemaVersion: SCHEMA_VERSION + 1, tcvVersion: '99.0.0' }))));
  const r = await tcv('merge', file);
  assert.equal(r.code, 2);
  assert.ok(r.err.includes(`written by a newer tcv (99.0.0, schemaVersion ${SCHEMA_VERSION + 1}; this tcv reads up to ${SCHEMA_VERSION})`), r.err);
  assert.equal(r.err.split('\n').length, 1);
});
