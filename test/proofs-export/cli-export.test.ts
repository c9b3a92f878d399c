import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcv } from '../cli/harness.ts';
import { writeFileAtomic } from '../../proofs-export/atomic-write.ts';
import { expectedVerdicts, parseTamarinSummary } from '../../cli/commands/prove.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'tcv-export-'));

test('tcv export --all writes one theory per protocol and per variant (the design’s and the classic corpus), each with theory/begin/end', async () => {
  const dir = tmp();
  const pv = tmp();
  const r = await tcv('export', '--all', '--tamarin', dir, '--proverif', pv);
  assert.equal(r.code, 0, r.err);
  const files = readdirSync(dir).filter((f) => f.endsWith('.spthy')).sort();
  assert.deepEqual(readdirSync(pv).sort(), files.map((f) => f.replace(/\.spthy$/, '.pv')));
  assert.ok(files.length >= 22, files.join(' '));
  for (const want of ['attestation.spthy', 'key_exchange_M2_3.spthy', 'key_exchange_two_phase.spthy', 'tztcm_storage_M5_1.spthy', 'nspk.spthy', 'nssk.spthy']) assert.ok(files.includes(want), want);
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.match(text, /^theory \S+\nbegin\n/m);
    assert.match(text, /exists-trace/);
    assert.match(text, /\nend\n$/);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), [], 'no temporary file left');
});

test('tcv export <protocol> --variant writes the variant, equal to a second export byte for byte', async () => {
  const dir = tmp();
  const a = await tcv('export', 'key-exchange', '--variant', 'M2.3', '--tamarin', join(dir, 'a.spthy'));
  const b = await tcv('export', 'key-exchange', '--variant', 'M2.3', '--tamarin', join(dir, 'b.spthy'));
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  assert.match(a.out, /theory key_exchange_M2_3, 5 lemmas/);
  assert.equal(readFileSync(join(dir, 'a.spthy'), 'utf8'), readFileSync(join(dir, 'b.spthy'), 'utf8'));
});

test('tcv export usage errors exit 2 with one line naming the problem', async () => {
  for (const [args, msg] of [
    [['export', 'key-exchange'], /--tamarin/],
    [['export', '--tamarin', 'x.spthy'], /name a protocol/],
    [['export', 'nope', '--tamarin', 'x.spthy'], /unknown protocol 'nope'/],
    [['export', 'key-exchange', '--variant', 'M9.9', '--tamarin', 'x.spthy'], /unknown variant 'M9\.9'/],
    [['export', '--all', 'key-exchange', '--tamarin', 'd'], /unexpected argument/],
  ] as const) {
    const r = await tcv(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, msg);
    assert.equal(r.err.split('\n').length, 1);
  }
});

test('a failed write keeps what was there and leaves no temporary file', () => {
  const dir = tmp();
  const target = join(dir, 'theory.spthy');
  mkdirSync(target); // a directory where the file should go: the rename fails
  writeFileSync(join(target, 'keep'), 'user data');
  assert.throws(() => writeFileAtomic(target, 'new text'));
  assert.equal(readFileSync(join(target, 'keep'), 'utf8'), 'user data');
  assert.deepEqual(readdirSync(dir), ['theory.spthy']);
  const file = join(dir, 'ok.spthy');
  writeFileAtomic(file, 'one');
  writeFileAtomic(file, 'two');
  assert.equal(readFileSync(file, 'utf8'), 'two');
});

const SUMMARY = (p24: string) => `
==============================================================================
summary of summaries:

analyzed: key_exchange.spthy

  processing time: 12.3s

  P2_1_secrecy (all-traces): verified (41 steps)
  P2_2_injective_agreement (all-traces): verified (120 steps)
  P2_3_injective_agreement (all-traces): verified (88 steps)
  P2_4_forward_secrecy (all-traces): ${p24}
  executable (exists-trace): verified (14 steps)

==============================================================================
`;

test('the Tamarin summary parser reads each lemma verdict; expectations come from the exported comments', async () => {
  const r = parseTamarinSummary(SUMMARY('falsified - found trace (17 steps)'));
  assert.deepEqual(r.map((x) => `${x.lemma}:${x.verdict}`), ['P2_1_secrecy:verified', 'P2_2_injective_agreement:verified', 'P2_3_injective_agreement:verified', 'P2_4_forward_secrecy:falsified', 'executable:verified']);
  const dir = tmp();
  assert.equal((await tcv('export', 'key-exchange', '--tamarin', join(dir, 'k.spthy'))).code, 0);
  const exp = expectedVerdicts(readFileSync(join(dir, 'k.spthy'), 'utf8'));
  assert.equal(exp.get('P2_4_forward_secrecy'), 'attack');
  assert.equal(exp.get('P2_1_secrecy'), 'holds');
});

test('tcv prove: runs tamarin-prover from the PATH, exit 0 when verdicts are as expected, 1 on an unexpected falsified lemma, 2 when not installed', async () => {
  const dir = tmp();
  const file = join(dir, 'key_exchange.spthy');
  assert.equal((await tcv('export', 'key-exchange', '--tamarin', file)).code, 0);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const fake = (summary: string) => {
    writeFileSync(join(bin, 'tamarin-prover'), `#!/bin/sh\ncat <<'EOF'\n${summary}\nEOF\nexit 0\n`);
    chmodSync(join(bin, 'tamarin-prover'), 0o755);
  };
  const oldPath = process.env['PATH'];
  try {
    process.env['PATH'] = `${bin}:${oldPath}`;
    fake(SUMMARY('falsified - found trace (17 steps)'));
    const ok = await tcv('prove', file);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /all 5 lemmas and queries as expected/);
    const strict = await tcv('prove', file, '--no-expect');
    assert.equal(strict.code, 1);
    fake(SUMMARY('verified (30 steps)').replace('P2_1_secrecy (all-traces): verified (41 steps)', 'P2_1_secrecy (all-traces): falsified - found trace (9 steps)'));
    const bad = await tcv('prove', file);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /FAIL P2_1_secrecy/);
    assert.match(bad.out, /FAIL P2_4_forward_secrecy/);
    process.env['PATH'] = dir; // no tamarin-prover here
    const none = await tcv('prove', file);
    assert.equal(none.code, 2);
    assert.match(none.err, /tamarin-prover is not on the PATH/);
    assert.ok(existsSync(file));
  } finally {
    process.env['PATH'] = oldPath;
  }
});
