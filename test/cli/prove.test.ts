/**
 * `tcv prove` with fake provers on the PATH (the real ones are not in CI): per-lemma lines,
 * ProVerif RESULT lines matched to the queries in order, one table over a directory, the
 * per-lemma timeout stopping the prover's whole process group, usage errors.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcv } from './harness.ts';
import { parseProverifResults, proverifGoals, tamarinGoals } from '../../proofs-export/prover-output.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'tcv-prove-'));

/** A fake tamarin-prover: for --prove=NAME, a summary line for NAME ('falsified' if NAME is in
 * $FAKE_FALSIFY, exists-trace for 'executable'). */
const FAKE_TAMARIN = `#!/bin/sh
[ -n "$FAKE_ARGS" ] && echo "$*" >> "$FAKE_ARGS"
for a in "$@"; do case "$a" in --prove=*) name=\${a#--prove=};; esac; done
verdict="verified (3 steps)"
case " $FAKE_FALSIFY " in *" $name "*) verdict="falsified - found trace (7 steps)";; esac
kind=all-traces
[ "$name" = executable ] && kind=exists-trace
echo "summary of summaries:"
echo "  $name ($kind): $verdict"
`;
/** A fake proverif: one RESULT per query line of the file; executability queries (Finish) false,
 * the others true, except a query containing $FAKE_CBP, which cannot be proved, and one containing
 * $FAKE_FALSE, which is false. tcv prove runs
 * one query per file: a file with several is an error here. */
const FAKE_PROVERIF = `#!/bin/sh
if [ "$(grep -c '^query ' "$1")" != 1 ]; then echo "Error: the fake takes one query per run"; exit 1; fi
n=0
grep '^query ' "$1" | while read -r q; do
  n=$((n+1))
  if [ -n "$FAKE_CBP" ] && echo "$q" | grep -q "$FAKE_CBP"; then echo "RESULT q$n cannot be proved."
  elif [ -n "$FAKE_FALSE" ] && echo "$q" | grep -q "$FAKE_FALSE"; then echo "RESULT q$n is false."
  elif echo "$q" | grep -q Finish; then echo "RESULT not event(Finish) is false."
  else echo "RESULT q$n is true."; echo "RESULT (even q$n is true.)"; fi
done
`;

function withFakes(scripts: Record<string, string>) {
  const dir = tmp();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, text] of Object.entries(scripts)) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  return { dir, bin };
}

async function withPath<T>(bin: string, env: Record<string, string>, f: () => Promise<T>): Promise<T> {
  const old = { ...process.env };
  process.env['PATH'] = `${bin}:${old['PATH']}`;
  Object.assign(process.env, env);
  try {
    return await f();
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    process.env['PATH'] = old['PATH'];
  }
}

test('goals: lemmas with their expectations, ProVerif queries named by P id and direction, RESULT lines without the (even …) companions', async () => {
  const dir = tmp();
  assert.equal((await tcv('export', 'tztcm-session', '--variant', 'M4.1', '--tamarin', join(dir, 'm.spthy'), '--proverif', join(dir, 'm.pv'))).code, 0);
  const t = tamarinGoals(readFileSync(join(dir, 'm.spthy'), 'utf8'));
  assert.deepEqual(t.map((g) => `${g.name}:${g.expected}`), ['P4_1_injective_agreement:attack', 'P4_2_injective_agreement:holds', 'P4_3_secrecy:holds', 'executable:reachable']);
  const p = proverifGoals(readFileSync(join(dir, 'm.pv'), 'utf8'));
  assert.deepEqual(p.map((g) => `${g.name}:${g.expected}`), ['P4.1 TZTCM->TDDL:attack', 'P4.2 TDDL->TZTCM:holds', 'P4.3:holds', 'executable TDDL:reachable', 'executable TZTCM:reachable']);
  assert.deepEqual(parseProverifResults('RESULT a is true.\nRESULT (even a is true.)\nRESULT b is false.\nRESULT c cannot be proved.\nnoise'), ['true', 'false', 'cannot-be-proved']);
});

test('tcv prove --all DIR: a line per lemma and query, one table, exit 0 when all as expected and 1 when one differs', async () => {
  const { dir, bin } = withFakes({ 'tamarin-prover': FAKE_TAMARIN, proverif: FAKE_PROVERIF });
  const out = join(dir, 'out');
  assert.equal((await tcv('export', 'tztcm-session', '--tamarin', join(out, 's.spthy'), '--proverif', join(out, 's.pv'))).code, 0);
  const ok = await withPath(bin, {}, () => tcv('prove', '--all', out));
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /^ok {3}P4_2_injective_agreement +verified +expected holds/m);
  assert.match(ok.out, /^ok {3}P4\.2 TDDL->TZTCM +verified +expected holds/m);
  assert.match(ok.out, /^ok {3}executable TZTCM +verified +expected reachable/m);
  assert.match(ok.out, /^file +lemma \/ query +expected +verdict +time$/m);
  assert.match(ok.out, /all 9 lemmas and queries as expected/);
  const bad = await withPath(bin, { FAKE_FALSIFY: 'P4_2_injective_agreement', FAKE_CBP: 't_Kuuid' }, () => tcv('prove', '--all', out));
  assert.equal(bad.code, 1);
  assert.match(bad.out, /^FAIL P4_2_injective_agreement +falsified/m);
  assert.match(bad.out, /^FAIL P4\.3 +cannot-be-proved/m);
  assert.match(bad.out, /s\.spthy +P4_2_injective_agreement +holds +falsified .*DIFFERS/);
  assert.match(bad.out, /2 of 9 lemmas and queries differ/);
});

