/**
 * Bad input never hurts the TZTCM engine (issue 15, "Bad input and faults"): random byte
 * strings, frames with any size field (up to 0xFFFFFFFF), unknown commands, handles that do not
 * exist and mutated valid commands always get a well-formed response (tag, a size equal to its
 * length, never an exception), leave the persistent image as it was unless the command
 * succeeded (or counted a failed authorization, Part 1 §19.8.6), and leave what is loaded
 * usable: a probe afterwards still reads the same object. Paired with a broken engine (one that
 * writes its image on every command) the property must catch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { seededRandom } from '../../impl/crypto/index.ts';
import { TPM_CC, TPM_RH } from '../../impl/tpm2/spec-constants.ts';
import { marshal } from '../../impl/tpm2/marshal-writer.ts';
import { storageKeyTemplate, writePublic } from '../../impl/tpm2/public-area.ts';
import { writePcrSelection } from '../../impl/tpm2/pcr-selection.ts';
import { createTztcmEngine, memoryStateStore, type TztcmEngine } from '../../impl/tztcm/engine/tztcm-engine.ts';
import { commandArb, frame } from '../../properties/tztcm/command-arbitraries.ts';

const SEED = 4242;
const RUNS = 400;
const PW = marshal((w) => w.u32(TPM_RH.RS_PW).u16(0).u8(1).u16(0));
const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');

/** A started engine with a storage primary loaded and an NV index defined. */
function setUp(execute?: (e: TztcmEngine, f: Uint8Array) => Uint8Array) {
  const store = memoryStateStore();
  const engine = createTztcmEngine({ store, random: seededRandom(9) });
  const run = (f: Uint8Array) => (execute ? execute(engine, f) : engine.execute(f));
  run(frame(TPM_CC.Startup, [], Uint8Array.of(0, 0)));
  const cp = run(
    frame(
      TPM_CC.CreatePrimary,
      [TPM_RH.OWNER],
      marshal((w) => {
        w.sized((s) => s.u16(0).u16(0)).sized((p) => writePublic(p, storageKeyTemplate())).u16(0);
        writePcrSelection(w, []);
      }),
      PW,
    ),
  );
  const handle = new DataView(cp.buffer).getUint32(10, false);
  run(frame(TPM_CC.NV_DefineSpace, [TPM_RH.OWNER], marshal((w) => w.u16(0).sized((x) => x.u32(0x01500016).u16(0x000b).u32(0x00060006).u16(0).u16(8))), PW));
  const probe = () => hex(run(frame(TPM_CC.ReadPublic, [handle], new Uint8Array(0))));
  return { store, engine, run, probe, handle };
}

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  // a header with any size field and code, then random octets
  fc.tuple(fc.constantFrom(0x8001, 0x8002, 0x00c1, 0), fc.oneof(fc.constant(0xffffffff), fc.nat()), fc.nat(), fc.uint8Array({ maxLength: 48 })).map(([tag, size, code, rest]) =>
    marshal((w) => w.u16(tag).u32(size >>> 0).u32(code >>> 0).bytes(rest)),
  ),
  fc.nat({ max: 6000 }).map((n) => new Uint8Array(n).fill(0x80)),
);

function check(run: (f: Uint8Array) => Uint8Array, store: { image: Uint8Array | undefined }, probe: () => string, input: Uint8Array): void {
  const before = hex(store.image);
  const probed = probe();
  let rsp: Uint8Array;
  try {
    rsp = run(input);
  } catch (e) {
    throw new Error(`execute threw ${String(e)} for ${hex(input)}`);
  }
  assert.ok(rsp instanceof Uint8Array && rsp.length >= 10, 'a response of at least a header');
  const dv = new DataView(rsp.buffer, rsp.byteOffset);
  assert.equal(dv.getUint32(2, false), rsp.length, 'responseSize is the length');
  assert.ok([0x8001, 0x8002].includes(dv.getUint16(0, false)), 'a TPM 2.0 response tag');
  const rc = dv.getUint32(6, false);
  const daCounted = (rc & 0xbf) === 0x8e || rc === 0x921; // TPM_RC_AUTH_FAIL (+S) / LOCKOUT
  if (rc !== 0 && !daCounted) assert.equal(hex(store.image), before, `a failed command (rc 0x${rc.toString(16)}) changed the persistent image: ${hex(input)}`);
  if (rc !== 0) assert.equal(probe(), probed, 'a failed command changed what is loaded');
}

describe('the TZTCM engine under bad input', () => {
  it(`never throws, answers well-formed frames, stores nothing on failure (${RUNS} inputs)`, () => {
    const t = setUp();
    fc.assert(
      fc.property(fc.oneof(anyBytes, commandArb.map((c) => c.frame({ objects: [t.handle], sessions: [] }))), (input) => check(t.run, t.store, t.probe, input)),
      { seed: SEED, numRuns: RUNS },
    );
    // and the engine still works
    assert.equal(new DataView(t.run(frame(TPM_CC.GetRandom, [], Uint8Array.of(0, 8))).buffer).getUint32(6, false), 0);
  });

  it('catches an engine that writes its image on every command', () => {
    const t = setUp((e, f) => {
      e.tpm.persistent.restartCount++;
      e.tpm.commitNv();
      return e.execute(f);
    });
    assert.throws(() => fc.assert(fc.property(anyBytes, (input) => check(t.run, t.store, t.probe, input)), { seed: SEED, numRuns: 50, includeErrorInReport: true }), /changed the persistent image/);
  });
});
