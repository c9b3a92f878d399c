/**
 * Measuring the host's kernel code the way it is executed: through the host's own page table
 * (virtual page → frame), so that a remapped page is measured as what the host would run, not
 * as the untouched original frame. The hash is Node's OpenSSL (SHA-256 with the CPU's SHA
 * extensions where present; SM3 in TCM mode where OpenSSL has it): 13.4 MB per measurement is
 * a throughput job, and the floor is the hash's bytes per second on this CPU (bench/monitor).
 * Runs of consecutive frames are hashed in one update, so an unmodified host costs one pass.
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

/** One pass over the region's virtual pages; `onPage` (if given) sees each page index as it is hashed. */
export function measureRegion(mem: HostMemory, layout: BootLayout, alg: MeasureHash = 'sha256'): Buffer {
  const h = createHash(alg);
  let runStart = -1;
  let runLen = 0;
  const flush = () => {
    if (runLen > 0) h.update(mem.bytes.subarray(runStart * PAGE_SIZE, (runStart + runLen) * PAGE_SIZE));
    runLen = 0;
  };
  for (let i = 0; i < layout.pages; i++) {
    const f = mem.frameOf(layout.kernelVpage0 + i);
    if (f < 0 || f >= mem.frameCount) {
      // an entry pointing outside physical memory: measured as its number, so it cannot match
      flush();
      h.update(Buffer.from(`bad-frame:${f}`));
      continue;
    }
    if (runLen > 0 && f === runStart + runLen) runLen++;
    else {
      flush();
      runStart = f;
      runLen = 1;
    }
  }
  flush();
  return h.digest();
}

/** Pages per chunk of the localisation index: a changed region costs one pass over the chunks
 * and one over the pages of the chunks that differ, not a hash object per page. */
export const CHUNK_PAGES = 64;

/** Digest of one virtual page as the host runs it (a bad frame number is hashed as its number). */
function pageDigest(mem: HostMemory, v: number, alg: MeasureHash): Buffer {
  const f = mem.frameOf(v);
  return f >= 0 && f < mem.frameCount ? createHash(alg).update(mem.frame(f)).digest() : createHash(alg).update(`bad-frame:${f}`).digest();
}

function chunkDigest(mem: HostMemory, layout: BootLayout, c: number, alg: MeasureHash): Buffer {
  const h = createHash(alg);
  for (let i = c * CHUNK_PAGES; i < Math.min(layout.pages, (c + 1) * CHUNK_PAGES); i++) {
    const f = mem.frameOf(layout.kernelVpage0 + i);
    h.update(f >= 0 && f < mem.frameCount ? mem.frame(f) : Buffer.from(`bad-frame:${f}`));
  }
  return h.digest();
}

/** The boot-time localisation index: per-chunk and per-page digests. */
export interface PageIndex {
  readonly chunks: readonly Buffer[];
  readonly pages: readonly Buffer[];
}

export function pageIndex(mem: HostMemory, layout: BootLayout, alg: MeasureHash = 'sha256'): PageIndex {
  const chunks: Buffer[] = [];
  for (let c = 0; c * CHUNK_PAGES < layout.pages; c++) chunks.push(chunkDigest(mem, layout, c, alg));
  const pages: Buffer[] = [];
  for (let i = 0; i < layout.pages; i++) pages.push(pageDigest(mem, layout.kernelVpage0 + i, alg));
  return { chunks, pages };
}

/** Virtual pages of the region whose content differs from the boot-time index. */
export function changedPages(mem: HostMemory, layout: BootLayout, boot: PageIndex, alg: MeasureHash = 'sha256'): number[] {
  const changed: number[] = [];
  for (let c = 0; c < boot.chunks.length; c++) {
    if (chunkDigest(mem, layout, c, alg).equals(boot.chunks[c]!)) continue;
    for (let i = c * CHUNK_PAGES; i < Math.min(layout.pages, (c + 1) * CHUNK_PAGES); i++) {
      if (!pageDigest(mem, layout.kernelVpage0 + i, alg).equals(boot.pages[i]!)) changed.push(layout.kernelVpage0 + i);
    }
  }
  return changed;
}
