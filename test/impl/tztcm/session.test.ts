/**
 * Protocol 4 in the service (seed 002 §2.3, §4): the TDDL and the TZTCM TA run the
 * tztcm-session machines with real HMACs under K_uuid; a caller without K_uuid is refused at
 * OpenSession and at every command; forged, replayed and reordered messages are refused and the
 * session's holder keeps being served. Each refusal is paired with the weakened protocol
 * (M4.1, M4.2) or the honest case accepting. Runs the TEE side on this thread (no worker).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyVariant } from '../../../models/protocol.ts';
import { tztcmSessionProtocol } from '../../../models/protocols/tztcm-session.ts';
import { seededRandom, tpm2P256 } from '../../../impl/crypto/index.ts';
import type { EvalDeps } from '../../../impl/runtime/evaluate.ts';
import { TeecContext, type TeeDriver } from '../../../impl/tztcm/gp/client.ts';
import type { GpReply, GpRequest } from '../../../impl/tztcm/gp/operation.ts';
import { TeeCore } from '../../../impl/tztcm/gp/tee-core.ts';
import { TEEC, TeecError } from '../../../impl/tztcm/gp/teec.ts';
import { beginPairing } from '../../../impl/tztcm/session/pairing.ts';
import { TddlClient } from '../../../impl/tztcm/session/tddl-client.ts';
import { TZTCM_CMD_TPM, TZTCM_UUID, tztcmTrustedApp } from '../../../impl/tztcm/session/tztcm-ta.ts';
import { decode, encode } from '../../../impl/wire/codec.ts';
import { type Value, constV, tupleV } from '../../../impl/wire/value.ts';
import { countOf, createEngine, frame } from './fixtures/counting-engine.ts';
import type { ClaimRecord } from '../../../models/role.ts';
import { checkClaims } from '../../../impl/runtime/claims-check.ts';
import type { Envelope } from '../../../impl/runtime/network.ts';
import type { LoggedClaim } from '../../../impl/runtime/session.ts';

/** The attacker rewrites a public field of a recorded InvokeCommand <sid, i, cmd, mac>. */
function rewrite(payload: Uint8Array, at: number, value: Value): Uint8Array {
  const v = decode(payload) as Extract<Value, { k: 'tuple' }>;
  return encode(tupleV(v.items.map((x, i) => (i === at ? value : x))));
}
const field = (payload: Uint8Array, at: number) => (decode(payload) as Extract<Value, { k: 'tuple' }>).items[at]!;

/** A TEE on this thread whose driver records every request (what kernel malware can see). */
function rig(seed: number, variant?: string) {
  const deps: EvalDeps = { suite: tpm2P256, rng: seededRandom(seed) };
  const protocol = variant ? applyVariant(tztcmSessionProtocol, variant).protocol : undefined;
  const a = beginPairing(deps.suite, deps.rng, TZTCM_UUID, 'TDDL');
  const b = beginPairing(deps.suite, deps.rng, TZTCM_UUID, 'TDDL');
  const kTddl = a.finish(b.publicKey);
  const kTztcm = b.finish(a.publicKey);
  const refused: string[] = [];
  // both parties' claims in the order they are made, as the runtime's claim check reads them
  const claims: LoggedClaim[] = [];
  const log = (role: string, c: ClaimRecord<Value>) => claims.push({ ...c, seq: claims.length, instance: `${role}#1`, session: 1, role, agent: role });
  const core = new TeeCore([
    tztcmTrustedApp({ engine: createEngine(undefined), kuuid: kTztcm, deps, protocol, onRefused: (e, why) => refused.push(`${e}: ${why}`), onClaim: (c) => log('TZTCM', c) }),
  ]);
  const seen: GpRequest[] = [];
  const driver: TeeDriver = { call: async (req: GpRequest): Promise<GpReply> => (seen.push(req), core.handle(req)) };
  const tddl = new TddlClient(TeecContext.initialize(driver), kTddl, deps, { protocol, onClaim: (c) => log('TDDL', c) });
  /** models' properties P4.1-P4.3 checked on this run's claims (impl/runtime/claims-check.ts) */
  const judged = () => {
    const observed: Envelope[] = seen.map((q, id) => ({ id, from: 'TDDL', to: 'TZTCM', label: q.kind, bytes: q.payload, session: 1, origin: 'party' }));
    return Object.fromEntries(checkClaims(protocol ?? tztcmSessionProtocol, claims, observed).map((c) => [c.id, c.ok ? 'ok' : c.detail]));
  };
  return { deps, kTddl, kTztcm, core, driver, seen, refused, tddl, protocol, judged, ctx: () => TeecContext.initialize(driver) };
}

