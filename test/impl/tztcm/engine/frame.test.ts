/**
 * The engine's command-frame handling (TPM 2.0 Part 1 §18, Part 3 §5): Startup, GetRandom, and
 * the response codes for frames and commands it does not take. Each refusal is paired with the
 * accepted form of the same command.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../../../impl/crypto/index.ts';
import { marshal } from '../../../../impl/tpm2/marshal-writer.ts';
import { decodeResponseCode } from '../../../../impl/tpm2/response-codes.ts';
import { createTztcmEngine, memoryStateStore } from '../../../../impl/tztcm/engine/tztcm-engine.ts';

export function frame(code: number, body: Uint8Array = new Uint8Array(0), tag = 0x8001): Uint8Array {
  return marshal((w) => w.u16(tag).u32(10 + body.length).u32(code).bytes(body));
}
export const rcOf = (rsp: Uint8Array) => new DataView(rsp.buffer, rsp.byteOffset).getUint32(6, false);
const name = (rsp: Uint8Array) => decodeResponseCode(rcOf(rsp)).name;
const startupClear = frame(0x144, Uint8Array.of(0, 0));

describe('TZTCM engine: frames, Startup, GetRandom', () => {
  it('answers TPM_RC_INITIALIZE before Startup, then Startup once', () => {
    const e = createTztcmEngine({ random: seededRandom(1) });
    assert.equal(name(e.execute(frame(0x17b, Uint8Array.of(0, 8)))), 'TPM_RC_INITIALIZE');
    const ok = e.execute(startupClear);
    assert.deepEqual([...ok], [0x80, 0x01, 0, 0, 0, 10, 0, 0, 0, 0]);
    assert.equal(name(e.execute(startupClear)), 'TPM_RC_INITIALIZE');
  });

  it('GetRandom returns the count asked, in a well-formed response', () => {
    const e = createTztcmEngine({ random: seededRandom(2) });
    e.execute(startupClear);
    const rsp = e.execute(frame(0x17b, Uint8Array.of(0, 16)));
    assert.equal(rcOf(rsp), 0);
    assert.equal(rsp.length, 10 + 2 + 16);
    assert.equal(new DataView(rsp.buffer).getUint32(2, false), rsp.length);
    assert.equal((rsp[10]! << 8) | rsp[11]!, 16);
  });

  it('refuses unknown commands, bad tags, wrong sizes and short frames with the spec codes', () => {
    const e = createTztcmEngine({ random: seededRandom(3) });
    e.execute(startupClear);
    assert.equal(name(e.execute(frame(0x1ff))), 'TPM_RC_COMMAND_CODE');
    assert.equal(rcOf(e.execute(frame(0x17b, Uint8Array.of(0, 8), 0x00c4))), 0x1e); // TPM_RC_BAD_TAG: a TPM_ST, not a command tag
    assert.equal(rcOf(e.execute(frame(0x17b, Uint8Array.of(0, 8), 0x00c1))), 0x84); // no TPM_ST at all: TPM_RC_VALUE (libtpms)
    const lying = frame(0x17b, Uint8Array.of(0, 8));
    new DataView(lying.buffer).setUint32(2, 0xffffffff, false);
    assert.equal(name(e.execute(lying)), 'TPM_RC_COMMAND_SIZE');
    assert.equal(name(e.execute(Uint8Array.of(0x80, 1, 0))), 'TPM_RC_INSUFFICIENT');
    // a GetRandom missing its parameter: parameter 1 insufficient
    const d = decodeResponseCode(rcOf(e.execute(frame(0x17b))));
    assert.equal(d.name, 'TPM_RC_INSUFFICIENT');
    assert.equal(d.parameter, 1);
    // trailing bytes after the last parameter
    assert.equal(name(e.execute(frame(0x17b, Uint8Array.of(0, 8, 0)))), 'TPM_RC_SIZE');
    // and the same engine still answers a good command
    assert.equal(rcOf(e.execute(frame(0x17b, Uint8Array.of(0, 8)))), 0);
  });

  it('keeps its persistent state in the store and reads it back after a restart', () => {
    const store = memoryStateStore();
    createTztcmEngine({ store, random: seededRandom(4) });
    const first = store.image!;
    const again = createTztcmEngine({ store, random: seededRandom(5) });
    again.execute(startupClear);
    // the seeds are the first boot's (not re-drawn from the new random source)
    assert.deepEqual(again.tpm.persistent.seeds.owner, createTztcmEngine({ store: { load: () => first, save: () => {} } }).tpm.persistent.seeds.owner);
    assert.equal(again.tpm.persistent.resetCount, 1);
  });
});
