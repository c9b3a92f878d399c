/**
 * Reference values for a verifier of this boot (the attestation protocol's TTP): the boot PCR a
 * TPM reaches when it extends the boot measurements in order, PCR_new = SHA-256(PCR_old ‖ digest)
 * from 32 zero bytes (TPM 2.0 Part 1 §17.2, TPM2_PCR_Extend on the SHA-256 bank), and the value
 * for the images this build's factory installs. Signing is deterministic (RFC 6979), so the
 * images — and the reference value — are the same on every machine.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { BootMeasurement } from './boot-rom.ts';
import { buildImages } from './factory.ts';

/** the SHA-256 PCR after extending `digests` in order from zero */
export function extendedPcr(digests: readonly Uint8Array[]): Uint8Array {
  let pcr = new Uint8Array(32);
  for (const d of digests) {
    const m = new Uint8Array(64);
    m.set(pcr, 0);
    m.set(d, 32);
    pcr = sha256(m);
  }
  return pcr;
}

/** the PCR value of each PCR the measurements touch */
export function pcrsOf(measurements: readonly BootMeasurement[]): Map<number, Uint8Array> {
  const byPcr = new Map<number, Uint8Array[]>();
  for (const m of measurements) byPcr.set(m.pcr, [...(byPcr.get(m.pcr) ?? []), m.digest]);
  return new Map([...byPcr].map(([i, ds]) => [i, extendedPcr(ds)]));
}

/** PCR 0 of an honest boot of a device this build's factory provisioned */
export function referenceBootPcr0(): Uint8Array {
  const { gru, secureOs } = buildImages();
  return extendedPcr([sha256(gru), sha256(secureOs)]);
}