const rejects = (p: Promise<unknown>, code: number) => assert.rejects(p, (e: unknown) => e instanceof TeecError && e.code === code);

test('pairing gives both ends the same K_uuid; a different TDDL identity gives another', () => {
  const r = rig(1);
  assert.deepEqual(r.kTddl, r.kTztcm);
  const a = beginPairing(tpm2P256, seededRandom(2), TZTCM_UUID, 'TDDL');
  const b = beginPairing(tpm2P256, seededRandom(3), TZTCM_UUID, 'other');
  assert.notDeepEqual(a.finish(b.publicKey), b.finish(a.publicKey));
  assert.throws(() => beginPairing(tpm2P256, seededRandom(4), TZTCM_UUID, 'TDDL').finish(new Uint8Array(65)), /invalid P-256 public key/);
});

test('honest TDDL: every command reaches the engine once, in order, two per session', async () => {
  const r = rig(5);
  for (let i = 1; i <= 5; i++) {
    const rsp = await r.tddl.transmit(frame(`cmd${i}`));
    assert.equal(countOf(rsp), i);
    assert.equal(Buffer.from(rsp.subarray(24)).toString('latin1'), `cmd${i}`);
  }
  assert.deepEqual(r.tddl.stats, { sessions: 3, commands: 5, reopened: 0 });
  assert.deepEqual(r.refused, []);
  // the protocol's own properties, judged on the claims both machines made in this run
  assert.deepEqual(r.judged(), { 'P4.1': 'ok', 'P4.2': 'ok', 'P4.3': 'ok' });
  // every request is a machine message: OpenSession, InvokeCommand ×2, CloseSession per full session
  assert.deepEqual(r.seen.map((q) => q.kind).join(' '), 'open invoke invoke close open invoke invoke close open invoke');
  await r.tddl.close();
  // the machine closes a session after its second command only: the third session, with one
  // command, cannot be closed by a MAC'd CloseSession and stays until the table drops it
  assert.equal(r.core.openSessions, 1);
});

test('a host process without K_uuid is refused at OpenSession (and the engine runs nothing)', async () => {
  const r = rig(6);
  const malware = new TddlClient(r.ctx(), new Uint8Array(32).fill(7), r.deps);
  await rejects(malware.transmit(frame('evil')), TEEC.ERROR_ACCESS_DENIED);
  assert.match(r.refused[0]!, /^open: .*MAC/);
  assert.equal(countOf(await r.tddl.transmit(frame('ok'))), 1, 'the engine executed nothing for the malware');
});

test('a host process without K_uuid is refused at every command, even in a session it opened by replay', async () => {
  const r = rig(7);
  await r.tddl.transmit(frame('first'));
  const open = r.seen.find((q) => q.kind === 'open')!;
  const cmd = r.seen.find((q) => q.kind === 'invoke')!;
  // the OpenSession MAC carries no TZTCM freshness: its replay gets a session (as the model says) …
  const { session } = await r.ctx().openSession(TZTCM_UUID, open.payload);
  // … but a command in it needs the new sid under K_uuid: the recorded one is refused
  await rejects(session.invokeCommand(TZTCM_CMD_TPM, cmd.payload), TEEC.ERROR_ACCESS_DENIED);
  assert.match(r.refused.at(-1)!, /^invoke: /);
  assert.equal(countOf(await r.tddl.transmit(frame('second'))), 2, 'only the TDDL\'s commands ran');
});

test('a forged command in the TDDL\'s own session is refused; the session keeps serving the TDDL', async () => {
  const r = rig(8);
  await r.tddl.transmit(frame('one'));
  const sid = r.seen.find((q) => q.kind === 'invoke')!.session;
  const good = r.seen.find((q) => q.kind === 'invoke')!.payload;
  const forged = good.slice();
  forged[forged.length - 1]! ^= 1; // flip a bit of the MAC
  const forgedReply = await r.driver.call({ kind: 'invoke', session: sid, command: TZTCM_CMD_TPM, uuid: '', payload: forged });
  assert.equal(forgedReply.result, TEEC.ERROR_ACCESS_DENIED);
  // and a forged CloseSession does not end it either
  assert.equal((await r.driver.call({ kind: 'close', session: sid, command: 0, uuid: '', payload: new Uint8Array(0) })).result, TEEC.ERROR_ACCESS_DENIED);
  const rsp = await r.tddl.transmit(frame('two'));
  assert.equal(countOf(rsp), 2);
  assert.equal(r.tddl.stats.sessions, 1, 'the second command went in the same session');
});

