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

/** Per-page digests (for localising a change once the region's digest differs). */
export function pageDigests(mem: HostMemory, layout: BootLayout, alg: MeasureHash = 'sha256'): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < layout.pages; i++) {
    const f = mem.frameOf(layout.kernelVpage0 + i);
    out.push(f >= 0 && f < mem.frameCount ? createHash(alg).update(mem.frame(f)).digest() : Buffer.from(`bad-frame:${f}`));
  }
  return out;
}

/** Virtual pages of the region whose content differs from the boot-time digests. */
export function changedPages(mem: HostMemory, layout: BootLayout, boot: readonly Buffer[], alg: MeasureHash = 'sha256'): number[] {
  const now = pageDigests(mem, layout, alg);
  const changed: number[] = [];
  for (let i = 0; i < layout.pages; i++) if (!now[i]!.equals(boot[i]!)) changed.push(layout.kernelVpage0 + i);
  return changed;
}
