/**
 * Issue 5 — an active network attacker against the real implementation (several concurrent
 * sessions; drop, duplicate, reorder, replay across sessions, flip bits, splice fields of
 * observed messages, forge fields with its own nonces, keys and signatures) never makes a party
 * emit a claim its property forbids:
 * - no Commit without a matching earlier Running by the peer role (agreement), and for
 *   injective agreement no two Commits for one Running (no command executed twice);
 * - the bytes of a Secret never appear in anything the attacker observed.
 * Paired with the weakened implementations below: each skipped check is caught.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { protocolIndex, suiteId } from '../support/arbitraries.ts';
import { PROTOCOLS, protocolByName } from '../../models/protocols/index.ts';
import type { Protocol } from '../../models/protocol.ts';
import { ProtocolRun } from '../../impl/runtime/session.ts';
import { checkClaims } from '../../impl/runtime/claims-check.ts';
import { type TimedAction, attackProgram, runProgram } from '../../properties/network-attacker.ts';
import { SUITE_IDS, SUITES, type SuiteId } from '../../impl/crypto/index.ts';

const RUNS = Number(process.env['FC_RUNS'] ?? 1000);
const SEED = Number(process.env['FC_SEED'] ?? 20261123);
const SESSIONS = 2;

/** Violations of the protocol's properties in one attacked run ('no claim in this run' is fine). */
function violations(p: Protocol, program: readonly TimedAction[], seed: number, suite: SuiteId, skipChecks: string[] = []): string[] {
  const run = new ProtocolRun(p, { seed, sessions: SESSIONS, skipChecks, suite: SUITES[suite] });
  run.start();
  runProgram(run, program, SESSIONS);
  run.stop();
  return checkClaims(p, run.claims, run.network.observed)
    .filter((c) => c.verdict === 'violated')
    .map((c) => `${c.id}: ${c.detail}`);
}

const program = attackProgram;

test(`no forbidden claim under an active network attacker (${RUNS} runs over all protocols and both crypto suites)`, () => {
  fc.assert(
    fc.property(protocolIndex, suiteId, program, fc.nat(), (pi, suite, prog, seed) => {
      assert.deepEqual(violations(PROTOCOLS[pi]!, prog, seed, suite), []);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

// Each weakened build skips one MAC or signature check; the same property must catch it.
const weakened: [string, string][] = [
  ['tztcm-session', 'command MAC'],
  ['tztcm-session', 'response MAC'],
  ['key-exchange', 'response HMAC'],
  ['attestation', 'report'],
  ['provisioning', 'Unseal response HMAC'],
];
for (const suite of SUITE_IDS) for (const [name, check] of weakened) {
  test(`catches the weakened ${name} that skips the '${check}' check (${suite} suite)`, () => {
    const p = protocolByName(name);
    const r = fc.check(
      fc.property(program, fc.nat(), (prog, seed) => violations(p, prog, seed, suite, [check]).length === 0),
      { seed: SEED, numRuns: RUNS * 3 },
    );
    assert.ok(r.failed, `no violation found in ${r.numRuns} attacked runs`);
  });
}