test('a replayed command is refused (M4.1, the MAC without the counter, accepts it: the check is what stops it)', async () => {
  for (const variant of [undefined, 'M4.1']) {
    const r = rig(9, variant);
    await r.tddl.transmit(frame('one'));
    const first = r.seen.find((q) => q.kind === 'invoke')!;
    // the replay as command 2 of the same session (the counter is a public field)
    const reply = await r.driver.call({ ...first, payload: rewrite(first.payload, 1, constV('2')) });
    if (variant) {
      assert.equal(reply.result, TEEC.SUCCESS, 'M4.1 executes the replayed command');
      assert.equal(countOf(reply.payload.length ? Buffer.from((field(reply.payload, 2) as { b: Uint8Array }).b) : frame('')), 2, 'the engine ran it a second time');
      assert.match(r.judged()['P4.1']!, /Commit\(cmd\) by TZTCM without a matching earlier Running by TDDL/, 'and the claim check of P4.1 names it');
    } else {
      assert.equal(reply.result, TEEC.ERROR_ACCESS_DENIED);
      assert.equal(countOf(await r.tddl.transmit(frame('two'))), 2, 'the replay did not run');
      assert.equal(r.judged()['P4.1'], 'ok');
    }
  }
});

test('commands moved between sessions or out of order are refused (M4.2, no sid in the MAC, accepts the splice)', async () => {
  for (const variant of [undefined, 'M4.2']) {
    const r = rig(10, variant);
    await r.tddl.transmit(frame('a1'));
    await r.tddl.transmit(frame('a2'));
    const [a1, a2] = r.seen.filter((q) => q.kind === 'invoke');
    await r.tddl.transmit(frame('b1')); // session B is open, waiting for its command 2
    const b1 = r.seen.filter((q) => q.kind === 'invoke').at(-1)!;
    const bSession = b1.session;
    const bSid = field(b1.payload, 0);
    // A's command 1 where B waits for command 2 (out of order, and from another session)
    assert.equal((await r.driver.call({ ...a1!, session: bSession })).result, TEEC.ERROR_ACCESS_DENIED);
    // A's command 2 where B waits for command 2, B's sid written in: only the MAC binds the sid
    const spliced = await r.driver.call({ ...a2!, session: bSession, payload: rewrite(a2!.payload, 0, bSid) });
    assert.equal(spliced.result, variant ? TEEC.SUCCESS : TEEC.ERROR_ACCESS_DENIED, r.refused.join('; '));
  }
});

test('the TA refuses an unknown command ID and the TEE core unknown UUIDs and sessions', async () => {
  const r = rig(11);
  await rejects(r.ctx().openSession('00000000-0000-0000-0000-000000000000', new Uint8Array(0)), TEEC.ERROR_ITEM_NOT_FOUND);
  assert.equal((await r.driver.call({ kind: 'invoke', session: 999, command: TZTCM_CMD_TPM, uuid: '', payload: new Uint8Array(0) })).result, TEEC.ERROR_ITEM_NOT_FOUND);
  await r.tddl.transmit(frame('x'));
  const sid = r.seen.filter((q) => q.kind === 'invoke').at(-1)!.session;
  assert.equal((await r.driver.call({ kind: 'invoke', session: sid, command: 1, uuid: '', payload: new Uint8Array(0) })).result, TEEC.ERROR_BAD_PARAMETERS);
  assert.equal((await r.driver.call({ kind: 'invoke', session: sid, command: TZTCM_CMD_TPM, uuid: '', payload: Uint8Array.of(1, 2, 3) })).result, TEEC.ERROR_ACCESS_DENIED);
});

test('sessions left open by callers that cannot use them are dropped; the TDDL reopens and is served', async () => {
  const r = rig(12);
  await r.tddl.transmit(frame('one'));
  const open = r.seen.find((q) => q.kind === 'open')!;
  for (let i = 0; i < 70; i++) await r.driver.call(open); // fills the 64-entry session table
  assert.equal(r.core.openSessions, 64);
  assert.equal(countOf(await r.tddl.transmit(frame('two'))), 2);
  assert.equal(r.tddl.stats.reopened, 1);
});
