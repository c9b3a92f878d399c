/**
 * The watched kernel code: the Debian kernel's .text when scripts/install-kernel-image.sh has
 * run (.ci/run runs it, so CI always has it), else a fallback that says why. The Debian bytes are
 * checked against an independent extraction (binutils' objcopy) where that tool exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelImageCache, loadKernelText } from '../../../../impl/tztcm/monitor/kernel-text.ts';

const SIZE = 256 * 4096;
const vmlinux = join(kernelImageCache(), 'vmlinux');
const installed = existsSync(vmlinux);
if (!installed && process.env['CI']) throw new Error(`${vmlinux} is missing in CI: .ci/run installs it (scripts/install-kernel-image.sh)`);
const skip = installed ? false : `no Debian kernel image (bash scripts/install-kernel-image.sh)`;
const hasObjcopy = spawnSync('objcopy', ['--version']).status === 0;

test('the Debian kernel text is what the monitor watches when installed', { skip }, () => {
  const k = loadKernelText(SIZE);
  assert.equal(k.kind, 'debian-kernel');
  assert.equal(k.fallback, undefined);
  assert.match(k.source, /^Debian linux-image-\S+ \S+ vmlinux \.text \(first 1048576 of \d+ bytes\)$/);
  assert.equal(k.bytes.length, SIZE);
  assert.equal(k.sha256, createHash('sha256').update(k.bytes).digest('hex'));
  // the whole seed-sized region fits in a 6.1 kernel's text
  assert.equal(loadKernelText().kind, 'debian-kernel');
});

test('the Debian kernel text equals objcopy --only-section=.text of the same vmlinux', { skip: skip || (!hasObjcopy && 'binutils objcopy is not installed') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcv-ktext-'));
  try {
    const out = join(dir, 'text.bin');
    const r = spawnSync('objcopy', ['-O', 'binary', '--only-section=.text', vmlinux, out]);
    assert.equal(r.status, 0, String(r.stderr));
    const ref = readFileSync(out).subarray(0, SIZE);
    assert.deepEqual(Buffer.from(loadKernelText(SIZE).bytes), ref);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the image the monitor falls back to real code and says why', () => {
  const empty = mkdtempSync(join(tmpdir(), 'tcv-kcache-'));
  try {
    const k = loadKernelText(SIZE, { cache: empty });
    assert.notEqual(k.kind, 'debian-kernel');
    assert.match(k.fallback ?? '', /no Debian kernel image in .*install-kernel-image\.sh/);
    assert.equal(k.bytes.length, SIZE);
    // a cache holding something that is not a vmlinux is refused with the reason, not read as code
    writeFileSync(join(empty, 'manifest.json'), '{"package":"x","version":"1"}');
    writeFileSync(join(empty, 'vmlinux'), Buffer.alloc(8192, 0x90));
    assert.match(loadKernelText(SIZE, { cache: empty }).fallback ?? '', /vmlinux is not an ELF64 file with a \.text section/);
    // and neither source: the counter-mode stand-in, both reasons kept
    const s = loadKernelText(SIZE, { cache: empty, executable: join(empty, 'vmlinux') });
    assert.equal(s.kind, 'stand-in');
    assert.match(s.fallback ?? '', /; .*not an ELF64/);
    assert.ok(new Set(s.bytes.subarray(0, 4096)).size > 64);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('a size beyond the Debian text falls back with the sizes named', { skip }, () => {
  const k = loadKernelText(16 << 20); // more than 6.1's 14.0 MiB, less than node's .text
  assert.notEqual(k.kind, 'debian-kernel');
  assert.match(k.fallback ?? '', /has a \.text of \d+ bytes, fewer than the 16777216 asked for/);
});
