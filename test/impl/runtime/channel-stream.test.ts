/**
 * The channel's streaming API over our TPM machine (impl/runtime/channel-stream.ts): data read
 * back equals data sent across record and session boundaries; a tampered record ends the stream
 * with one line naming the machine's check; back-pressure holds a writer; the rolling nonce is
 * what stops a replayed record (the correct protocol rejects it, M6.1 accepts it).
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyVariant } from '../../../models/protocol.ts';
import { channelProtocol } from '../../../models/protocols/channel.ts';
import { roleOf } from '../../../models/role.ts';
import { recvOf } from '../../../models/steps.ts';
import { seededRandom } from '../../../impl/crypto/index.ts';
import { localChannelSession, recordInputs, type ChannelSessionResult } from '../../../impl/runtime/channel-session.ts';
import { pipeThroughChannel } from '../../../impl/runtime/channel-pipe.ts';
import { ChannelError, ChannelStream } from '../../../impl/runtime/channel-stream.ts';
import { ProtocolRun } from '../../../impl/runtime/session.ts';
import { decode, encode } from '../../../impl/wire/codec.ts';
import type { Value } from '../../../impl/wire/value.ts';

/** The label of the check a role's transition receiving `msg` makes first (read from the model). */
function firstCheck(role: string, msg: string): { transition: string; check: string } {
  const decl = channelProtocol(2).roles.find((r) => r.role === role)!;
  const t = roleOf(decl.machine).transitions.find((x) => recvOf(x)?.label === msg)!;
  const c = t.steps.find((s) => s.op === 'check')!;
  return { transition: t.label, check: c.op === 'check' ? c.label : '' };
}

/** The message with one byte of its tuple item `item` (bytes) flipped. */
function flipItem(bytes: Uint8Array, item: number): Uint8Array {
  const v = decode(bytes) as Value & { k: 'tuple' };
  const x = v.items[item] as { k: 'bytes'; b: Uint8Array };
  const b = x.b.slice();
  b[b.length >> 1]! ^= 0x01;
  const items = v.items.slice();
  items[item] = { k: 'bytes', b };
  return encode({ k: 'tuple', items });
}

test('5 000 bytes through our TPM machine in 100-byte records, 2 per session: read back equal', async () => {
  const data = seededRandom(1).bytes(5000);
  const r = await pipeThroughChannel({ recordBytes: 100, recordsPerSession: 2, runSession: localChannelSession({ seed: 1 }) }, data, 333);
  assert.equal(r.equal, true);
  assert.equal(r.summary.records, 50);
  assert.equal(r.summary.sessions, 25);
  assert.equal(r.summary.bytesRead, 5000);
});

test('a tampered NV_Write record is detected: the stream ends with one line naming the TPM machine check', async () => {
  const data = seededRandom(2).bytes(300);
  const tamper = (label: string, b: Uint8Array) => (label === 'NV_Write2' ? flipItem(b, 1) : b);
  const want = firstCheck('TPM', 'NV_Write2');
  const ch = pipeThroughChannel({ recordBytes: 100, recordsPerSession: 3, runSession: localChannelSession({ seed: 2, tamper }) }, data);
  await assert.rejects(ch, (e: unknown) => {
    assert.ok(e instanceof ChannelError);
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.match(e.message, new RegExp(`${want.transition}.*${want.check}`));
    return true;
  });
  // the same schedule untampered reads back what was written
  const ok = await pipeThroughChannel({ recordBytes: 100, recordsPerSession: 3, runSession: localChannelSession({ seed: 2 }) }, data);
  assert.equal(ok.equal, true);
});

test('a tampered NV_Read response is detected by the TEE machine', async () => {
  const tamper = (label: string, b: Uint8Array) => (label === 'NV_ReadResponse1' ? flipItem(b, 0) : b);
  const want = firstCheck('TEE', 'NV_ReadResponse1');
  await assert.rejects(pipeThroughChannel({ recordBytes: 64, recordsPerSession: 2, runSession: localChannelSession({ seed: 3, tamper }) }, seededRandom(3).bytes(100)), new RegExp(`${want.transition}.*${want.check}`));
});

test('back-pressure: a write waits while a session is in flight and the queue is at the high-water mark', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const inner = localChannelSession({ seed: 4 });
  const runSession = async (records: readonly Uint8Array[]): Promise<ChannelSessionResult> => {
    await gate;
    return inner(records);
  };
  const ch = new ChannelStream({ recordBytes: 10, recordsPerSession: 1, highWaterMark: 10, runSession });
  let resolved = false;
  const w = ch.write(new Uint8Array(30).fill(7)).then(() => (resolved = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(resolved, false, 'the writer is held');
  release();
  await w;
  assert.equal(resolved, true);
  const s = await ch.close();
  assert.equal(s.records, 3);
  const back: number[] = [];
  for (let r = await ch.read(); r; r = await ch.read()) back.push(...r);
  assert.deepEqual(back, new Array(30).fill(7));
  await assert.rejects(ch.write(new Uint8Array(1)), /write after close/);
});

/** A run of `protocol` with two records where the attacker replays NV_Write1 in place of NV_Write2. */
function replayRecord(variant?: string) {
  const { protocol } = applyVariant(channelProtocol(2), variant);
  const run = new ProtocolRun(protocol, { seed: 5, inputs: { TEE: recordInputs([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]) } });
  run.start();
  let write1: Uint8Array | null = null;
  for (let i = 0; i < 100; i++) {
    const next = run.deliverable()[0];
    if (!next) break;
    if (next.label === 'NV_Write1') write1 = next.bytes;
    if (next.label === 'NV_Write2') {
      run.network.drop(next.id);
      run.deliver(run.network.inject('TEE', 'TPM', 'NV_Write2', write1!).id);
      break;
    }
    run.deliver(next.id);
  }
  return run.partyStates().find((s) => s.role === 'TPM')!;
}

test('replaying record 1 as record 2: the correct protocol rejects it at the NV_Write HMAC (rolling nonceTPM)', () => {
  const tpm = replayRecord();
  assert.equal(tpm.state, 'failed');
  assert.match(tpm.failure!.message, new RegExp(firstCheck('TPM', 'NV_Write2').check));
});

test('M6.1 (no nonceTPM in the NV_Write HMAC and key): the TPM accepts the replayed record as record 2', () => {
  const tpm = replayRecord('M6.1');
  assert.equal(tpm.failure, null);
  const tpmDecl = applyVariant(channelProtocol(2), 'M6.1').protocol.roles.find((r) => r.role === 'TPM')!;
  assert.equal(tpm.state, roleOf(tpmDecl.machine).transitions.find((t) => t.label === firstCheck('TPM', 'NV_Write2').transition)!.to);
});
