/**
 * `--shard i/n` and `tcv merge`: every target in exactly one shard, the same on every call,
 * balanced within one target's cost of the mean; merged shard reports give one verdict and one
 * exit code, and overlapping shards are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { allTargets } from '../../models/target.ts';
import { benchCosts, parseShard, shardOf } from '../../cli/shard.ts';
import { tcv } from './harness.ts';

const key = (t: { protocol: { name: string }; variant: string | undefined }) => (t.variant ? `${t.protocol.name} ${t.variant}` : t.protocol.name);

test('shards partition the targets, deterministically and balanced by the benchmark costs', () => {
  const targets = allTargets(ALL_PROTOCOLS);
  const costs = benchCosts();
  assert.ok(costs.size >= 10, 'the explorer benchmark gives costs for the built-in targets');
  const cost = (t: (typeof targets)[number]) => costs.get(key(t)) ?? 1;
  for (const n of [1, 2, 3, 5]) {
    const shards = Array.from({ length: n }, (_, i) => shardOf(targets, key, { index: i + 1, count: n }, costs));
    assert.deepEqual(shards.flat().map(key).sort(), targets.map(key).sort(), `n=${n}: every target exactly once`);
    assert.deepEqual(shardOf(targets, key, { index: 1, count: n }, costs).map(key), shards[0]!.map(key), 'the same on every call');
    const loads = shards.map((s) => s.reduce((a, t) => a + cost(t), 0));
    const mean = loads.reduce((a, b) => a + b, 0) / n;
    assert.ok(Math.max(...loads) <= mean + Math.max(...targets.map(cost)), `n=${n}: loads ${loads.map(Math.round)}`);
  }
});

test('--shard is parsed strictly', () => {
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/3/4', '-1/3']) assert.throws(() => parseShard(bad), /--shard wants i\/n/, bad);
});

test('tcv merge: one table and exit code from several reports; overlaps refused; a differing verdict is exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcv-merge-'));
  try {
    const a = await tcv('verify', 'nspk', '--json');
    const b = await tcv('verify', 'nsl', '--json');
    writeFileSync(join(dir, 'a.json'), a.out);
    writeFileSync(join(dir, 'b.json'), b.out);
    const m = await tcv('merge', join(dir, 'a.json'), join(dir, 'b.json'));
    assert.equal(m.code, 0, m.err);
    assert.match(m.out, /all 8 verdicts as expected \(2 targets from 2 report/);
    const twice = await tcv('merge', join(dir, 'a.json'), join(dir, 'a.json'));
    assert.equal(twice.code, 2);
    assert.match(twice.err, /nspk is in both/);
    const flipped = JSON.parse(b.out);
    flipped.properties[0].expected = flipped.properties[0].verdict === 'holds' ? 'attack' : 'holds';
    writeFileSync(join(dir, 'c.json'), JSON.stringify(flipped));
    assert.equal((await tcv('merge', join(dir, 'a.json'), join(dir, 'c.json'))).code, 1);
    writeFileSync(join(dir, 'bad.json'), '{"x": 1}');
    assert.equal((await tcv('merge', join(dir, 'bad.json'))).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tcv merge: the shards of verify --all --shard i/n name themselves, and a missing shard is refused (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcv-merge-'));
  try {
    // a real run's report, stamped as `verify --all --shard i/3` stamps each of its reports
    const one = JSON.parse((await tcv('verify', 'nspk', '--json')).out);
    const shardFile = (i: number, protocol: string) => {
      const f = join(dir, `s${i}.json`);
      writeFileSync(f, JSON.stringify([{ ...one, protocol, allShard: { index: i, count: 3 } }]));
      return f;
    };
    const [s1, s2, s3] = [shardFile(1, 'nspk'), shardFile(2, 'nspk-2'), shardFile(3, 'nspk-3')];
    const lost = await tcv('merge', s1, s3);
    assert.equal(lost.code, 2);
    assert.match(lost.err, /shard 2 of 3 missing/);
    const all = await tcv('merge', s1, s2, s3, '--json');
    assert.equal(all.code, 0, all.err);
    assert.ok(!all.out.includes('allShard'), 'the merged report is one whole, not a shard');
    // every shard gets a target: more shards than targets is a usage error
    const many = await tcv('verify', '--all', '--shard', '1/64', '--json');
    assert.equal(many.code, 2);
    assert.match(many.err, /more shards than the \d+ targets/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
