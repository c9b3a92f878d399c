/**
 * `tcv tztcm boot`: the chain verified, the key rebuilt from a fresh noisy read (the same key in
 * two boots of one state directory), the RPMB counter; tampered helper data exits 1 naming it and
 * leaves the state directory as it was; usage errors exit 2.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tcv } from './harness.ts';

describe('tcv tztcm boot', () => {
  it('boots a state directory twice: every step ok, the same K_rpmb from two noisy reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcv-boot-'));
    try {
      const a = await tcv('tztcm', 'boot', '--state', dir, '--json', '--seed', '1');
      assert.equal(a.code, 0, a.err);
      const ra = JSON.parse(a.out);
      assert.equal(ra.provisioned, true);
      assert.ok(ra.steps.every((s: { ok: boolean }) => s.ok));
      assert.equal(ra.rpmbCounter, 0);
      assert.equal(ra.measurements.length, 2);
      const b = JSON.parse((await tcv('tztcm', 'boot', '--state', dir, '--json', '--seed', '2')).out);
      assert.equal(b.provisioned, false);
      assert.equal(b.kRpmbFingerprint, ra.kRpmbFingerprint);
      assert.notEqual(b.puf.bitErrors, ra.puf.bitErrors);
      assert.ok(b.puf.bitErrorRate > 0.1);

      const before = Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n)).toString('hex')]));
      const t = await tcv('tztcm', 'boot', '--state', dir, '--tamper', 'helper');
      assert.equal(t.code, 1);
      assert.match(t.out, /boot stopped — GRU rebuild: helper data \(dataka\.bin\)/);
      const after = Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n)).toString('hex')]));
      assert.deepEqual(after, before, 'the state directory is untouched by --tamper');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--tamper os-image stops at the secure-OS signature; a bad flag exits 2 in one line', async () => {
    const t = await tcv('tztcm', 'boot', '--tamper', 'os-image', '--json');
    assert.equal(t.code, 1);
    assert.match(JSON.parse(t.out).reason, /^verify secure-OS image: .*signature does not verify/);
    const u = await tcv('tztcm', 'boot', '--tamper', 'nope');
    assert.equal(u.code, 2);
    assert.equal(u.err.split('\n').length, 1);
    assert.match(u.err, /--tamper wants one of/);
  });
});
