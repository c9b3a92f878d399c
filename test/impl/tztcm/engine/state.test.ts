/**
 * The engine's state across restarts and its dictionary-attack protection: a primary key is
 * derived from the hierarchy's seed (TPM 2.0 Part 1 §26.3), so the same template gives the same
 * key after a restart and a different one under another seed; NV indices, persistent objects and
 * the DA counter survive a restart (Part 1 §37); three wrong authValues lock a DA-protected
 * object (Part 1 §19.8.6) but not a noDA one; contexts load back and a session context loads
 * once; Startup(STATE) needs a Shutdown(STATE).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD, TpmError, TpmSessionClient, handleEntity } from '../../../../impl/tpm2/index.ts';
import { create, load } from '../../../../impl/tpm2/commands-object.ts';
import { sealedDataTemplate } from '../../../../impl/tpm2/public-area.ts';
import { marshal } from '../../../../impl/tpm2/marshal-writer.ts';
import { EngineTransport } from '../../../../impl/tztcm/backend.ts';
import { createTztcmEngine, memoryStateStore } from '../../../../impl/tztcm/engine/tztcm-engine.ts';
import type { PersistentStateStore } from '../../../../impl/tztcm/engine-contract.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

async function boot(store: PersistentStateStore) {
  const engine = createTztcmEngine({ store });
  const tpm = new TpmSessionClient(new EngineTransport(engine));
  await tpm.startup();
  return { engine, tpm };
}

const rc = (rsp: Uint8Array) => new DataView(rsp.buffer, rsp.byteOffset).getUint32(6, false);

describe('TZTCM engine state', () => {
  it('the same template gives the same primary key after a restart, another under another seed', async () => {
    const store = memoryStateStore();
    const a = await boot(store);
    const q1 = TpmSessionClient.publicPoint(await a.tpm.createStorageKey());
    const b = await boot(store);
    const q2 = TpmSessionClient.publicPoint(await b.tpm.createStorageKey());
    assert.deepEqual(q2, q1);
    const other = await boot(memoryStateStore());
    assert.notDeepEqual(TpmSessionClient.publicPoint(await other.tpm.createStorageKey()), q1);
    // the NULL hierarchy's seed is new at every TPM Reset: its primaries differ across boots
    const nullPrimary = async (t: TpmSessionClient) => TpmSessionClient.publicPoint(await (await import('../../../../impl/tpm2/commands-object.ts')).createPrimary(t.executor, (await import('../../../../impl/tpm2/public-area.ts')).storageKeyTemplate(), { hierarchy: handleEntity(0x40000007) }));
    const n1 = await nullPrimary((await boot(store)).tpm);
    const n2 = await nullPrimary((await boot(store)).tpm);
    assert.notDeepEqual(n1, n2);
  });

  it('a sealed object created before a restart loads and unseals after it', async () => {
    const store = memoryStateStore();
    const a = await boot(store);
    const srk = await a.tpm.createStorageKey();
    const sealed = await a.tpm.sealWithAuth(srk, utf8('kept across restarts'), utf8('pw'));
    const b = await boot(store);
    const srk2 = await b.tpm.createStorageKey();
    const obj = await b.tpm.load(srk2, sealed, utf8('pw'));
    const s = await b.tpm.startSaltedSession(srk2, 'hmac');
    assert.deepEqual((await b.tpm.unseal(obj, s.session)).data, utf8('kept across restarts'));
    // under another TPM's storage key the blob does not verify: TPM_RC_INTEGRITY on parameter 1
    const c = await boot(memoryStateStore());
    const srk3 = await c.tpm.createStorageKey();
    await assert.rejects(c.tpm.load(srk3, sealed), (e: unknown) => e instanceof TpmError && e.name === 'TPM_RC_INTEGRITY' && e.decoded.parameter === 1);
  });

  it('NV indices and persistent objects survive a restart; undefined ones do not come back', async () => {
    const store = memoryStateStore();
    const a = await boot(store);
    const pw = marshal((w) => w.u32(0x40000009).u16(0).u8(1).u16(0));
    const f = (code: number, handles: number[], params: Uint8Array, auth = true) => {
      const w = marshal((x) => {
        x.u16(auth ? 0x8002 : 0x8001).u32(0).u32(code);
        for (const h of handles) x.u32(h);
        if (auth) x.u32(pw.length).bytes(pw);
        x.bytes(params);
      });
      new DataView(w.buffer).setUint32(2, w.length, false);
      return w;
    };
    assert.equal(rc(a.engine.execute(f(0x12a, [0x40000001], marshal((w) => w.u16(0).sized((x) => x.u32(0x01500020).u16(0x0b).u32(0x00060006).u16(0).u16(16)))))), 0);
    assert.equal(rc(a.engine.execute(f(0x137, [0x40000001, 0x01500020], marshal((w) => w.tpm2b(utf8('persisted data!!')).u16(0))))), 0);
    const srk = await a.tpm.createStorageKey();
    assert.equal(rc(a.engine.execute(f(0x120, [0x40000001, srk.handle], marshal((w) => w.u32(0x81000010))))), 0);
    const b = await boot(store);
    const read = b.engine.execute(f(0x14e, [0x40000001, 0x01500020], marshal((w) => w.u16(16).u16(0))));
    assert.equal(rc(read), 0);
    assert.ok(Buffer.from(read).includes(Buffer.from('persisted data!!')));
    assert.deepEqual((await b.tpm.readPublic(0x81000010)).name, srk.name);
    assert.equal(rc(b.engine.execute(f(0x122, [0x40000001, 0x01500020], new Uint8Array(0)))), 0);
    const c = await boot(store);
    assert.equal(rc(c.engine.execute(f(0x169, [0x01500020], new Uint8Array(0), false))), 0x18b); // TPM_RC_HANDLE, handle 1
  });

  it('three wrong authValues lock a DA-protected object out; a noDA object only answers BAD_AUTH; the count survives a restart', async () => {
    const store = memoryStateStore();
    const a = await boot(store);
    const srk = await a.tpm.createStorageKey();
    const daTemplate = { ...sealedDataTemplate(new Uint8Array(0), { userWithAuth: true }), objectAttributes: sealedDataTemplate(new Uint8Array(0), { userWithAuth: true }).objectAttributes & ~(1 << 10) };
    const daObj = await load(a.tpm.executor, srk, await create(a.tpm.executor, srk, daTemplate, { data: utf8('x'), userAuth: utf8('right') }), utf8('wrong'));
    const noDa = await a.tpm.load(srk, await a.tpm.sealWithAuth(srk, utf8('y'), utf8('right')), utf8('wrong'));
    const unseal = (o: typeof daObj, t = a.tpm) => t.executor.run({ code: 0x15e, handles: [o], authHandles: 1, sessions: [{ auth: PASSWORD }] });
    const names: string[] = [];
    for (let i = 0; i < 4; i++) await unseal(daObj).catch((e: TpmError) => names.push(e.name));
    assert.deepEqual(names, ['TPM_RC_AUTH_FAIL', 'TPM_RC_AUTH_FAIL', 'TPM_RC_AUTH_FAIL', 'TPM_RC_LOCKOUT']);
    await assert.rejects(unseal(noDa), (e: unknown) => e instanceof TpmError && e.name === 'TPM_RC_BAD_AUTH');
    assert.equal(a.engine.tpm.persistent.da.failedTries, 3);
    const b = await boot(store);
    assert.equal(b.engine.tpm.persistent.da.failedTries, 3);
    // TPM2_DictionaryAttackLockReset with lockoutAuth (Part 3 §25.2) clears it
    await b.tpm.executor.run({ code: 0x139, handles: [handleEntity(0x4000000a)], authHandles: 1, sessions: [{ auth: PASSWORD }] });
    assert.equal(b.engine.tpm.persistent.da.failedTries, 0);
  });

  it('ContextSave / ContextLoad: an object comes back under a new handle; a session context loads once', async () => {
    const { engine, tpm } = await boot(memoryStateStore());
    const srk = await tpm.createStorageKey();
    const saved = await tpm.executor.run({ code: 0x162, handles: [srk] });
    await tpm.flush(srk);
    const loaded = await tpm.executor.run({ code: 0x161, params: saved.params, responseHandles: 1 });
    assert.deepEqual((await tpm.readPublic(loaded.handles[0]!)).name, srk.name);
    const s = await tpm.startTrialSession();
    const ctx = await tpm.executor.run({ code: 0x162, handles: [handleEntity(s.handle)] });
    assert.equal(rc(engine.execute(marshal((w) => w.u16(0x8001).u32(14).u32(0x189).u32(s.handle)))), 0x910); // PolicyGetDigest: a saved session is not loaded
    await tpm.executor.run({ code: 0x161, params: ctx.params, responseHandles: 1 });
    await assert.rejects(tpm.executor.run({ code: 0x161, params: ctx.params, responseHandles: 1 }), (e: unknown) => e instanceof TpmError && e.name === 'TPM_RC_HANDLE');
    // a flipped bit in the blob: TPM_RC_INTEGRITY
    const bad = saved.params.slice();
    bad[bad.length - 1]! ^= 1;
    await assert.rejects(tpm.executor.run({ code: 0x161, params: bad, responseHandles: 1 }), (e: unknown) => e instanceof TpmError && e.name === 'TPM_RC_INTEGRITY');
  });

  it('Startup(STATE) resumes after Shutdown(STATE) only', () => {
    const engine = createTztcmEngine();
    const st = (t: number) => marshal((w) => w.u16(0x8001).u32(12).u32(0x144).u16(t));
    assert.equal(rc(engine.execute(st(1))), 0x1c4); // nothing saved: TPM_RC_VALUE on parameter 1
    assert.equal(rc(engine.execute(st(0))), 0);
    assert.equal(rc(engine.execute(marshal((w) => w.u16(0x8001).u32(12).u32(0x145).u16(1)))), 0); // Shutdown(STATE)
    engine.tpm.volatile.started = false; // the power cycle between Shutdown and Startup
    assert.equal(rc(engine.execute(st(1))), 0);
    assert.equal(engine.tpm.persistent.restartCount, 1);
  });
});