test('tcv prove --lemma-timeout: a prover that hangs is stopped with what it started; every lemma reported, exit 4 (inconclusive)', async () => {
  const { dir, bin } = withFakes({ 'tamarin-prover': `#!/bin/sh\nsleep 300 &\necho $! >> "$FAKE_PIDS"\nsleep 300\n` });
  const file = join(dir, 'h.spthy');
  writeFileSync(file, 'theory h\nbegin\n// expected: holds\nlemma a:\n  "All x #i. A(x) @ #i ==> F"\n// expected: attack\nlemma b:\n  "All x #i. A(x) @ #i ==> F"\nend\n');
  const pids = join(dir, 'pids');
  const t0 = Date.now();
  const r = await withPath(bin, { FAKE_PIDS: pids }, () => tcv('prove', file, '--lemma-timeout', '1', '--timeout', '30'));
  assert.ok(Date.now() - t0 < 15000, 'stopped on time');
  assert.equal(r.code, 4, 'timeouts only: inconclusive, not a differing verdict');
  assert.match(r.out, /^FAIL a +timeout/m);
  assert.match(r.out, /^FAIL b +timeout/m);
  await new Promise((res) => setTimeout(res, 300));
  const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
  assert.equal(started.length, 2);
  // gone, or a zombie waiting for a PID 1 that does not reap (containers): not running
  const running = (pid: number) => existsSync(`/proc/${pid}/stat`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  for (const pid of started) assert.ok(!running(pid), `the prover's child ${pid} still runs`);
});

test('tcv prove: usage errors are one line, exit 2', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'x.txt'), 'not a theory');
  for (const [args, msg] of [
    [['prove'], /name a \.spthy or \.pv file/],
    [['prove', join(dir, 'x.txt')], /neither a \.spthy nor a \.pv/],
    [['prove', join(dir, 'none.pv')], /no such file/],
    [['prove', '--all', join(dir, 'nodir')], /wants a directory/],
    [['prove', '--all', join(dir, 'x.txt')], /wants a directory/],
    [['prove', '--all', tmp()], /no \.spthy or \.pv file/],
    [['prove', '--all', dir, '--timeout', 'soon'], /--timeout wants a whole number/],
  ] as const) {
    const r = await tcv(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
    assert.match(r.err, msg);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
  const pv = join(dir, 'a.pv');
  writeFileSync(pv, 'query x: bitstring; attacker(x).\n');
  const old = process.env['PATH'];
  process.env['PATH'] = dir;
  try {
    const r = await tcv('prove', pv);
    assert.equal(r.code, 2);
    assert.match(r.err, /proverif is not on the PATH/);
  } finally {
    process.env['PATH'] = old;
  }
  assert.ok(existsSync(pv));
});

test("tcv prove: a failed wellformedness check fails the lemma; Tamarin 1.9's 'Derivation checks timed out' (a busy machine) does not", async () => {
  const block = (body: string) => `/*\nWARNING: the following wellformedness checks failed!\n\n${body}\n*/\nsummary of summaries:\n  $name (all-traces): verified (3 steps)`;
  const script = (body: string) => `#!/bin/sh\nfor a in "$@"; do case "$a" in --prove=*) name=\${a#--prove=};; esac; done\ncat <<EOF\n${block(body)}\nEOF\n`;
  const file = join(tmp(), 'w.spthy');
  writeFileSync(file, 'theory w\nbegin\n// expected: holds\nlemma a:\n  "All x #i. A(x) @ #i ==> F"\nend\n');
  const slow = withFakes({ 'tamarin-prover': script('Derivation Checks\n=================\n\n  Derivation checks timed out.\n  Use --derivcheck-timeout=INT to configure timeout.\n  Set to 0 to deactivate for no timeout.') });
  const ok = await withPath(slow.bin, {}, () => tcv('prove', file));
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /^ok {3}a +verified .*derivation checks timed out/m);
  const bad = withFakes({ 'tamarin-prover': script('Fact usage\n==========\n  rule R: Foo used with arities 1 and 2') });
  const r = await withPath(bad.bin, {}, () => tcv('prove', file));
  assert.equal(r.code, 1);
  assert.match(r.out, /^FAIL a +error .*wellformedness check failed: Fact usage; rule R: Foo used with arities 1 and 2/m);
});

