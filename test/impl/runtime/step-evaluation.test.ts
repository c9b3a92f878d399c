import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLASSIC_PROTOCOLS } from '../../../models/classic/index.ts';
import { honestRun } from '../../../impl/runtime/report.ts';
import { executeTransition } from '../../../impl/runtime/execute.ts';
import { evaluate } from '../../../impl/runtime/evaluate.ts';
import { SUITES } from '../../../impl/crypto/index.ts';
import { seededRandom } from '../../../impl/crypto/random.ts';
import { aenc, pk, sign, tup, v } from '../../../models/terms.ts';
import { send } from '../../../models/steps.ts';
import type { Value } from '../../../impl/wire/value.ts';
import { targetOf } from '../../../models/target.ts';

// the textbook corpus runs with real crypto too: every honest run completes, and every claim is
// consistent (CCITT X.509 sends aenc(ya, pk(B)) in its message and inside the signature over it)
for (const p of CLASSIC_PROTOCOLS)
  test(`${p.name}: an honest run with real crypto completes`, () => {
    const r = honestRun(targetOf(p), { seed: 11 });
    for (const party of r.parties) assert.equal(party.state, 'done', `${party.role} ended in ${party.state}: ${JSON.stringify(party.failure)}`);
    for (const c of r.checks) assert.ok(c.ok, `${c.id}: ${c.detail}`);
  });

test('one step evaluates a repeated randomised subterm once: the signature covers the ciphertext sent', () => {
  const suite = SUITES.tpm2;
  const deps = { suite, rng: seededRandom(5) };
  const sk = evaluate(v('sk', 'skey'), { sk: { k: 'scalar', b: suite.scalarFromSeed(new Uint8Array(48).fill(7)) } as Value }, deps);
  const ct = aenc(v('x', 'nonce'), pk(v('sk', 'skey')));
  const spec = { label: 't', from: 'a', to: 'b', trigger: 'START' as const, steps: [send('B', 'm', tup(ct, sign(ct, v('sk', 'skey'))))] };
  const ctx = { role: 'A', env: { sk, x: { k: 'bytes', b: new Uint8Array(32).fill(1) } as Value }, outbox: [], claims: [], stored: {}, failure: null };
  const r = executeTransition(spec, ctx, null, deps);
  assert.ok(r.ok);
  const sent = r.outbox[0]!.value as Extract<Value, { k: 'tuple' }>;
  const [c1, sig] = sent.items as [Extract<Value, { k: 'bytes' }>, Extract<Value, { k: 'sig' }>];
  const pub = evaluate(pk(v('sk', 'skey')), { sk }, deps) as Extract<Value, { k: 'point' }>;
  // the signed message is the ciphertext that was sent (its encoding), not a second encryption
  const verified = evaluate({ t: 'app', f: 'verify', args: [v('s'), v('m'), v('p')] }, { s: sig, m: c1, p: pub }, deps);
  assert.deepEqual(verified, { k: 'const', s: 'true' });
});
