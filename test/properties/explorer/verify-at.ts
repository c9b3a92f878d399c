/**
 * The tests' short form of `verifyTarget(targetOf(p, variant, bound), opts)`: a protocol, a
 * variant and the bound given as `runs` or `sessions` beside the other options.
 * @module
 */
import type { Protocol } from '../../../models/protocol.ts';
import { targetOf } from '../../../models/target.ts';
import { type VerifyOptions, verifyTarget } from '../../../properties/explorer/verify.ts';

export function verifyAt(p: Protocol, variant: string | undefined, o: VerifyOptions & { runs?: number; sessions?: number } = {}) {
  const { runs, sessions, ...rest } = o;
  return verifyTarget(targetOf(p, variant, runs !== undefined ? { runs } : sessions !== undefined ? { sessions } : undefined), rest);
}
