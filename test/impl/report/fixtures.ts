/**
 * Traces and runs the report tests draw: found by the explorer and run by the runtime here, at
 * one session per role (where these attacks are found, with their shortest traces), so the
 * tests stay fast. Each is computed once per test process.
 * @module
 */
import { ALL_PROTOCOLS } from '../../../models/catalog.ts';
import { protocolByName } from '../../../models/protocols/index.ts';
import { type VerifyReport, verifyTarget } from '../../../properties/explorer/verify.ts';
import type { Sequence } from '../../../impl/report/sequence.ts';
import { groupSequences } from '../../../impl/report/group-traces.ts';
import { honestRun } from '../../../impl/runtime/report.ts';
import { honestSequence } from '../../../impl/report/honest-sequence.ts';
import { targetOf } from '../../../models/target.ts';

const cache = new Map<string, VerifyReport>();

/** The explorer's report at one session per role (`replay`: attacks replayed with real crypto). */
export function report(protocol: string, variant?: string, replay = false): VerifyReport {
  const key = `${protocol} ${variant} ${replay}`;
  let r = cache.get(key);
  if (!r) {
    r = verifyTarget(targetOf(protocolByName(protocol, ALL_PROTOCOLS), variant, { sessions: 1 }), { ...(replay ? { replay: true } : {}) });
    cache.set(key, r);
  }
  return r;
}

/** The report's attack traces, those shared by several properties merged. */
export function attackSequences(protocol: string, variant?: string): Sequence[] {
  return groupSequences(report(protocol, variant).properties.flatMap((x) => (x.trace ? [x.trace.sequence] : [])));
}

/** Lowe's attack on NSPK (NS1 and NS2 share it). */
export function lowe(): Sequence {
  const s = attackSequences('nspk').find((x) => x.violations.some((v) => v.property === 'NS2'));
  if (!s) throw new Error("the explorer found no attack on NS2: Lowe's attack is missing");
  return s;
}

/** An honest run of key-exchange with seed 1, as a sequence. */
export function honestKeyExchange(): Sequence {
  const p = protocolByName('key-exchange');
  return honestSequence(p, honestRun(targetOf(p), { seed: 1 }));
}
