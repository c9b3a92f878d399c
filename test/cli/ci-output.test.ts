/**
 * `tcv verify --sarif` against the published SARIF 2.1.0 schema (test/vectors/sarif/), located
 * at the model file and line that emits the violated claim; GitHub Actions annotations and the
 * job summary under GITHUB_ACTIONS=true.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { tcv } from './harness.ts';

const schema = JSON.parse(readFileSync(new URL('../vectors/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
// a CommonJS module: under NodeNext its class is the default import's `default`
const Ajv = (AjvDraft04 as unknown as { default: typeof AjvDraft04.default }).default;
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
interface SarifResult {
  ruleId: string;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
}
type SarifLog = { runs: { results: SarifResult[] }[] };
const dir = mkdtempSync(join(tmpdir(), 'tcv-sarif-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('--sarif --sarif-all on M2.1: valid SARIF 2.1.0, results at a .ts file and line in models/', async () => {
  const file = join(dir, 'm21.sarif');
  const r = await tcv('verify', 'key-exchange', '--variant', 'M2.1', '--sarif', file, '--sarif-all');
  assert.equal(r.code, 0, r.err);
  const log = JSON.parse(readFileSync(file, 'utf8')) as SarifLog;
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
  const results = log.runs[0]!.results;
  assert.ok(results.length >= 1);
  for (const x of results) {
    assert.equal(x.level, 'note', 'expected attacks are notes, not errors');
    const loc = x.locations[0]!.physicalLocation;
    assert.match(loc.artifactLocation.uri, /^models\/.*\.ts$/);
    // the line really is the transition that emits the claim
    assert.match(readFileSync(loc.artifactLocation.uri, 'utf8').split('\n')[loc.region.startLine - 1]!, /label: /);
    // next to it, the line that declares the variant's edit, in the declaration of M2.1
    const edit = x.locations[1]!.physicalLocation;
    assert.match(edit.artifactLocation.uri, /^models\/.*\.ts$/);
    const lines = readFileSync(edit.artifactLocation.uri, 'utf8').split('\n');
    assert.match(lines[edit.region.startLine - 1]!, /\bedit:/);
    const decl = lines.slice(0, edit.region.startLine).reverse().find((l) => /\bid: '/.test(l));
    assert.match(decl ?? '', /id: 'M2\.1'/, 'the edit is M2.1\'s');
  }
});

test("a user file's variant: the SARIF result of its attack points at the claim and at the variant's edit", async () => {
  const proj = join(dir, 'variant');
  await tcv('init', proj);
  const src = join(proj, 'protocol.ts');
  const file = join(dir, 'variant.sarif');
  assert.equal((await tcv('verify', src, '--sarif', file, '--sarif-all')).code, 0);
  const log = JSON.parse(readFileSync(file, 'utf8')) as SarifLog;
  assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
  const res = log.runs[0]!.results.find((x) => x.ruleId === 'challenge-response/A1')!;
  assert.equal(res.locations.length, 2);
  const edit = res.locations[1]!.physicalLocation;
  assert.match(edit.artifactLocation.uri, /protocol\.ts$/);
  assert.match(readFileSync(src, 'utf8').split('\n')[edit.region.startLine - 1]!, /id: 'M1'.*edit:/);
});

test('a verdict that differs is an error result; a correct run without --sarif-all has none', async () => {
  const ok = join(dir, 'ok.sarif');
  assert.equal((await tcv('verify', 'nsl', '--sarif', ok)).code, 0);
  const clean = JSON.parse(readFileSync(ok, 'utf8')) as SarifLog;
  assert.ok(validate(clean));
  assert.deepEqual(clean.runs[0]!.results, []);
  // a user's file whose check is gone: the attack on A1 is an error at the file's claiming line
  const proj = join(dir, 'proj');
  await tcv('init', proj);
  const src = join(proj, 'protocol.ts');
  const text = readFileSync(src, 'utf8').replace(/^\s*check\('signature of R'.*$/m, '');
  (await import('node:fs')).writeFileSync(src, text);
  const bad = join(dir, 'bad.sarif');
  assert.equal((await tcv('verify', src, '--sarif', bad)).code, 1);
  const log = JSON.parse(readFileSync(bad, 'utf8')) as SarifLog;
  assert.ok(validate(log));
  const res = log.runs[0]!.results.find((x) => x.ruleId === 'challenge-response/A1')!;
  assert.equal(res.level, 'error');
  assert.match(res.locations[0]!.physicalLocation.artifactLocation.uri, /protocol\.ts$/);
});

test('under GitHub Actions: ::error annotations and a job summary', async () => {
  const summary = join(dir, 'summary.md');
  const env = { GITHUB_ACTIONS: process.env['GITHUB_ACTIONS'], GITHUB_STEP_SUMMARY: process.env['GITHUB_STEP_SUMMARY'] };
  process.env['GITHUB_ACTIONS'] = 'true';
  process.env['GITHUB_STEP_SUMMARY'] = summary;
  try {
    const proj = join(dir, 'gh');
    await tcv('init', proj);
    const src = join(proj, 'protocol.ts');
    (await import('node:fs')).writeFileSync(src, readFileSync(src, 'utf8').replace(/^\s*check\('signature of R'.*$/m, ''));
    const r = await tcv('verify', src);
    assert.match(r.err, /::error file=.*protocol\.ts,line=\d+,title=challenge-response A1::/);
    const m1 = await tcv('verify', src, '--variant', 'M1');
    assert.equal(m1.code, 2, 'a variant whose edit matches nothing is a usage error');
    assert.match(m1.err, /challenge-response M1: dropCheck: no check 'signature of R'/);
    const ok = await tcv('verify', 'nsl');
    assert.doesNotMatch(ok.err, /::error/);
    assert.match(readFileSync(summary, 'utf8'), /\| nsl \| NS1 \| holds \| holds \|/);
  } finally {
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
});
