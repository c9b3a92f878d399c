/**
 * A reflection-prone textbook protocol on a symmetric per-pair key: ISO/IEC 9798-2 three-pass
 * mutual authentication (models/classic/iso-9798-2.ts). With B's identifier in message 2 it holds
 * at the default bound and with any agent in any role (`--runs 2`); without it, one agent in both
 * roles answers its own challenge, which fixed roles cannot show — the variant declares the runs
 * bound of its attack (`VariantDecl.runs`) and the verifier adds that search.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { iso9798 } from '../../../models/classic/iso-9798-2.ts';
import { expectedVerdict } from '../../../models/protocol.ts';
import { verifyAt as verifyProtocol } from './verify-at.ts';


test('with the identifier: the model’s verdicts at the default bound and at --runs 2', () => {
  for (const opts of [{}, { runs: 2 }]) for (const x of verifyProtocol(iso9798, undefined, opts).properties) assert.equal(x.verdict, expectedVerdict(iso9798, x.id), `${x.id} ${JSON.stringify(opts)}`);
});

test('without it: the reflection, found at the variant’s runs bound, and only there', () => {
  const v = iso9798.variants.find((x) => x.id === 'no-identifier')!;
  const r = verifyProtocol(iso9798, v.id, {});
  for (const x of r.properties) assert.equal(x.verdict, expectedVerdict(iso9798, x.id, v), x.id);
  const iso1 = r.properties.find((x) => x.id === 'ISO1')!;
  assert.match(iso1.bound, /run\(s\) in all/);
  const actors = new Set(iso1.trace!.steps.map((s) => s.actor));
  assert.ok([...actors].some((a) => /^A\d+ \(self=a1, peer=b1\)/.test(a)) && [...actors].some((a) => /^B\d+ \(self=a1, peer=b1\)/.test(a)), [...actors].join('; '));
  // fixed roles: no agent plays both, no reflection
  assert.equal(verifyProtocol(iso9798, v.id, { sessions: 2 }).properties.find((x) => x.id === 'ISO1')!.verdict, 'holds');
});
