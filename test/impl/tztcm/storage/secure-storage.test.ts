/**
 * The hierarchical secure storage: objects per TA, isolation by API and by crypto, rollback and
 * swap of REE files detected through the RPMB root, bit rot in any file named without losing
 * the other objects.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { decode } from '../../../../impl/wire/codec.ts';
import { RpmbDevice } from '../../../../impl/tztcm/storage/rpmb/rpmb-device.ts';
import { StorageError } from '../../../../impl/tztcm/storage/secure-storage.ts';
import { deriveTsk, unwrapFileKey } from '../../../../impl/tztcm/storage/storage-keys.ts';
import { freshFs, mount, SSK, str, TA2, TA3, text, TZTCM } from './storage-fixture.ts';

const objectFiles = (names: string[]) => names.filter((n) => n.endsWith('.obj'));
const code = (c: string) => (e: unknown) => e instanceof StorageError && e.code === c;

describe('secure storage', () => {
  it('objects of several TAs round-trip and survive a remount; ids are per TA', () => {
    const fs = freshFs();
    const s = mount(fs);
    s.write(TZTCM, 'tpm-state', text('seeds'));
    s.write(TA2, 'tpm-state', text('not the tpm'));
    s.write(TZTCM, 'nv', text('nv-1'));
    s.write(TZTCM, 'nv', text('nv-2'));
    const again = mount(fs.snapshot());
    assert.equal(str(again.read(TZTCM, 'tpm-state')), 'seeds');
    assert.equal(str(again.read(TA2, 'tpm-state')), 'not the tpm');
    assert.equal(str(again.read(TZTCM, 'nv')), 'nv-2');
    assert.deepEqual(again.list(TZTCM), ['nv', 'tpm-state']);
    assert.equal(again.version, 4);
    assert.equal(objectFiles(fs.list()).length, 3, 'the replaced version was removed');
  });

  it('delete and rename', () => {
    const fs = freshFs();
    const s = mount(fs);
    s.write(TA2, 'a', text('1'));
    s.rename(TA2, 'a', 'b');
    assert.throws(() => s.read(TA2, 'a'), code('not-found'));
    assert.equal(str(s.read(TA2, 'b')), '1');
    s.delete(TA2, 'b');
    assert.deepEqual(mount(fs.snapshot()).list(TA2), []);
    assert.throws(() => s.write(TA2, '', text('x')), code('bad-id'));
    assert.throws(() => s.write(TA2, 'x'.repeat(65), text('x')), code('bad-id'));
  });

  it("a second TA cannot read the TZTCM's object: not through the API, not with its TSK", () => {
    const fs = freshFs();
    const s = mount(fs);
    s.write(TZTCM, 'tpm-state', text('primary seeds'));
    assert.throws(() => s.read(TA2, 'tpm-state'), code('not-found'));
    assert.deepEqual(s.list(TA2), []);
    // by crypto: the TA takes the REE file itself and tries its own TSK (and the TZTCM's succeeds)
    const file = fs.read(objectFiles(fs.list())[0]!)!;
    const v = decode(file) as unknown as { items: { b: Uint8Array }[] };
    assert.equal(unwrapFileKey(v.items[0]!.b, deriveTsk(SSK, TA2.uuid)), undefined);
    assert.ok(unwrapFileKey(v.items[0]!.b, deriveTsk(SSK, TZTCM.uuid)));
    // and a host that copies the TZTCM's file over TA2's object: named, not opened
    s.write(TA2, 'tpm-state', text('mine'));
    const files = objectFiles(fs.list());
    const ta2File = files.find((n) => !Buffer.from(fs.read(n)!).equals(file))!;
    fs.tamper(ta2File, () => file.slice());
    assert.throws(() => s.read(TA2, 'tpm-state'), (e: StorageError) => e.code === 'corrupted' && e.message.includes(ta2File));
  });

  it('another chip (another HUK, so another SSK) does not open the storage', () => {
    const fs = freshFs();
    mount(fs).write(TZTCM, 'x', text('1'));
    assert.throws(() => mount(fs.snapshot(), sha256(text('other chip'))), code('rollback'));
  });

  it('rollback: an older directory or an older object file put back by the host is detected', () => {
    const fs = freshFs();
    const s = mount(fs);
    s.write(TZTCM, 'counter', text('v1'));
    const old = fs.snapshot();
    s.write(TZTCM, 'counter', text('v2'));
    // the host restores every REE file of the older state (it cannot roll the RPMB back)
    const rolled = fs.snapshot();
    for (const n of rolled.list()) if (n !== 'rpmb.img') rolled.tamper(n, () => undefined);
    for (const n of old.list()) if (n !== 'rpmb.img') (rolled.write(n, old.read(n)!), rolled.fsync(n));
    rolled.syncDir();
    assert.throws(() => mount(rolled), (e: StorageError) => e.code === 'rollback' && /dirf-2/.test(e.message));
    // only the object file rolled back (renamed to the current name)
    const cur = fs.snapshot();
    const curFile = objectFiles(cur.list())[0]!;
    cur.tamper(curFile, () => old.read(objectFiles(old.list())[0]!)!);
    assert.throws(() => mount(cur).read(TZTCM, 'counter'), (e: StorageError) => e.code === 'corrupted' && e.message.includes(curFile));
  });

  it('bit rot in every REE file and in the RPMB image: named, and no other object lost', () => {
    const fs = freshFs();
    const s = mount(fs);
    for (const [ta, id] of [[TZTCM, 'a'], [TA2, 'b'], [TA3, 'c']] as const) s.write(ta, id, text(`data ${id}`));
    const all = [[TZTCM, 'a'], [TA2, 'b'], [TA3, 'c']] as const;
    for (const name of fs.list()) {
      for (const at of [0, 0.5, 0.99]) {
        const t = fs.snapshot();
        t.tamper(name, (b) => ((b[Math.floor(at * (b.length - 1))]! ^= 0x01), b));
        const m = mount(t);
        let lost = 0;
        for (const [ta, id] of all) {
          try {
            assert.equal(str(m.read(ta, id)), `data ${id}`);
          } catch (e) {
            assert.ok(e instanceof StorageError && e.code === 'corrupted' && e.message.includes(name), `${name}: ${(e as Error).message}`);
            lost++;
          }
        }
        if (name.endsWith('.obj')) assert.equal(lost, 1, `rot in ${name} loses exactly its object`);
        else {
          assert.equal(lost, 0, `rot in ${name} loses nothing`);
          const warned = name === 'rpmb.img' ? new RpmbDevice(t).warnings : m.warnings;
          assert.ok(warned.some((w) => w.includes(name)), `rot in ${name} is reported: ${warned}`);
        }
      }
    }
  });
});
