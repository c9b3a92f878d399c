/**
 * The two role engines (impl/runtime/role-engine.ts) run the same machines the same way: every
 * target's honest run — every protocol and every variant of the corpus and the classic corpus,
 * seeded — gives identical messages (bytes), claims, party states and failures, stored values,
 * secrets and claim checks under the compiled engine and under XState (the reference); so do
 * two interleaved sessions, and runs with a flipped byte in each delivered message (the
 * failure paths: which transition rejects, with which step and message, and every instance's
 * environment afterwards). Paired with a broken engine the same comparison catches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOLS } from '../../../models/protocols/index.ts';
import { CLASSIC_PROTOCOLS } from '../../../models/classic/index.ts';
import { allTargets, targetName, targetOf } from '../../../models/target.ts';
import { honestRun, runReport } from '../../../impl/runtime/report.ts';
import { type RunOptions, ProtocolRun } from '../../../impl/runtime/session.ts';
import { SUITES, type SuiteId } from '../../../impl/crypto/index.ts';
import type { Protocol } from '../../../models/protocol.ts';

const SEED = 20;
const strip = (r: ReturnType<typeof honestRun>) => ({ ...r, ms: 0 });

/** Every target of both corpora on the native suite (cheap); the paper's protocols also on the
 * noble tpm2 and the tcm suite. */
const CASES: { name: string; protocol: Protocol; variant: string | undefined; suite: SuiteId }[] = [
  ...allTargets([...PROTOCOLS, ...CLASSIC_PROTOCOLS]).map((t) => ({ name: targetName(t), protocol: t.protocol, variant: t.variant, suite: 'native' as SuiteId })),
  ...(['tpm2', 'tcm'] as const).flatMap((suite) => PROTOCOLS.map((p) => ({ name: p.name, protocol: p, variant: undefined, suite }))),
];

for (const c of CASES) {
  test(`${c.name} on ${c.suite}: the compiled engine gives the XState engine's honest run`, () => {
    const target = targetOf(c.protocol, c.variant);
    const opts: RunOptions = { seed: SEED, suite: SUITES[c.suite] };
    const ref = strip(honestRun(target, { ...opts, engine: 'xstate' }));
    const got = strip(honestRun(target, { ...opts, engine: 'compiled' }));
    assert.ok(ref.messages.length > 0, 'the run sent nothing');
    assert.deepEqual(got, ref);
  });
}

test('two interleaved sessions of every protocol: the same run under both engines', () => {
  for (const p of PROTOCOLS) {
    const report = (engine: RunOptions['engine']) => {
      const run = new ProtocolRun(p, { seed: SEED, suite: SUITES.native, sessions: 2, engine });
      run.start();
      run.runHonest();
      run.stop();
      return { ...strip(runReport(run, null, SEED, 0)), envs: envs(run) };
    };
    const ref = report('xstate');
    assert.ok(ref.ok, `${p.name}: two sessions did not complete`);
    assert.deepEqual(report('compiled'), ref, p.name);
  }
});

/** Every instance's environment at the end: a failed transition leaves it as it was (the
 * compiled engine binds in place and puts back what a failed transition replaced). */
const envs = (run: ProtocolRun) => Object.fromEntries(run.instances().map((i) => [i, { ...run.environmentOf(i) }]));

/** The run with byte `pos` of the `index`-th delivered message flipped, as a report. */
function tampered(p: Protocol, index: number, engine: RunOptions['engine'], extra: RunOptions = {}) {
  const run = new ProtocolRun(p, { seed: SEED, suite: SUITES.native, engine, ...extra });
  run.start();
  for (let n = 0; n < 100; n++) {
    const next = run.network.pending()[0];
    if (!next) break;
    if (n === index) {
      const b = Uint8Array.from(next.bytes);
      b[(7 * index + 3) % b.length]! ^= 0x10;
      run.deliver(run.network.replace(next.id, b).id);
    } else run.deliver(next.id);
  }
  run.stop();
  return { ...strip(runReport(run, null, SEED, 0)), envs: envs(run) };
}

test('a flipped byte in each delivered message: the same failure (transition, step, message) under both engines', () => {
  for (const p of PROTOCOLS) {
    const n = honestRun(targetOf(p), { seed: SEED, suite: SUITES.native }).messages.length;
    for (let i = 0; i < n; i++) {
      const ref = tampered(p, i, 'xstate');
      assert.deepEqual(tampered(p, i, 'compiled'), ref, `${p.name}, message ${i}`);
    }
  }
});

test('the comparison catches a broken engine: one that skips a check accepts a tampered run the reference rejects', () => {
  const p = PROTOCOLS.find((x) => x.name === 'key-exchange')!;
  // the TPM's check of the TEE's signature over its first message (read from the machine)
  const failing = tampered(p, 0, 'xstate').parties.find((x) => x.state === 'failed');
  assert.ok(failing, 'the tampered reference run did not fail');
  const label = String((failing.failure as { label: string }).label).split(': check ')[1];
  assert.ok(label, `the reference failed outside a check: ${JSON.stringify(failing.failure)}`);
  assert.notDeepEqual(tampered(p, 0, 'compiled', { skipChecks: [label] }), tampered(p, 0, 'xstate'));
});
