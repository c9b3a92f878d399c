/**
 * Issue 22 rows 7 and 9: the atomic export writes through a symbolic link, keeps the mode,
 * refuses a directory or a device in one line, and on a full or read-only file system (a small
 * tmpfs, when this process may mount one) leaves the old file whole and no temporary behind;
 * the CLI names each such path as a usage-class error (exit 2).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWriteError, writeFileAtomic } from '../../proofs-export/atomic-write.ts';
import { tcv } from '../cli/harness.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'tcv-atomic-'));

test('a symbolic link is written through: the link stays, the file it points to is replaced', () => {
  const dir = tmp();
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere', 'real.spthy'), 'old');
  symlinkSync(join('elsewhere', 'real.spthy'), join(dir, 'link.spthy'));
  writeFileAtomic(join(dir, 'link.spthy'), 'new');
  assert.ok(lstatSync(join(dir, 'link.spthy')).isSymbolicLink());
  assert.equal(readlinkSync(join(dir, 'link.spthy')), join('elsewhere', 'real.spthy'));
  assert.equal(readFileSync(join(dir, 'elsewhere', 'real.spthy'), 'utf8'), 'new');
  // a dangling link: its target is made
  symlinkSync('made.spthy', join(dir, 'dangling.spthy'));
  writeFileAtomic(join(dir, 'dangling.spthy'), 'made');
  assert.ok(lstatSync(join(dir, 'dangling.spthy')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'made.spthy'), 'utf8'), 'made');
  assert.deepEqual(readdirSync(dir).sort(), ['dangling.spthy', 'elsewhere', 'link.spthy', 'made.spthy']);
  rmSync(dir, { recursive: true });
});

test('an existing file keeps its mode (0600 stays 0600); a new one gets the umask default', () => {
  const dir = tmp();
  const f = join(dir, 'secret.spthy');
  writeFileSync(f, 'old', { mode: 0o600 });
  writeFileAtomic(f, 'new');
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.equal(readFileSync(f, 'utf8'), 'new');
  const g = join(dir, 'fresh.spthy');
  writeFileAtomic(g, 'x');
  assert.equal(statSync(g).mode & 0o777, 0o666 & ~process.umask());
  rmSync(dir, { recursive: true });
});

test('a device or a directory is refused in one line and left as it was', async () => {
  assert.throws(() => writeFileAtomic('/dev/full', 'x'), (e: unknown) => e instanceof FileWriteError && /not a regular file/.test(e.message));
  assert.ok(statSync('/dev/full').isCharacterDevice(), '/dev/full is still the device');
  assert.ok(statSync('/dev/null').isCharacterDevice());
  const dir = tmp();
  const r = await tcv('export', 'nspk', '--tamarin', '/dev/full');
  assert.equal(r.code, 2);
  assert.equal(r.err, "tcv export: cannot write '/dev/full': not a regular file (a device, a pipe or a socket); refused");
  assert.ok(statSync('/dev/full').isCharacterDevice());
  const d = await tcv('export', 'nspk', '--tamarin', dir);
  assert.equal(d.code, 2);
  assert.equal(d.err, `tcv export: cannot write '${dir}': is a directory (EISDIR)`);
  rmSync(dir, { recursive: true });
});

test('export and prove: I/O problems are usage errors naming the path (ENOTDIR, ENAMETOOLONG, EISDIR)', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'file'), 'x');
  const cases: [string[], RegExp][] = [
    [['export', 'nspk', '--tamarin', join(dir, 'file', 'x.spthy')], /cannot write '.*file\/x\.spthy': a part of the path is not a directory \(ENOTDIR\)$/],
    [['export', '--all', '--tamarin', join(dir, 'file')], /cannot write '.*file\/.*\.spthy': a part of the path is not a directory \(ENOTDIR\)$/],
    [['export', 'nspk', '--tamarin', join(dir, 'a'.repeat(300))], /cannot write '.*': name too long \(ENAMETOOLONG\)$/],
    [['prove', dir], /is not a regular file \(a directory\)$/],
    [['prove', join(dir, 'huge.spthy')], /has 68157440 bytes; a theory over 64 MB is refused$/],
  ];
  writeFileSync(join(dir, 'huge.spthy'), '');
  truncateSync(join(dir, 'huge.spthy'), 65 << 20); // sparse: nothing is written
  for (const [args, re] of cases) {
    const r = await tcv(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.split('\n').length, 1);
  }
  rmSync(dir, { recursive: true });
});

/** A tmpfs of `size` at a new directory (root, and a kernel that lets us), or null. */
function smallTmpfs(opts: string): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = tmp();
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', opts, 'tcv-test', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true });
    return null;
  }
  return dir;
}
const unmount = (dir: string) => {
  spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
};

test('a full file system (ENOSPC): the old file stays whole, no temporary, exit 2 naming the path', async (t) => {
  const dir = smallTmpfs('size=16k');
  if (!dir) return t.skip('cannot mount a tmpfs here (not root, or not permitted)');
  try {
    const f = join(dir, 'theory.spthy');
    writeFileSync(f, 'old theory');
    writeFileSync(join(dir, 'filler'), Buffer.alloc(12 * 1024)); // what is left is less than a theory
    const r = await tcv('export', 'nspk', '--tamarin', f);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, `tcv export: cannot write '${f}': no space left on the device (ENOSPC)`);
    assert.equal(readFileSync(f, 'utf8'), 'old theory');
    assert.deepEqual(readdirSync(dir).sort(), ['filler', 'theory.spthy']);
    const j = await tcv('verify', 'nspk', '--property', 'NS2', '--junit', join(dir, 'report.xml'));
    assert.equal(j.code, 2);
    assert.match(j.err, /cannot write the JUnit report to '.*report\.xml': no space left on the device \(ENOSPC\)$/);
    assert.deepEqual(readdirSync(dir).sort(), ['filler', 'theory.spthy']);
  } finally {
    unmount(dir);
  }
});

test('a read-only file system (EROFS): exit 2 naming the path', async (t) => {
  const dir = smallTmpfs('size=16k,ro');
  if (!dir) return t.skip('cannot mount a tmpfs here (not root, or not permitted)');
  try {
    const r = await tcv('export', 'nspk', '--tamarin', join(dir, 'x.spthy'));
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /cannot write '.*x\.spthy': read-only file system \(EROFS\)$/);
  } finally {
    unmount(dir);
  }
});
