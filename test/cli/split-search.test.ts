/**
 * One search split across shards (`tcv verify <target> --shard i/n`, the explorer's `split`)
 * and combined by `tcv merge`: the merged verdicts are the unsplit search's (NSPK at two
 * sessions: attacks and holds; NSL: every property holds), a missing shard or a target given
 * whole and split is refused, and the soundness rule is applied: an attack in one shard is an
 * attack, an open property in one shard is inconclusive (exit 4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcv } from './harness.ts';
import { targetOf } from '../../models/target.ts';

const work = mkdtempSync(join(tmpdir(), 'tcv-split-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

type Report = { protocol: string; split?: { index: number; count: number }; properties: { id: string; verdict: string }[]; stats: { states: number }; shards?: { index: number; states: number }[] };
const verdicts = (r: Report) => r.properties.map((x) => `${x.id} ${x.verdict}`);

async function shards(target: string[], n: number): Promise<{ files: string[]; reports: Report[] }> {
  const files: string[] = [];
  const reports: Report[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await tcv('verify', ...target, '--shard', `${i}/${n}`, '--json');
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const file = join(work, `${target.join('-')}-${i}-of-${n}.json`);
    writeFileSync(file, r.out);
    files.push(file);
    reports.push(JSON.parse(r.out) as Report);
  }
  return { files, reports };
}

for (const target of [['nspk', '--sessions', '2'], ['nsl', '--sessions', '2']]) {
  test(`${target.join(' ')}: 3 shards of the search, merged, give the unsplit verdicts`, async () => {
    const whole = JSON.parse((await tcv('verify', ...target, '--json')).out) as Report;
    const { files, reports } = await shards(target, 3);
    assert.deepEqual(reports.map((r) => r.split), [1, 2, 3].map((index) => ({ index, count: 3 })));
    const merged = await tcv('merge', ...files, '--json');
    assert.equal(merged.code, 0, merged.err);
    const [m] = JSON.parse(merged.out) as Report[];
    assert.deepEqual(verdicts(m!), verdicts(whole));
    assert.equal(m!.split, undefined, 'the merged report is the whole search');
    assert.deepEqual(m!.shards!.map((s) => s.index), [1, 2, 3]);
    assert.equal(m!.stats.states, reports.reduce((n, r) => n + r.stats.states, 0));
  });
}

test('merge refuses a split search with a shard missing, or a target whole and split', async () => {
  const { files } = await shards(['nsl'], 2);
  const missing = await tcv('merge', files[0]!);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nsl: shard 2\/2 of the split search missing/);
  const wholeFile = join(work, 'nsl-whole.json');
  writeFileSync(wholeFile, (await tcv('verify', 'nsl', '--json')).out);
  const mixed = await tcv('merge', wholeFile, ...files);
  assert.equal(mixed.code, 2);
  assert.match(mixed.err, /nsl is in .* whole and in .* as a shard of a split search/);
});

test('the soundness rule: one shard with an attack makes an attack; one open shard, inconclusive', async () => {
  const { files, reports } = await shards(['nsl'], 2);
  const edited = (verdict: string) => {
    const r = structuredClone(reports[1]!);
    r.properties[0]!.verdict = verdict;
    const f = join(work, `nsl-2-${verdict}.json`);
    writeFileSync(f, JSON.stringify(r));
    return f;
  };
  const attacked = await tcv('merge', files[0]!, edited('attack'), '--json');
  assert.equal(attacked.code, 1);
  assert.equal((JSON.parse(attacked.out) as Report[])[0]!.properties[0]!.verdict, 'attack');
  const open = await tcv('merge', files[0]!, edited('inconclusive'));
  assert.equal(open.code, 4);
});

test('--shard of one search needs one target', async () => {
  const dir = join(work, 'demo');
  await tcv('init', dir);
  const r = await tcv('verify', dir, '--shard', '1/2');
  assert.equal(r.code, 2);
  assert.match(r.err, /--shard splits one search: name one target/);
});

test("the explorer's split option as a shard uses it: one part is the whole search; three parts each smaller", async () => {
  const { explore } = await import('../../properties/explorer/search.ts');
  const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
  // NSPK's properties that hold, at two sessions: a search that runs to its end
  const nspk = ALL_PROTOCOLS.find((p) => p.name === 'nspk')!;
  const holding = nspk.properties.filter((x) => x.expected !== 'attack').map((x) => x.id);
  const { SPLIT_DEPTH } = await import('../../properties/explorer/parallel-search.ts');
  const run = (split?: { part: number; parts: number }) => explore(targetOf(nspk, undefined, { sessions: 2 }), { properties: holding, ...(split ? { split: { ...split, depth: SPLIT_DEPTH } } : {}) }).stats.states;
  const whole = { stats: { states: run() } };
  assert.equal(run({ part: 0, parts: 1 }), whole.stats.states);
  const parts = [0, 1, 2].map((part) => run({ part, parts: 3 }));
  assert.ok(parts.every((n) => n < whole.stats.states), `each shard smaller than the whole ${whole.stats.states}: ${parts.join(', ')}`);
  assert.ok(parts.filter((n) => n > 1).length >= 2, `the branches are spread over the shards: ${parts.join(', ')}`);
});
