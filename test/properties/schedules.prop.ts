/**
 * Issue 5 — honest runs under any delivery schedule: with 1–3 concurrent sessions of a protocol
 * and the network delivering the messages receivers wait for in any order (each to its own
 * session; a party takes the message it waits for and leaves others queued), every
 * party completes, the claims are consistent, and in each session the parties that claim a
 * secret hold equal values (equal derived keys on both sides).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { protocolIndex, suiteId } from '../support/arbitraries.ts';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { ProtocolRun } from '../../impl/runtime/session.ts';
import { checkClaims } from '../../impl/runtime/claims-check.ts';
import { valueEquals } from '../../impl/wire/value.ts';
import { SUITE_IDS, SUITES } from '../../impl/crypto/index.ts';

const RUNS = Number(process.env['FC_RUNS'] ?? 1000);
const SEED = Number(process.env['FC_SEED'] ?? 20261123);

test(`any delivery order of concurrent honest sessions completes with equal keys (${RUNS} runs, both crypto suites)`, () => {
  fc.assert(
    fc.property(protocolIndex, suiteId, fc.integer({ min: 1, max: 3 }), fc.array(fc.nat(), { maxLength: 60 }), fc.nat(), (pi, suite, sessions, order, seed) => {
      const p = PROTOCOLS[pi]!;
      const run = new ProtocolRun(p, { seed, sessions, suite: SUITES[suite] });
      run.start();
      let i = 0;
      for (let guard = 0; guard < 500 && run.network.pending().length; guard++) {
        // any order among the messages their receivers wait for (selective receive)
        const ready = run.deliverable();
        const pool = ready.length ? ready : run.network.pending();
        run.deliver(pool[(order[i++ % Math.max(order.length, 1)] ?? 0) % pool.length]!.id);
      }
      run.stop();
      for (const s of run.partyStates()) assert.equal(s.state, 'done', `${p.name} ${s.instance}: ${JSON.stringify(s.failure)}`);
      for (const c of checkClaims(p, run.claims, run.network.observed)) assert.ok(c.ok, `${p.name} ${c.id}: ${c.detail}`);
      for (let k = 1; k <= sessions; k++) {
        const secrets = run.claims.filter((c) => c.event === 'Secret' && c.session === k);
        // the j-th secret of a tag each party claims (a role may claim several: the channel's records)
        const nth = (c: (typeof secrets)[number]) => secrets.filter((x) => x.instance === c.instance && x.tag === c.tag).indexOf(c);
        for (const a of secrets)
          for (const b of secrets) if (a.tag === b.tag && nth(a) === nth(b)) assert.ok(valueEquals(a.data, b.data), `${p.name} session ${k}: ${a.instance} and ${b.instance} hold different ${a.tag}`);
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
});