test('tcv prove --lemma: only the lemmas and queries named (P2.2 = P2_2, both ProVerif directions); an unknown name is a usage error', async () => {
  const { dir, bin } = withFakes({ 'tamarin-prover': FAKE_TAMARIN, proverif: FAKE_PROVERIF });
  const out = join(dir, 'out');
  assert.equal((await tcv('export', 'tztcm-session', '--tamarin', join(out, 's.spthy'), '--proverif', join(out, 's.pv'))).code, 0);
  const r = await withPath(bin, {}, () => tcv('prove', '--all', out, '--lemma', 'P4.2,executable'));
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^ok {3}P4_2_injective_agreement /m);
  assert.match(r.out, /^ok {3}P4\.2 TDDL->TZTCM /m);
  assert.match(r.out, /^ok {3}executable TZTCM /m);
  assert.doesNotMatch(r.out, /P4_1|P4\.1|P4_3|P4\.3/);
  assert.match(r.out, /all 5 lemmas and queries as expected/);
  const bad = await withPath(bin, {}, () => tcv('prove', join(out, 's.pv'), '--lemma', 'P9.9'));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^tcv prove: --lemma P9\.9: no such lemma or query in .*s\.pv\n?$/);
});

test('tcv prove: a mutual property whose attack is expected is met by one falsified direction (key-exchange M2.2 breaks P2.2 on the TPM side only)', async () => {
  const { dir, bin } = withFakes({ proverif: FAKE_PROVERIF });
  const pv = join(dir, 'm22.pv');
  assert.equal((await tcv('export', 'key-exchange', '--variant', 'M2.2', '--tamarin', join(dir, 'm22.spthy'), '--proverif', pv)).code, 0);
  // ProVerif 2.05 on this export: TPM->TEE false (34.9 s), TEE->TPM true (36.3 s)
  const one = await withPath(bin, { FAKE_FALSE: 'Commit(r_TPM, t_session' }, () => tcv('prove', pv, '--lemma', 'P2.2'));
  assert.equal(one.code, 0, one.out + one.err);
  assert.match(one.out, /^part P2\.2 TEE->TPM +verified +expected attack/m);
  assert.match(one.out, /^ok {3}P2\.2 TPM->TEE +falsified +expected attack/m);
  assert.match(one.out, /^ok {3}P2\.2: 2 queries +falsified \(TPM->TEE\) +expected attack/m);
  assert.match(one.out, /all 2 lemmas and queries as expected/);
  // neither direction falsified: the expected attack is missed, both queries differ
  const none = await withPath(bin, {}, () => tcv('prove', pv, '--lemma', 'P2.2'));
  assert.equal(none.code, 1, none.out + none.err);
  assert.match(none.out, /^FAIL P2\.2: 2 queries +verified +expected attack/m);
  assert.match(none.out, /2 of 2 lemmas and queries differ/);
});

test('tcv prove runs a Tamarin lemma with the [sources] / [reuse] lemmas before it selected too (Tamarin 1.9 uses a sources lemma only when selected)', async () => {
  const { dir, bin } = withFakes({ 'tamarin-prover': FAKE_TAMARIN });
  const file = join(dir, 'nspk.spthy');
  assert.equal((await tcv('export', 'nspk', '--tamarin', file)).code, 0);
  const args = join(dir, 'args');
  const r = await withPath(bin, { FAKE_ARGS: args }, () => tcv('prove', file, '--lemma', 'received_plaintexts,NS3'));
  assert.equal(r.code, 0, r.out + r.err);
  const runs = readFileSync(args, 'utf8').trim().split('\n');
  // --derivcheck-timeout=0: the optional derivation check is skipped (it timed out at 5 s on a busy machine)
  assert.deepEqual(runs, [`--derivcheck-timeout=0 --prove=received_plaintexts ${file}`, `--derivcheck-timeout=0 --prove=received_plaintexts --prove=NS3_secrecy ${file}`]);
  assert.match(r.out, /^ok {3}NS3_secrecy +verified/m);
});

test('tcv prove does not re-prove a [reuse] lemma in every later run (it has its own row); [sources] lemmas stay selected', async () => {
  const { dir, bin } = withFakes({ 'tamarin-prover': FAKE_TAMARIN });
  const file = join(dir, 'provisioning.spthy');
  assert.equal((await tcv('export', 'provisioning', '--tamarin', file)).code, 0);
  assert.match(readFileSync(file, 'utf8'), /lemma skey_secret \[reuse\]/);
  const args = join(dir, 'args');
  const r = await withPath(bin, { FAKE_ARGS: args }, () => tcv('prove', file, '--lemma', 'skey_secret,P3.2'));
  assert.equal(r.code, 0, r.out + r.err);
  const runs = readFileSync(args, 'utf8').trim().split('\n');
  assert.deepEqual(runs, [`--derivcheck-timeout=0 --prove=received_plaintexts --prove=skey_secret ${file}`, `--derivcheck-timeout=0 --prove=received_plaintexts --prove=P3_2_injective_agreement ${file}`]);
});
