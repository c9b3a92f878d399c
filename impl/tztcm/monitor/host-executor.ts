/**
 * The host's side of the contract: how normal-world code runs on the watched memory. The
 * executor fetches a code page through the page table and refuses a page marked never-execute
 * (the MMU's permission fault); IO goes through the TZPC grant; and every host thread calls
 * `safePoint` between units of work, where it parks while the TZTCM asks the host to pause
 * (the way a kernel stops its CPUs at a safe point: between instructions, never mid-update).
 * @module
 */
import { CTRL_PARKED, CTRL_PAUSE, type HostMemory, PTE_NX, PTE_PRESENT } from './host-memory.ts';

export type ExecOutcome = { readonly ok: true; readonly checksum: number } | { readonly ok: false; readonly fault: 'not-present' | 'never-execute' };

/** Fetch (and "run": fold) the first `bytes` of virtual page `v`'s code. */
export function executePage(mem: HostMemory, v: number, bytes = 64): ExecOutcome {
  const flags = mem.flags(v);
  if ((flags & PTE_PRESENT) === 0) return { ok: false, fault: 'not-present' };
  if (flags & PTE_NX) return { ok: false, fault: 'never-execute' };
  const page = mem.frame(mem.frameOf(v));
  let x = 0;
  for (let i = 0; i < bytes; i++) x = (Math.imul(x, 31) + page[i]!) | 0;
  return { ok: true, checksum: x };
}

/** An IO operation on `device`: false when the TZPC grant has been withdrawn. */
export function ioWrite(mem: HostMemory, device: string): boolean {
  return mem.ioGranted(device);
}

/**
 * A host thread's safe point: returns at once unless a pause is requested, else parks until
 * resumed (or `maxWaitMs` passes — a bound so that a test can never hang). Returns the ms parked.
 */
export function safePoint(mem: HostMemory, maxWaitMs = 60_000): number {
  if (Atomics.load(mem.control, CTRL_PAUSE) === 0) return 0;
  const t0 = performance.now();
  Atomics.add(mem.control, CTRL_PARKED, 1);
  Atomics.notify(mem.control, CTRL_PARKED);
  try {
    while (Atomics.load(mem.control, CTRL_PAUSE) === 1 && performance.now() - t0 < maxWaitMs) Atomics.wait(mem.control, CTRL_PAUSE, 1, 50);
  } finally {
    Atomics.sub(mem.control, CTRL_PARKED, 1);
  }
  return performance.now() - t0;
}

/** How many host threads are parked right now. */
export function parkedThreads(mem: HostMemory): number {
  return Atomics.load(mem.control, CTRL_PARKED);
}
