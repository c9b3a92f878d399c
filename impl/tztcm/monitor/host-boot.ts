/**
 * Bringing the watched host up: the boot loader copies the kernel text into physical frames and
 * maps it read-only and executable; the host agent (seed 002 §3.2: a small normal-world program
 * that tells the TZTCM where the kernel code is, as `/proc/iomem` does) is loaded and measured
 * like any image. What the secure world learns here is its *boot-time layout*: the region it
 * will keep re-measuring, independent of anything the agent says later.
 * @module
 */
import { createHash } from 'node:crypto';
import { HostMemory, PAGE_SIZE, PTE_PRESENT } from './host-memory.ts';
import type { KernelText } from './kernel-text.ts';

/** Where the boot loader puts things (physical frame numbers, virtual page numbers). */
export const KERNEL_FRAME0 = 0x1000; // physical 0x01000000, where arm64/x86 kernels load by default
export const KERNEL_VPAGE0 = 0x100;
/** Spare frames a compromised kernel can use (e.g. to remap a code page to a patched copy). */
export const SPARE_FRAMES = 64;
export const AGENT_PAGES = 2;
export const HOST_DEVICES = ['net0', 'blk0'] as const;

/** The secure world's record of the boot: the basis of every later measurement. */
export interface BootLayout {
  readonly kernelFrame0: number;
  readonly kernelVpage0: number;
  readonly pages: number;
  /** the first spare frame (after the kernel and the agent) */
  readonly spareFrame0: number;
  readonly spareFrames: number;
  /** SHA-256 of the agent image, measured when it loaded */
  readonly agentDigest: string;
  readonly kernelSource: string;
}

export interface BootedHost {
  readonly mem: HostMemory;
  readonly layout: BootLayout;
}

/** The region's page the host runs every round (its "syscall entry"): where a hook pays off. */
export function hotPage(layout: { readonly pages: number }): number {
  return Math.floor(layout.pages / 2);
}

/** The /proc/iomem line for a physical range ("01000000-01d5ffff : Kernel code"). */
export function iomemLine(startFrame: number, pages: number): string {
  const start = startFrame * PAGE_SIZE;
  const end = start + pages * PAGE_SIZE - 1;
  return `${start.toString(16).padStart(8, '0')}-${end.toString(16).padStart(8, '0')} : Kernel code`;
}

/** Parse an iomem line back to frames; null for anything that is not one "Kernel code" range. */
export function parseIomemLine(line: string): { startFrame: number; pages: number } | null {
  const m = /^([0-9a-f]{1,16})-([0-9a-f]{1,16}) : Kernel code$/.exec(line.trim());
  if (!m) return null;
  const start = parseInt(m[1]!, 16);
  const end = parseInt(m[2]!, 16);
  if (start % PAGE_SIZE !== 0 || (end + 1) % PAGE_SIZE !== 0 || end < start) return null;
  return { startFrame: start / PAGE_SIZE, pages: (end + 1 - start) / PAGE_SIZE };
}

/** The host agent's image: AGENT_PAGES pages, each filled with one byte of a fixed digest. */
export function agentImage(): Uint8Array {
  const seed = createHash('sha256').update('tcv host agent image v1').digest();
  const img = new Uint8Array(AGENT_PAGES * PAGE_SIZE);
  for (let i = 0; i < AGENT_PAGES; i++) img.fill(seed[i % seed.length]!, i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
  return img;
}

/** Boot a host with this kernel text: frames filled, pages mapped RX, the agent loaded and reporting. */
export function bootHost(kernel: KernelText): BootedHost {
  if (kernel.bytes.length === 0 || kernel.bytes.length % PAGE_SIZE !== 0) throw new RangeError(`kernel text must be whole ${PAGE_SIZE}-byte pages, got ${kernel.bytes.length} bytes`);
  const pages = kernel.bytes.length / PAGE_SIZE;
  const agentFrame0 = KERNEL_FRAME0 + pages;
  const spareFrame0 = agentFrame0 + AGENT_PAGES;
  const mem = HostMemory.create(spareFrame0 + SPARE_FRAMES, KERNEL_VPAGE0 + pages + AGENT_PAGES, HOST_DEVICES);
  mem.bytes.set(kernel.bytes, KERNEL_FRAME0 * PAGE_SIZE);
  for (let i = 0; i < pages; i++) mem.map(KERNEL_VPAGE0 + i, KERNEL_FRAME0 + i, PTE_PRESENT);
  // the agent: a small image of its own, measured at load (§3.2: the agent is itself measured)
  mem.bytes.set(agentImage(), agentFrame0 * PAGE_SIZE);
  for (let i = 0; i < AGENT_PAGES; i++) mem.map(KERNEL_VPAGE0 + pages + i, agentFrame0 + i, PTE_PRESENT);
  const agentDigest = createHash('sha256').update(mem.bytes.subarray(agentFrame0 * PAGE_SIZE, spareFrame0 * PAGE_SIZE)).digest('hex');
  mem.writeReport(iomemLine(KERNEL_FRAME0, pages));
  return {
    mem,
    layout: { kernelFrame0: KERNEL_FRAME0, kernelVpage0: KERNEL_VPAGE0, pages, spareFrame0, spareFrames: SPARE_FRAMES, agentDigest, kernelSource: kernel.source },
  };
}
