/**
 * The kernel code the TZTCM measures. Seed 002 §5 measures the 13.4 MB text of a Linux 4.4
 * kernel. Real code bytes make the hash cost honest (no compressible pattern, a real
 * instruction mix), so the sources, in order:
 *
 * 1. a real Linux kernel: the `.text` of the vmlinux that scripts/install-kernel-image.sh
 *    extracts from Debian's kernel image package (14.0 MiB in 6.1's amd64 build; .ci/run installs
 *    it), read through the ELF64 section headers (System V gABI, "Sections");
 * 2. without it, the `.text` of the Node.js executable (about 28 MB of x86-64 or AArch64 code,
 *    present wherever tcv runs);
 * 3. where neither is ELF (macOS, Windows), a documented stand-in: bytes from SHA-256 in counter
 *    mode, which hash at the same speed.
 *
 * The first `size` bytes are taken; a fallback carries its reason, which reports print.
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Seed 002 §5: "13.4 MB" of kernel text (read as MiB, rounded down to whole 4 KiB pages). */
export const SEED_KERNEL_TEXT_BYTES = Math.floor((13.4 * 1024 * 1024) / 4096) * 4096;

export interface KernelText {
  readonly bytes: Uint8Array;
  /** where the bytes came from, for reports */
  readonly source: string;
  readonly kind: 'debian-kernel' | 'node-text' | 'stand-in';
  /** SHA-256 of `bytes` (hex): a plain file digest anyone can recompute from the image */
  readonly sha256: string;
  /** why the Debian kernel's text was not used (absent when it was) */
  readonly fallback?: string;
}

function readAt(fd: number, offset: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  const n = readSync(fd, b, 0, length, offset);
  return b.subarray(0, n);
}

/** The file offset and size of the `.text` section of an ELF64 little-endian file, or null. */
export function elfTextSection(path: string): { offset: number; size: number } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const h = readAt(fd, 0, 64);
    // e_ident: 0x7f 'E' 'L' 'F', EI_CLASS = 2 (ELFCLASS64), EI_DATA = 1 (little-endian)
    if (h.length < 64 || h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return null;
    const shoff = Number(h.readBigUInt64LE(0x28));
    const shentsize = h.readUInt16LE(0x3a);
    const shnum = h.readUInt16LE(0x3c);
    const shstrndx = h.readUInt16LE(0x3e);
    if (shentsize < 64 || shnum === 0 || shstrndx >= shnum) return null;
    const headers = readAt(fd, shoff, shentsize * shnum);
    if (headers.length < shentsize * shnum) return null;
    const field = (i: number, at: number) => Number(headers.readBigUInt64LE(i * shentsize + at));
    const strOff = field(shstrndx, 0x18);
    const strSize = field(shstrndx, 0x20);
    const names = readAt(fd, strOff, Math.min(strSize, 1 << 20));
    for (let i = 0; i < shnum; i++) {
      const nameAt = headers.readUInt32LE(i * shentsize);
      const end = names.indexOf(0, nameAt);
      if (names.toString('latin1', nameAt, end < 0 ? names.length : end) === '.text') return { offset: field(i, 0x18), size: field(i, 0x20) };
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Where scripts/install-kernel-image.sh keeps the Debian kernel's vmlinux and manifest. */
export function kernelImageCache(env: NodeJS.ProcessEnv = process.env): string {
  return env['TCV_KERNEL_CACHE'] ?? join(env['HOME'] ?? homedir(), '.cache', 'tcv', 'kernel-image');
}

/** The `size` first bytes of an ELF file's .text, or why not. */
function elfText(path: string, size: number): { bytes: Uint8Array; textSize: number } | string {
  const text = elfTextSection(path);
  if (!text) return `${path} is not an ELF64 file with a .text section`;
  if (text.size < size) return `${path} has a .text of ${text.size} bytes, fewer than the ${size} asked for`;
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(readAt(fd, text.offset, size));
    return bytes.length === size ? { bytes, textSize: text.size } : `${path}: .text cut short`;
  } finally {
    closeSync(fd);
  }
}

/** The Debian kernel's text from the cache, or the reason it cannot be used. */
function debianKernelText(size: number, cache: string): KernelText | string {
  const vmlinux = join(cache, 'vmlinux');
  let manifest: { package?: string; version?: string };
  try {
    manifest = JSON.parse(readFileSync(join(cache, 'manifest.json'), 'utf8')) as typeof manifest;
  } catch {
    return `no Debian kernel image in ${cache} (bash scripts/install-kernel-image.sh fetches one with apt-get download)`;
  }
  if (!existsSync(vmlinux)) return `${vmlinux} is missing (bash scripts/install-kernel-image.sh)`;
  const t = elfText(vmlinux, size);
  if (typeof t === 'string') return t;
  const source = `Debian ${manifest.package ?? '?'} ${manifest.version ?? '?'} vmlinux .text (first ${size} of ${t.textSize} bytes)`;
  return { bytes: t.bytes, source, kind: 'debian-kernel', sha256: sha256(t.bytes) };
}

export interface LoadKernelOptions {
  /** the executable whose .text is the first fallback (default: this Node.js) */
  readonly executable?: string;
  /** where the Debian image is cached (default kernelImageCache()) */
  readonly cache?: string;
}

/**
 * `size` bytes of kernel code: the Debian kernel's .text when scripts/install-kernel-image.sh
 * has run, else the Node.js executable's .text, else the counter-mode stand-in; a fallback says
 * in `fallback` why the Debian kernel was not used.
 */
export function loadKernelText(size = SEED_KERNEL_TEXT_BYTES, opts: LoadKernelOptions = {}): KernelText {
  const debian = debianKernelText(size, opts.cache ?? kernelImageCache());
  if (typeof debian !== 'string') return debian;
  const executable = opts.executable ?? process.execPath;
  const node = elfText(executable, size);
  if (typeof node !== 'string') return { bytes: node.bytes, source: `${executable} .text (first ${size} of ${node.textSize} bytes)`, kind: 'node-text', sha256: sha256(node.bytes), fallback: debian };
  const bytes = standInText(size);
  return { bytes, source: 'stand-in: SHA-256 counter-mode bytes', kind: 'stand-in', sha256: sha256(bytes), fallback: `${debian}; ${node}` };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function standInText(size: number): Uint8Array {
  const out = new Uint8Array(size);
  const block = Buffer.alloc(8);
  for (let i = 0, off = 0; off < size; i++, off += 32) {
    block.writeBigUInt64BE(BigInt(i));
    out.set(createHash('sha256').update('tcv kernel text stand-in').update(block).digest().subarray(0, Math.min(32, size - off)), off);
  }
  return out;
}
