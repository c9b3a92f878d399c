/**
 * The drawing flags and commands: tcv verify --svg/--mermaid, tcv run --svg, tcv diagram,
 * tcv report; files written whole, bad input a one-line usage error (exit 2).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roleOf } from '../../models/role.ts';
import { protocolByName } from '../../models/protocols/index.ts';
import { tcv } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'tcv-diagrams-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("tcv verify nspk --svg --mermaid: Lowe's attack drawn with the steps of its trace", async () => {
  const svg = join(dir, 'lowe.svg');
  const mmd = join(dir, 'lowe.mmd');
  const r = await tcv('verify', 'nspk', '--property', 'NS2', '--svg', svg, '--mermaid', mmd);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /wrote .*lowe\.svg/);
  const json = JSON.parse((await tcv('verify', 'nspk', '--property', 'NS2', '--json')).out);
  const steps = json.properties.find((x: { id: string }) => x.id === 'NS2').trace.steps.length;
  const text = readFileSync(svg, 'utf8');
  assert.equal(new Set([...text.matchAll(/data-step="(\d+)"/g)].map((m) => m[1])).size, steps);
  const m = readFileSync(mmd, 'utf8');
  assert.match(m, /^sequenceDiagram\n/);
  assert.equal(new Set([...m.matchAll(/: (\d+)\. msg/g)].map((x) => x[1])).size, steps);
});

test('tcv run --svg: an arrow per message of the honest run', async () => {
  const svg = join(dir, 'run.svg');
  const r = await tcv('run', 'key-exchange', '--seed', '1', '--svg', svg);
  assert.equal(r.code, 0, r.err);
  const n = JSON.parse((await tcv('run', 'key-exchange', '--seed', '1', '--json')).out).messages.length;
  assert.equal([...readFileSync(svg, 'utf8').matchAll(/<line [^>]*class="msg sent"/g)].length, n);
});

test('tcv diagram key-exchange --role TEE --svg: the TEE machine; --stately: its XState JSON', async () => {
  const svg = join(dir, 'tee.svg');
  const json = join(dir, 'tee.json');
  const r = await tcv('diagram', 'key-exchange', '--role', 'TEE', '--svg', svg, '--stately', json);
  assert.equal(r.code, 0, r.err);
  const def = roleOf(protocolByName('key-exchange').roles.find((x) => x.role === 'TEE')!.machine);
  const text = readFileSync(svg, 'utf8');
  assert.match(text, /data-kind="state"/);
  for (const s of new Set(def.transitions.flatMap((t) => [t.from, t.to]))) assert.ok(text.includes(`>${s}<`), `state ${s}`);
  const j = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(j.id, 'TEE');
  assert.ok(Object.keys(j.states).includes(def.initial));
});

test('tcv diagram --variant highlights what the edit changed', async () => {
  const r = await tcv('diagram', 'provisioning', '--variant', 'M3.2');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /class="edited"/);
  assert.match(r.out, /M3\.2: drops check/);
  const base = await tcv('diagram', 'provisioning');
  assert.doesNotMatch(base.out, /class="edited"/);
});

test('tcv report --out: one HTML file with the verdicts, the attack and the diagrams', async () => {
  const out = join(dir, 'report');
  const r = await tcv('report', 'nspk:base', '--sessions', '1', '--out', out);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /report: .*index\.html/);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(html, /id="verdicts"/);
  assert.match(html, /data-kind="sequence"/);
  assert.match(html, /data-kind="state"/);
  assert.doesNotMatch(html, /<script|<link |src="http/i);
});

test('drawing: bad input is one line, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['diagram'], /name a protocol/],
    [['diagram', 'nope'], /unknown protocol 'nope'/],
    [['diagram', 'key-exchange', '--role', 'XX'], /unknown role 'XX'/],
    [['diagram', 'key-exchange', '--variant', 'M9'], /unknown variant 'M9'/],
    [['verify', 'nspk', '--property', 'NS2', '--svg', '/etc/passwd/x.svg'], /cannot write the SVG diagram to \/etc\/passwd\/x\.svg/],
    [['verify', '--all', '--svg', 'x.svg'], /--svg and --mermaid draw the traces of one protocol/],
    [['report', 'nspk:M9'], /unknown variant 'M9'/],
    [['report', '--out', ''], /--out wants a directory/],
  ];
  for (const [args, re] of cases) {
    const r = await tcv(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  }
});
