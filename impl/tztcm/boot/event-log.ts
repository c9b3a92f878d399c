/**
 * The TZTCM's boot event log (TCG PC Client Platform Firmware Profile §10, the TCG_PCR_EVENT2
 * fields: PCR index, event type, digest, event data): one entry per measurement the boot took —
 * the BootROM chain's images (GRU, secure OS; PCR 0, EV_POST_CODE as TF-A's measured boot logs
 * firmware images) and the active-measurement TA's static measurement of the host (kernel code,
 * PCR 4, EV_IPL; the host agent, PCR 10). The engine extends these at the boot's TPM2_Startup
 * (score/measured-engine.ts); the log itself goes to the normal world, untrusted, for a verifier
 * to replay against a quote.
 * @module
 */
import type { BootMeasurement } from './boot-rom.ts';

/** TCG PFP §10.4.1 event types used here. */
export const EV = { POST_CODE: 0x00000001, IPL: 0x0000000d } as const;

export interface BootLogEntry {
  readonly pcr: number;
  readonly eventType: number;
  /** the bank ('sha256'; 'sm3' where the measuring side hashes with SM3) */
  readonly alg: 'sha256' | 'sm3';
  /** hex */
  readonly digest: string;
  /** the event data: what was measured */
  readonly event: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The BootROM chain's measurements as log entries. */
export function chainEntries(measurements: readonly BootMeasurement[]): BootLogEntry[] {
  return measurements.map((m) => ({ pcr: m.pcr, eventType: EV.POST_CODE, alg: 'sha256', digest: hex(m.digest), event: `${m.image} image v${m.version}` }));
}

/** The monitor's boot events (monitor-core.ts BootEvent) as log entries. */
export function hostEntries(events: readonly { readonly pcr: number; readonly alg: 'sha256' | 'sm3'; readonly digest: string; readonly event: string }[]): BootLogEntry[] {
  return events.map((e) => ({ pcr: e.pcr, eventType: EV.IPL, alg: e.alg, digest: e.digest, event: e.event }));
}
