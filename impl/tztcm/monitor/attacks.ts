/**
 * What a compromised host kernel does to hide or persist, as seed 002 §3.2 motivates the
 * active measurement (and the tests and `tcv tztcm monitor --attack` inject):
 *
 * - `inline-hook`: overwrite the start of a kernel function with a jump (x86-64 `jmp rel32`,
 *   0xE9 + displacement: the classic inline hook);
 * - `pte-remap`: copy a code page to a spare frame, hook the copy, and point the kernel's
 *   page-table entry at it — the original frame stays pristine;
 * - `agent-lie`: the host agent reports a shorter kernel region that leaves the hooked page out;
 * - `write-during-measurement`: wait until the s-core is hashing, then hook a page it has
 *   already passed (the change must be found on the next pass);
 * - `nx-undo`: clear the NX bit the TZTCM set on a locked page.
 * @module
 */
import { CTRL_MEASUREMENTS, CTRL_MEASURING, type HostMemory, PTE_NX } from './host-memory.ts';
import { type BootLayout, hotPage, iomemLine } from './host-boot.ts';

export const ATTACKS = ['inline-hook', 'pte-remap', 'agent-lie', 'write-during-measurement', 'nx-undo'] as const;
export type AttackKind = (typeof ATTACKS)[number];

/** x86-64 `jmp rel32` to a made-up handler: 5 bytes. */
const HOOK = [0xe9, 0x10, 0x32, 0x54, 0x76];

export interface AttackRecord {
  readonly kind: AttackKind;
  /** the virtual page the attack changed (or hid) */
  readonly vpage: number;
  readonly detail: string;
}

function hookFrame(mem: HostMemory, frame: number, offset: number): void {
  const page = mem.frame(frame);
  // a real hook would differ from what is there; make sure it does
  for (let i = 0; i < HOOK.length; i++) page[offset + i] = page[offset + i] === HOOK[i] ? HOOK[i]! ^ 0xff : HOOK[i]!;
}

/** Page index `k` of the region (default: the hot page the host runs every round). */
function target(layout: BootLayout, k?: number): number {
  const i = k ?? hotPage(layout);
  if (i < 0 || i >= layout.pages) throw new RangeError(`page ${i} outside the kernel's ${layout.pages} pages`);
  return i;
}

export function inlineHook(mem: HostMemory, layout: BootLayout, page?: number, offset = 0x40): AttackRecord {
  const v = layout.kernelVpage0 + target(layout, page);
  hookFrame(mem, mem.frameOf(v), offset);
  return { kind: 'inline-hook', vpage: v, detail: `jmp rel32 written at +0x${offset.toString(16)}` };
}

export function pteRemap(mem: HostMemory, layout: BootLayout, page?: number): AttackRecord {
  const v = layout.kernelVpage0 + target(layout, page);
  const spare = layout.spareFrame0;
  mem.frame(spare).set(mem.frame(mem.frameOf(v)));
  hookFrame(mem, spare, 0x40);
  mem.map(v, spare, mem.flags(v));
  return { kind: 'pte-remap', vpage: v, detail: `page remapped to hooked copy in frame 0x${spare.toString(16)}` };
}

/** Hook the last page and have the agent report a region without it. */
export function agentLie(mem: HostMemory, layout: BootLayout): AttackRecord {
  const last = layout.pages - 1;
  const rec = inlineHook(mem, layout, last);
  mem.writeReport(iomemLine(layout.kernelFrame0, layout.pages - 1));
  return { kind: 'agent-lie', vpage: rec.vpage, detail: 'last page hooked; agent reports the region without it' };
}

/**
 * Spin (at most `maxWaitMs`) until the s-core is measuring, then hook the first page (already
 * hashed by then). Returns null if no measurement started in time.
 */
export function writeDuringMeasurement(mem: HostMemory, layout: BootLayout, maxWaitMs = 5_000): AttackRecord | null {
  // spin, not sleep: a small region is hashed in well under a millisecond, and a sleeping
  // attacker would wake after the window has closed. On a busy machine the spinning thread may
  // be off the CPU for the whole window, so a measurement that started since is enough too: the
  // write then lands just after it (and the next pass must find it all the same)
  const t0 = performance.now();
  const started = Atomics.load(mem.control, CTRL_MEASUREMENTS);
  while (Atomics.load(mem.control, CTRL_MEASURING) === 0 && Atomics.load(mem.control, CTRL_MEASUREMENTS) === started) if (performance.now() - t0 > maxWaitMs) return null;
  const rec = inlineHook(mem, layout, 0);
  const during = Atomics.load(mem.control, CTRL_MEASURING) === 1;
  return { kind: 'write-during-measurement', vpage: rec.vpage, detail: `first page hooked ${during ? 'while' : 'just after'} the s-core was measuring` };
}

/** Clear NX on every page of the region that has it (undoing the TZTCM's locks). */
export function nxUndo(mem: HostMemory, layout: BootLayout): AttackRecord | null {
  let first = -1;
  for (let i = 0; i < layout.pages; i++) {
    const v = layout.kernelVpage0 + i;
    if (mem.flags(v) & PTE_NX) {
      mem.setFlags(v, mem.flags(v) & ~PTE_NX);
      if (first < 0) first = v;
    }
  }
  return first < 0 ? null : { kind: 'nx-undo', vpage: first, detail: 'NX cleared on the locked pages' };
}
