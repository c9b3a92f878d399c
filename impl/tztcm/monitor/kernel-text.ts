/**
 * The kernel code the TZTCM measures. Seed 002 §5 measures the 13.4 MB text of a Linux 4.4
 * kernel. Real code bytes are what make the hash cost honest (no compressible pattern, real
 * instruction mix), and every machine running tcv has a large body of real machine code at hand
 * without a download: the `.text` section of the Node.js executable itself (about 28 MB of
 * x86-64 or AArch64 code here). We take its first `size` bytes, read through the ELF64 section
 * headers (System V gABI, "Sections"). Where the executable is not ELF (macOS, Windows) a
 * documented stand-in is used: bytes from SHA-256 in counter mode, which hash at the same speed.
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** Seed 002 §5: "13.4 MB" of kernel text (read as MiB, rounded down to whole 4 KiB pages). */
export const SEED_KERNEL_TEXT_BYTES = Math.floor((13.4 * 1024 * 1024) / 4096) * 4096;

export interface KernelText {
  readonly bytes: Uint8Array;
  /** where the bytes came from, for reports */
  readonly source: string;
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

/** `size` bytes of real code (the Node.js executable's .text), or the stand-in. */
export function loadKernelText(size = SEED_KERNEL_TEXT_BYTES, executable = process.execPath): KernelText {
  const text = elfTextSection(executable);
  if (text && text.size >= size) {
    const fd = openSync(executable, 'r');
    try {
      const bytes = new Uint8Array(readAt(fd, text.offset, size));
      if (bytes.length === size) return { bytes, source: `${executable} .text (first ${size} of ${text.size} bytes)` };
    } finally {
      closeSync(fd);
    }
  }
  return { bytes: standInText(size), source: `stand-in: SHA-256 counter-mode bytes (${executable} has no ELF .text of ${size} bytes)` };
}

function standInText(size: number): Uint8Array {
  const out = new Uint8Array(size);
  const block = Buffer.alloc(8);
  for (let i = 0, off = 0; off < size; i++, off += 32) {
    block.writeBigUInt64BE(BigInt(i));
    out.set(createHash('sha256').update('tcv kernel text stand-in').update(block).digest().subarray(0, Math.min(32, size - off)), off);
  }
  return out;
}
