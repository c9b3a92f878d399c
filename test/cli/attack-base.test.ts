/**
 * `tcv attack` without `--variant`: the protocol as given is attacked and the attack replayed on
 * it. A user's protocol with a flaw (the starter with its check deleted) gets the attack, the
 * concrete replay and exit 1 (its property is declared to hold); the correct starter gets one
 * line and exit 0; a textbook protocol with a declared attack (NSPK, Lowe's) exits 0; NSL,
 * whose fix holds, one line and exit 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcv } from './harness.ts';
import { nspk } from '../../models/classic/needham-schroeder-pk.ts';

const work = mkdtempSync(join(tmpdir(), 'tcv-attack-'));
test.after(() => rmSync(work, { recursive: true, force: true }));

test('a user protocol with a flaw: the attack found on it is replayed, exit 1; the correct one: one line, exit 0', async () => {
  const dir = join(work, 'demo');
  await tcv('init', dir);
  const file = join(dir, 'protocol.ts');
  const good = await tcv('attack', file);
  assert.equal(good.code, 0, good.err + good.out);
  assert.equal(good.out.split('\n').length, 1, good.out);
  assert.match(good.out, /challenge-response: the explorer found no attack within the bound/);

  // another file: this process has the first one loaded already
  const flawedFile = join(dir, 'flawed.ts');
  writeFileSync(flawedFile, readFileSync(file, 'utf8').replace(/^\s*check\('signature of R'.*$/m, ''));
  const flawed = await tcv('attack', flawedFile);
  assert.equal(flawed.code, 1, flawed.err + flawed.out);
  assert.match(flawed.out, /challenge-response: attack on A1/);
  assert.match(flawed.out, /Concrete replay on the protocol \(real crypto/);
  assert.match(flawed.out, /VIOLATED/);
  assert.match(flawed.out, /A1 is declared to hold — a flaw in challenge-response/);
  assert.doesNotMatch(flawed.out, /correct protocol/);
  const json = await tcv('attack', flawedFile, '--json');
  const r = JSON.parse(json.out) as { found: boolean; property: string; reproduced: boolean; asExpected: boolean; correct: unknown };
  assert.deepEqual([r.found, r.property, r.reproduced, r.asExpected, r.correct], [true, 'A1', true, false, null]);
});

test("a textbook protocol's declared attack (tcv attack nspk) reproduces, exit 0; NSL: none, exit 0", async () => {
  const r = await tcv('attack', 'nspk', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { property: string; reproduced: boolean };
  assert.ok(j.reproduced);
  // the property replayed is one NSPK declares broken (from the model, not a constant here)
  assert.equal(nspk.properties.find((x) => x.id === j.property)?.expected, 'attack');
  const nsl = await tcv('attack', 'nsl');
  assert.equal(nsl.code, 0, nsl.err);
  assert.match(nsl.out, /^nsl: the explorer found no attack within the bound/);
});
