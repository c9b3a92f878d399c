import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tcv } from './harness.ts';


test('tcv run key-exchange --json: the TEE and the TPM derived equal session keys', async () => {
  const r = await tcv('run', 'key-exchange', '--json', '--seed', '1');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const skey = j.secrets.find((s: { tag: string }) => s.tag === 'skey');
  assert.deepEqual(skey.values.map((v: { role: string }) => v.role).sort(), ['TEE', 'TPM']);
  assert.equal(skey.values[0].hex, skey.values[1].hex);
  assert.equal(j.ok, true);
  assert.ok(j.messages.length >= 5 && j.messages.every((m: { size: number; hex: string }) => m.size * 2 === m.hex.length));
});

test('tcv run with a seed is reproducible byte for byte', async () => {
  const a = JSON.parse((await tcv('run', 'provisioning', '--json', '--seed', '42')).out);
  const b = JSON.parse((await tcv('run', 'provisioning', '--json', '--seed', '42')).out);
  assert.deepEqual(a.messages, b.messages);
});

test('usage errors exit 2 with one line naming the problem', async () => {
  const cases: [string[], RegExp][] = [
    [['run', 'nope'], /unknown protocol 'nope'/],
    [['run', 'key-exchange', '--bogus'], /unknown flag '--bogus'/],
    [['verify', 'nspk', '--propert', 'NS1'], /unknown flag '--propert' — did you mean '--property'\?/],
    [['run', 'key-exchange', '--variant', 'M9.9'], /unknown variant 'M9.9'/],
    [['run', 'key-exchange', '--seed', 'x'], /--seed wants a whole number/],
    [['run'], /name a protocol/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, re] of cases) {
    const r = await tcv(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re);
    assert.equal(r.err.split('\n').length, 1, `one line for ${args.join(' ')}: ${r.err}`);
  }
});

test('every command has --help', async () => {
  const top = await tcv('--help');
  assert.equal(top.code, 0);
  const names = [...top.out.matchAll(/^ {2}(\S+) {2}/gm)].map((m) => m[1]!);
  assert.ok(names.includes('run') && names.includes('list'));
  for (const n of names) {
    const r = await tcv(n, '--help');
    assert.equal(r.code, 0, n);
    assert.match(r.out, /^usage: tcv /);
  }
});

test('every tztcm subcommand has its own --help', async () => {
  const top = await tcv('tztcm', '--help');
  const subs = [...top.out.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]!);
  assert.ok(subs.includes('monitor') && subs.includes('serve'), top.out);
  for (const s of subs) {
    const r = await tcv('tztcm', s, '--help');
    assert.equal(r.code, 0, s);
    assert.match(r.out, new RegExp(`^usage: tcv tztcm ${s} `), s);
  }
});

test('tcv list --json names every protocol with its parties, properties and variants', async () => {
  const r = await tcv('list', '--json');
  const j = JSON.parse(r.out) as { name: string; roles: { party: string }[]; properties: unknown[]; variants: { id: string }[] }[];
  for (const n of ['attestation', 'key-exchange', 'provisioning', 'tztcm-session', 'tztcm-storage', 'channel']) assert.ok(j.some((p) => p.name === n), n);
  const parties = new Set(j.flatMap((p) => p.roles.map((r) => r.party)));
  for (const party of ['TTP', 'TEE', 'TPM', 'TDDL', 'TZTCM']) assert.ok(parties.has(party), party);
  // the design's eleven M lines (M1.1–M5.1), the channel's M6.1 and M2.4 (P2.3 at a later command)
  assert.equal(j.flatMap((p) => p.variants.filter((v) => v.id.startsWith('M'))).length, 13);
});

test('the installed bin: exit code and a one-line error, no stack trace', () => {
  const r = spawnSync(process.execPath, ['bin/tcv.js', 'run', 'nope'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown protocol 'nope'/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('tcv verify --property decides only the named properties, and names an unknown one', async () => {
  const r = await tcv('verify', 'nspk', '--property', 'NS2', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(j.properties.map((x: { id: string }) => x.id), ['NS2']);
  assert.equal(j.properties[0].verdict, 'attack');
  assert.ok(j.properties[0].trace.steps.length > 0);
  const bad = await tcv('verify', 'nspk', '--property', 'NS9');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown property 'NS9' of nspk \(known: NS1, NS2, NS3, NS4\)/);
  const both = await tcv('verify', '--all', '--property', 'NS2');
  assert.equal(both.code, 2);
});
