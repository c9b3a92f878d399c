/**
 * `--suite` on the commands that compute with real crypto: the tcm suite's key-exchange run
 * shows equal TEE/TPM session keys (other bytes than the tpm2 run with the same seed), an attack
 * replays on it, and a wrong suite name or `--suite tcm --tpm swtpm` is a one-line usage error.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcv } from './harness.ts';

test('tcv run key-exchange --suite tcm --json: equal TEE and TPM session keys, computed with SM2/SM3/SM4', async () => {
  const r = await tcv('run', 'key-exchange', '--suite', 'tcm', '--json', '--seed', '1');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.suite, 'tcm-sm2');
  assert.equal(j.ok, true);
  const skey = j.secrets.find((s: { tag: string }) => s.tag === 'skey');
  assert.deepEqual(skey.values.map((v: { role: string }) => v.role).sort(), ['TEE', 'TPM']);
  assert.equal(skey.values[0].hex, skey.values[1].hex);
  const p = JSON.parse((await tcv('run', 'key-exchange', '--json', '--seed', '1')).out);
  assert.equal(p.suite, 'tpm2-p256');
  assert.notEqual(p.secrets.find((s: { tag: string }) => s.tag === 'skey').values[0].hex, skey.values[0].hex);
});

test('tcv run key-exchange --suite native --json: OpenSSL computes the bytes of the tpm2 run with the same seed', async () => {
  const n = await tcv('run', 'key-exchange', '--suite', 'native', '--json', '--seed', '1');
  assert.equal(n.code, 0, n.err);
  const j = JSON.parse(n.out);
  assert.equal(j.suite, 'native-p256');
  assert.equal(j.ok, true);
  const p = JSON.parse((await tcv('run', 'key-exchange', '--json', '--seed', '1')).out);
  const hexes = (r: { messages: { hex: string }[] }) => r.messages.map((m) => m.hex);
  assert.deepEqual(hexes(j), hexes(p));
  assert.equal(j.secrets.find((s: { tag: string }) => s.tag === 'skey').values[0].hex, p.secrets.find((s: { tag: string }) => s.tag === 'skey').values[0].hex);
});

test('tcv run key-exchange --suite native --tpm tztcm: the TSS and the TEE on OpenSSL, the same run as on tpm2', async () => {
  const n = await tcv('run', 'key-exchange', '--suite', 'native', '--tpm', 'tztcm', '--json', '--seed', '1');
  assert.equal(n.code, 0, n.err);
  const j = JSON.parse(n.out);
  assert.equal(j.suite, 'native-p256');
  assert.equal(j.ok, true);
  assert.equal(j.tpm.responseHmacsVerified, true);
  const p = JSON.parse((await tcv('run', 'key-exchange', '--tpm', 'tztcm', '--json', '--seed', '1')).out);
  // the TPM draws its own nonces (not seeded): the messages it chose differ between any two runs;
  // what the TEE chose (its first message, from the seed) and every command, claim and check agree
  assert.equal(j.messages[1].hex, p.messages[1].hex);
  const shape = (r: { tpm: { commands: unknown }; checks: { id: string; ok: boolean }[]; claims: { role: string; event: string; tag: string }[] }) => ({
    commands: r.tpm.commands,
    checks: r.checks.map((c) => [c.id, c.ok]),
    claims: r.claims.map((c) => [c.role, c.event, c.tag]),
  });
  assert.deepEqual(shape(j), shape(p));
  const bad = await tcv('run', 'key-exchange', '--suite', 'native', '--tpm', 'swtpm', '--tpm-port', '1');
  assert.doesNotMatch(bad.err, /cannot be combined/);
});

test('tcv attack --suite tcm: the symbolic attack reproduces on the tcm suite, not on the correct protocol', async () => {
  const r = await tcv('attack', 'provisioning', '--variant', 'M3.2', '--suite', 'tcm', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.reproduced, true);
  assert.equal(j.variant.suite, 'tcm-sm2');
  assert.equal(j.correct.reproduced, false);
});

test('a wrong --suite, or --suite tcm with --tpm swtpm, is a one-line usage error', async () => {
  const cases: [string[], RegExp][] = [
    [['run', 'key-exchange', '--suite', 'sm9'], /--suite takes tpm2, tcm or native, got 'sm9'/],
    [['run', 'key-exchange', '--suite', 'tcm', '--tpm', 'swtpm'], /--suite tcm cannot be combined with --tpm swtpm/],
    [['attack', 'provisioning', '--variant', 'M3.2', '--suite', 'x'], /--suite takes tpm2, tcm or native/],
    [['start', '--suite', 'aes'], /--suite takes tpm2, tcm or native, got 'aes'/],
  ];
  for (const [args, re] of cases) {
    const r = await tcv(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re);
    assert.equal(r.err.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.err}`);
  }
});
