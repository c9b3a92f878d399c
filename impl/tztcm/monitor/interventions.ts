/**
 * What the TZTCM does when a measurement differs (seed 002 §3.3, "主动干预"): each policy is a
 * named behaviour over the shared host state. Every finding raises an alarm first (the
 * log-and-alarm policy is that alone); the others add one intervention:
 *
 * - `pause`: ask the host to stop; its threads park at their next safe point until resumed;
 * - `nx`: mark the changed code pages never-execute; the host's executor then refuses them, and
 *   the pages stay locked (an NX bit the host clears again is found and set again);
 * - `revoke-io`: withdraw a peripheral's grant in the TZPC, which the host cannot write.
 * @module
 */
import { CTRL_PAUSE, type HostMemory, PTE_NX } from './host-memory.ts';
import type { Finding, MonitorCore } from './monitor-core.ts';

export const POLICIES = ['log', 'pause', 'nx', 'revoke-io'] as const;
export type InterventionPolicy = (typeof POLICIES)[number];

export interface InterventionRecord {
  readonly policy: InterventionPolicy;
  readonly finding: Finding['kind'];
  /** what was done, in words */
  readonly action: string;
  /** pages set NX (nx policy) */
  readonly nxPages?: readonly number[];
  readonly device?: string;
}

export function applyIntervention(core: MonitorCore, f: Finding): InterventionRecord {
  const { mem } = core;
  const policy = core.options.policy;
  switch (policy) {
    case 'log':
      return { policy, finding: f.kind, action: 'alarm raised' };
    case 'pause':
      requestPause(mem);
      return { policy, finding: f.kind, action: 'alarm raised; host asked to pause' };
    case 'nx': {
      if (!f.vpages.length) return { policy, finding: f.kind, action: 'alarm raised; no page to mark never-execute' };
      for (const v of f.vpages) {
        mem.setFlags(v, mem.flags(v) | PTE_NX);
        core.locked.add(v);
      }
      return { policy, finding: f.kind, action: `alarm raised; ${f.vpages.length} page(s) marked never-execute and locked`, nxPages: [...f.vpages] };
    }
    case 'revoke-io': {
      const device = core.options.ioDevice ?? mem.buffers.devices[0] ?? '';
      revokeIo(mem, device);
      return { policy, finding: f.kind, action: `alarm raised; IO grant of ${device} revoked`, device };
    }
  }
}

/** Secure side: ask the host to stop at its next safe point. */
export function requestPause(mem: HostMemory): void {
  Atomics.store(mem.control, CTRL_PAUSE, 1);
  Atomics.notify(mem.control, CTRL_PAUSE);
}

/** Secure side: let a paused host go on (an operator's decision, or the end of a run). */
export function resumeHost(mem: HostMemory): void {
  Atomics.store(mem.control, CTRL_PAUSE, 0);
  Atomics.notify(mem.control, CTRL_PAUSE);
}

/** Secure side: the TZPC withdraws a peripheral's grant. */
export function revokeIo(mem: HostMemory, device: string): void {
  const i = mem.buffers.devices.indexOf(device);
  if (i < 0) throw new RangeError(`no device '${device}' (known: ${mem.buffers.devices.join(', ')})`);
  Atomics.store(mem.ioGrants, i, 0);
}
