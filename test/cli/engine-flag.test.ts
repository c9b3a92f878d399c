/**
 * `tcv run --engine`: the compiled engine (default) and the XState engine give the same run —
 * the same JSON report but for its time, locally and with the TZTCM as the TPM (whose own nonces
 * are unseeded: there the commands, claims and checks agree); an unknown engine, or --engine with
 * --stream, is a one-line usage error.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tcv } from './harness.ts';

const json = async (...args: string[]) => {
  const r = await tcv('run', ...args, '--json');
  assert.equal(r.code, 0, r.err);
  return { ...JSON.parse(r.out), ms: 0 };
};

test('tcv run key-exchange --engine xstate --seed 1: the report of the default (compiled) engine', async () => {
  const compiled = await json('key-exchange', '--seed', '1');
  assert.equal(compiled.ok, true);
  assert.deepEqual(await json('key-exchange', '--seed', '1', '--engine', 'xstate'), compiled);
  assert.deepEqual(await json('key-exchange', '--seed', '1', '--engine', 'compiled'), compiled);
});

test('tcv run key-exchange --tpm tztcm --engine xstate: the same commands, claims and checks as compiled', async () => {
  const shape = (r: { ok: boolean; claims?: { event: string; tag: string; role: string }[]; checks?: { id: string; ok: boolean }[] }) => JSON.stringify([r.ok, r.claims?.map((c) => [c.role, c.event, c.tag]), r.checks?.map((c) => [c.id, c.ok])]);
  const a = await json('key-exchange', '--seed', '1', '--tpm', 'tztcm');
  const b = await json('key-exchange', '--seed', '1', '--tpm', 'tztcm', '--engine', 'xstate');
  assert.equal(a.ok, true);
  assert.equal(shape(b), shape(a));
});

test('tcv run --engine: an unknown engine and --engine with --stream are usage errors in one line', async () => {
  const bad = await tcv('run', 'key-exchange', '--engine', 'fast');
  assert.equal(bad.code, 2);
  assert.match(bad.err.trim(), /^tcv run: --engine takes compiled or xstate, got 'fast'/);
  assert.equal(bad.err.trim().split('\n').length, 1);
  const stream = await tcv('run', 'channel', '--stream', '4KiB', '--engine', 'xstate');
  assert.equal(stream.code, 2);
  assert.match(stream.err, /--stream cannot be combined with .*--engine/);
});
