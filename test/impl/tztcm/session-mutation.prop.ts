/**
 * Seeded properties of the service's two boundaries with the untrusted host. (1) Any change to an
 * honest InvokeCommand message — flipped bytes, cut, extended — is refused by the TZTCM TA and
 * the engine runs nothing, while the honest message itself is then accepted: the protocol-4
 * checks under K_uuid admit exactly the TDDL's bytes. (2) Any byte stream sent to `tcv tztcm
 * serve`'s server, in either framing, leaves it serving the next client, and only whole frames of
 * a valid size ever reach the TPM.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { connect } from 'node:net';
import { seededRandom, tpm2P256 } from '../../../impl/crypto/index.ts';
import type { EvalDeps } from '../../../impl/runtime/evaluate.ts';
import { Cmd } from '../../../models/parties/tddl.ts';
import { TeeCore } from '../../../impl/tztcm/gp/tee-core.ts';
import { TEEC } from '../../../impl/tztcm/gp/teec.ts';
import { startTpmServer } from '../../../impl/tztcm/net/tpm-server.ts';
import { RoleDriver } from '../../../impl/tztcm/session/role-driver.ts';
import { sessionParty } from '../../../impl/tztcm/session/session-env.ts';
import { TZTCM_CMD_TPM, TZTCM_UUID, tztcmTrustedApp } from '../../../impl/tztcm/session/tztcm-ta.ts';
import { bytesV } from '../../../impl/wire/value.ts';
import { countOf, createEngine, frame } from './fixtures/counting-engine.ts';

const SEED = 0x7c1f0f4e;

test('property: every altered InvokeCommand is refused and runs nothing; the honest one is then accepted', () => {
  const deps: EvalDeps = { suite: tpm2P256, rng: seededRandom(SEED) };
  const k = deps.rng.bytes(32);
  let executed = 0;
  const engine = createEngine(undefined);
  const core = new TeeCore([tztcmTrustedApp({ engine: { execute: (c) => (executed++, engine.execute(c)) }, kuuid: k, deps })]);
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (body, mutations) => {
      // the TDDL's half, run by hand: open a session, produce command 1's message, hold it back
      const { machine, env } = sessionParty('TDDL', k, TZTCM_UUID, deps);
      const tddl = new RoleDriver(machine, env, deps, new Set([Cmd('1').cmd.name, Cmd('2').cmd.name]));
      const start = tddl.deliver(null);
      if (!start.ok) throw new Error(start.failure.message);
      const open = core.handle({ kind: 'open', session: 0, command: 0, uuid: TZTCM_UUID, payload: start.outbox[0]!.bytes });
      assert.equal(open.result, TEEC.SUCCESS);
      assert.ok(tddl.deliver({ from: 'TZTCM', label: 'Opened', bytes: open.payload }).ok);
      const sent = tddl.resume(bytesV(frame(body)));
      if (!sent.ok) throw new Error(sent.failure.message);
      const honest = sent.outbox[0]!.bytes;
      const before = executed;
      for (const m of mutations) {
        const bad = alter(honest, m);
        if (Buffer.from(bad).equals(Buffer.from(honest))) continue;
        const r = core.handle({ kind: 'invoke', session: open.session, command: TZTCM_CMD_TPM, uuid: '', payload: bad });
        assert.equal(r.result, TEEC.ERROR_ACCESS_DENIED, `mutation ${JSON.stringify(m)} refused`);
      }
      assert.equal(executed, before, 'the engine ran nothing for the altered messages');
      const ok = core.handle({ kind: 'invoke', session: open.session, command: TZTCM_CMD_TPM, uuid: '', payload: honest });
      assert.equal(ok.result, TEEC.SUCCESS);
      assert.equal(executed, before + 1);
      assert.ok(tddl.deliver({ from: 'TZTCM', label: 'InvokeResponse', bytes: ok.payload }).ok, 'the TDDL accepts the TZTCM\'s answer');
      assert.equal(countOf((tddl.value(Cmd('1').rsp.name) as { b: Uint8Array }).b), executed);
    }),
    { seed: SEED, numRuns: 60 },
  );
});

function alter(b: Uint8Array, m: { kind: 'flip'; at: number; xor: number } | { kind: 'cut'; at: number } | { kind: 'extend'; extra: Uint8Array }): Uint8Array {
  if (m.kind === 'flip') {
    const out = b.slice();
    out[m.at % b.length]! ^= m.xor;
    return out;
  }
  if (m.kind === 'cut') return b.slice(0, m.at % b.length);
  return Buffer.concat([b, m.extra]);
}

test('property: any byte stream leaves the server serving; only whole valid frames reach the TPM', async () => {
  for (const raw of [false, true]) {
    const seen: Uint8Array[] = [];
    const server = await startTpmServer({ port: 0, raw, transmit: async (c) => (seen.push(c), frame('ok')) });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 4 }), async (chunks) => {
          await new Promise<void>((resolve) => {
            const s = connect(server.port, '127.0.0.1', () => {
              for (const c of chunks) s.write(c);
              setTimeout(() => s.destroy(), 5);
            });
            s.on('error', () => undefined);
            s.on('close', () => resolve());
          });
          for (const c of seen) {
            assert.ok(c.length >= 10 && c.length <= 4096);
            assert.equal(new DataView(c.buffer, c.byteOffset).getUint32(2), c.length, 'a frame whose size field is its length');
          }
          // and a good client is served right after
          const got = await new Promise<Buffer>((resolve) => {
            let acc = Buffer.alloc(0);
            const cmd = frame('probe');
            const s = connect(server.port, '127.0.0.1', () => {
              s.write(raw ? cmd : Buffer.concat([Buffer.of(0, 0, 0, 8, 0, 0, 0, 0, cmd.length), cmd]));
            });
            s.on('data', (d) => {
              acc = Buffer.concat([acc, d]);
              if (acc.length >= (raw ? 11 : 19)) s.destroy();
            });
            s.on('close', () => resolve(acc));
          });
          assert.ok(got.length >= (raw ? 11 : 19), 'the next client got its response');
        }),
        { seed: SEED, numRuns: 25 },
      );
    } finally {
      await server.close();
    }
  }
});
