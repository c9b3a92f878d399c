/**
 * Measuring the host's kernel code the way it is executed: through the host's own page table
 * (virtual page → frame), so that a remapped page is measured as what the host would run, not
 * as the untouched original frame. The hash is Node's OpenSSL (SHA-256 with the CPU's SHA
 * extensions where present; SM3 in TCM mode where OpenSSL has it): 13.4 MB per measurement is
 * a throughput job, and the floor is the hash's bytes per second on this CPU (bench/monitor).
 * Runs of consecutive frames are hashed in one update, so a measurement costs one pass.
 * @module
 */
import { createHash, getHashes } from 'node:crypto';
import { type HostMemory, PAGE_SIZE } from './host-memory.ts';
import type { BootLayout } from './host-boot.ts';

/** The measurement hash: SHA-256 (TPM mode) or SM3 (TCM mode, GB/T 32905). */
export type MeasureHash = 'sha256' | 'sm3';

export function hashAvailable(alg: MeasureHash): boolean {
  return getHashes().includes(alg);
}

/** Pages per chunk: the region's digest is a two-level hash tree (as fs-verity's file digest is
 * the root of a Merkle tree over its blocks): D = H(H(chunk_0) ‖ … ‖ H(chunk_n)), chunks of
 * CHUNK_PAGES pages. One pass over the bytes gives the digest *and* the chunk digests, so a tick
 * that finds a change localises it by re-hashing only the pages of the chunks that differ — the
 * flat digest of the first version needed a second full pass for that, which put the detecting
 * tick at about two measurements and the detection latency beyond "period + one measurement". */
export const CHUNK_PAGES = 64;

const BAD_FRAME = (f: number) => Buffer.from(`bad-frame:${f}`);

/** The chunk digests of the region through the page table (runs of consecutive frames in one
 * update; an entry pointing outside physical memory is hashed as its number, so it cannot match). */
export function measureChunks(mem: HostMemory, layout: BootLayout, alg: MeasureHash = 'sha256'): Buffer[] {
  const out: Buffer[] = [];
  for (let c = 0; c * CHUNK_PAGES < layout.pages; c++) {
    const h = createHash(alg);
    let runStart = -1;
    let runLen = 0;
    const flush = () => {
      if (runLen > 0) h.update(mem.bytes.subarray(runStart * PAGE_SIZE, (runStart + runLen) * PAGE_SIZE));
      runLen = 0;
    };
    for (let i = c * CHUNK_PAGES; i < Math.min(layout.pages, (c + 1) * CHUNK_PAGES); i++) {
      const f = mem.frameOf(layout.kernelVpage0 + i);
      if (f < 0 || f >= mem.frameCount) {
        flush();
        h.update(BAD_FRAME(f));
      } else if (runLen > 0 && f === runStart + runLen) runLen++;
      else {
        flush();
        runStart = f;
        runLen = 1;
      }
    }
    flush();
    out.push(h.digest());
  }
  return out;
}

/** The tree's root over chunk digests. */
export function rootDigest(chunks: readonly Buffer[], alg: MeasureHash = 'sha256'): Buffer {
  const h = createHash(alg);
  for (const c of chunks) h.update(c);
  return h.digest();
}

/** One pass over the region: its digest (the root over the chunk digests). */
export function measureRegion(mem: HostMemory, layout: BootLayout, alg: MeasureHash = 'sha256'): Buffer {
  return rootDigest(measureChunks(mem, layout, alg), alg);
}

/** The same digest of kernel text as bytes (what a verifier computes from the vendor's image). */
export function textDigest(text: Uint8Array, alg: MeasureHash = 'sha256'): Buffer {
  const size = CHUNK_PAGES * PAGE_SIZE;
  const chunks: Buffer[] = [];
  for (let off = 0; off < text.length; off += size) chunks.push(createHash(alg).update(text.subarray(off, Math.min(text.length, off + size))).digest());
  return rootDigest(chunks, alg);
}

/** Digest of one virtual page as the host runs it (a bad frame number is hashed as its number). */
function pageDigest(mem: HostMemory, v: number, alg: MeasureHash): Buffer {
  const f = mem.frameOf(v);
  return f >= 0 && f < mem.frameCount ? createHash(alg).update(mem.frame(f)).digest() : createHash(alg).update(BAD_FRAME(f)).digest();
}

/** The boot-time localisation index: per-chunk and per-page digests. */
export interface PageIndex {
  readonly chunks: readonly Buffer[];
  readonly pages: readonly Buffer[];
}

export function pageIndex(mem: HostMemory, layout: BootLayout, alg: MeasureHash = 'sha256'): PageIndex {
  const chunks = measureChunks(mem, layout, alg);
  const pages: Buffer[] = [];
  for (let i = 0; i < layout.pages; i++) pages.push(pageDigest(mem, layout.kernelVpage0 + i, alg));
  return { chunks, pages };
}

/** Virtual pages of the region whose content differs from the boot-time index; `chunks`: this
 * measurement's chunk digests (measureChunks), so only the pages of differing chunks are hashed. */
export function changedPages(mem: HostMemory, layout: BootLayout, boot: PageIndex, alg: MeasureHash = 'sha256', chunks: readonly Buffer[] = measureChunks(mem, layout, alg)): number[] {
  const changed: number[] = [];
  for (let c = 0; c < boot.chunks.length; c++) {
    if (chunks[c]?.equals(boot.chunks[c]!)) continue;
    for (let i = c * CHUNK_PAGES; i < Math.min(layout.pages, (c + 1) * CHUNK_PAGES); i++) {
      if (!pageDigest(mem, layout.kernelVpage0 + i, alg).equals(boot.pages[i]!)) changed.push(layout.kernelVpage0 + i);
    }
  }
  return changed;
}
