/**
 * The host a TZTCM boot measures (seed 002 §3.2: the TZTCM measures the host kernel statically
 * at boot, before the run-time checks): the kernel text loaded into host memory, handed to the
 * active-measurement TA for its boot measurement only (period 0), so its digest is in the boot
 * event log and, at TPM2_Startup, in PCR 4 (the agent's in PCR 10). What a TTP expects of such a
 * boot — its reference event log — is `referenceBootLog`: the images this build's factory signs
 * and the vendor's kernel text, never anything read from the device.
 *
 * Host-side tampering (the normal world is not trusted): `kernel` alters one byte of the kernel
 * before the boot measurement (measured boot records it; the verified chain does not cover the
 * host); `event-log` does that and then rewrites the normal-world copy of the event log to show
 * the reference digest (a verifier must find that the log no longer replays to the quote).
 * @module
 */
import { createHash } from 'node:crypto';
import { type BootLogEntry, chainEntries, hostEntries } from './boot/event-log.ts';
import { buildImages } from './boot/factory.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { AGENT_PCR, KERNEL_PCR } from './monitor/monitor-core.ts';
import { agentImage, bootHost, KERNEL_FRAME0 } from './monitor/host-boot.ts';
import { PAGE_SIZE } from './monitor/host-memory.ts';
import { type KernelText, loadKernelText } from './monitor/kernel-text.ts';
import { textDigest } from './monitor/measurement.ts';
import type { MonitorTaConfig } from './monitor/monitor-ta.ts';

export const HOST_TAMPER: Readonly<Record<string, string>> = {
  kernel: 'one byte of the host kernel text altered before the boot measurement',
  'event-log': "the host kernel altered, and the normal world's copy of the event log rewritten to show the reference kernel digest",
};

export interface MeasuredHost {
  readonly kernel: KernelText;
  /** the monitor TA's configuration: boot measurement only */
  readonly monitor: MonitorTaConfig;
  /** the event log as the normal world passes it on (rewritten by the `event-log` tamper) */
  passOn(log: readonly BootLogEntry[]): BootLogEntry[];
}

export function measuredHost(tamper?: string, kernel: KernelText = loadKernelText()): MeasuredHost {
  if (tamper !== undefined && !HOST_TAMPER[tamper]) throw new Error(`no host tamper '${tamper}' (${Object.keys(HOST_TAMPER).join(', ')})`);
  const { mem, layout } = bootHost(kernel);
  // the hook lands in the middle of the text, as an inline hook would
  if (tamper) mem.bytes[KERNEL_FRAME0 * PAGE_SIZE + (kernel.bytes.length >> 1)]! ^= 0xff;
  const reference = textDigest(kernel.bytes).toString('hex');
  return {
    kernel,
    monitor: { buffers: mem.buffers, layout, options: { policy: 'log' }, periodMs: 0 },
    passOn: (log) => log.map((e) => (tamper === 'event-log' && e.pcr === KERNEL_PCR ? { ...e, digest: reference } : { ...e })),
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What a TTP expects of an honest TZTCM boot of this build (optionally with a measured host). */
export function referenceBootLog(kernel?: KernelText): BootLogEntry[] {
  const { gru, secureOs } = buildImages();
  const log = chainEntries([
    { pcr: 0, image: 'gru', version: 1, digest: sha256(gru) },
    { pcr: 0, image: 'secure-os', version: 1, digest: sha256(secureOs) },
  ]);
  if (!kernel) return log;
  const agent = createHash('sha256').update(agentImage()).digest('hex');
  return [
    ...log,
    ...hostEntries([
      { pcr: KERNEL_PCR, alg: 'sha256', digest: textDigest(kernel.bytes).toString('hex'), event: `kernel code (${kernel.source})` },
      { pcr: AGENT_PCR, alg: 'sha256', digest: agent, event: 'host agent image' },
    ]),
  ];
}
