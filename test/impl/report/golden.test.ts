/**
 * Golden SVGs, compared structurally (`svg-skeleton.ts`: elements, classes and texts, not
 * coordinates): an honest run of key-exchange (seed 1), Lowe's attack on NSPK, and the TEE
 * machine of key-exchange. `UPDATE_GOLDEN=1` rewrites them (look at them before committing).
 * Also: every SVG is self-contained (no scripts, nothing fetched) and the Mermaid text of
 * Lowe's attack has an arrow per message.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { protocolByName } from '../../../models/protocols/index.ts';
import { dotMachines } from '../../../impl/report/dot-machine.ts';
import { svgFromDot } from '../../../impl/report/svg-machine.ts';
import { svgSequence } from '../../../impl/report/svg-sequence.ts';
import { mermaidSequence } from '../../../impl/report/mermaid-sequence.ts';
import { honestKeyExchange, lowe } from './fixtures.ts';
import { svgSkeleton } from './svg-skeleton.ts';

const dir = fileURLToPath(new URL('../../golden/report/', import.meta.url));

function golden(file: string, svg: string): void {
  const path = dir + file;
  if (process.env['UPDATE_GOLDEN']) writeFileSync(path, svg);
  const want = svgSkeleton(readFileSync(path, 'utf8'));
  const got = svgSkeleton(svg);
  const k = got.findIndex((l, i) => l !== want[i]);
  assert.ok(k < 0 && got.length === want.length, `${file}: differs at element ${k < 0 ? Math.min(got.length, want.length) : k}: got ${got[k] ?? '(end)'}, golden ${want[k] ?? '(end)'} (UPDATE_GOLDEN=1 rewrites)`);
}

function selfContained(svg: string): void {
  assert.doesNotMatch(svg, /<script|@import|@font-face|url\(|xlink:href|\shref=/i, 'nothing fetched, nothing run');
  assert.match(svg, /prefers-color-scheme: dark/, 'a dark theme');
  assert.match(svg, /^<svg [^>]*viewBox="0 0 [\d.]+ [\d.]+"/);
}

test("golden: Lowe's attack", () => {
  const svg = svgSequence(lowe());
  selfContained(svg);
  golden('nspk-lowe.svg', svg);
  // the steps of the trace, each with its arrows; the violating arrow in red
  const steps = new Set([...svg.matchAll(/data-step="(\d+)"/g)].map((m) => m[1]));
  assert.deepEqual([...steps].sort(), lowe().events.filter((e) => e.kind === 'step').map((e) => String(e.step)).sort());
  assert.ok(/class="msg built bad"/.test(svg), 'the violating message is red');
});

test('golden: an honest run of key-exchange', () => {
  const s = honestKeyExchange();
  const svg = svgSequence(s);
  selfContained(svg);
  golden('key-exchange-honest.svg', svg);
  assert.equal([...svg.matchAll(/<line [^>]*class="msg sent"/g)].length, s.events.filter((e) => e.kind === 'message').length);
});

test('golden: the TEE machine of key-exchange', async () => {
  const p = protocolByName('key-exchange');
  const tee = p.roles.find((r) => r.role === 'TEE')!;
  const svg = await svgFromDot(dotMachines([{ role: 'TEE', machine: tee.machine }]), 'key-exchange TEE');
  assert.doesNotMatch(svg, /<script|@import|@font-face|xlink:href=|\shref=/i);
  golden('key-exchange-tee.svg', svg);
  // every transition of the machine is an edge
  const { roleOf } = await import('../../../models/role.ts');
  for (const t of roleOf(tee.machine).transitions) assert.ok(svg.includes(`>${t.label}<`), `edge ${t.label}`);
});

test("Mermaid: Lowe's attack as a sequenceDiagram, an arrow per message, markup escaped", () => {
  const s = lowe();
  const m = mermaidSequence(s);
  assert.match(m, /^sequenceDiagram\n/);
  const arrows = m.split('\n').filter((l) => /^\s+\w+(->>|-->>|-\))\w+: /.test(l));
  assert.equal(arrows.length, s.events.filter((e) => e.kind === 'message').length);
  assert.ok(arrows.every((l) => !/[<>]/.test(l.replace(/-->>|->>|-\)/, ''))), 'tuples written #60; … #62;');
  assert.match(m, /rect rgb\(255, 200, 200\)/, 'the violating step in red');
});
