/**
 * TPM2_GetRandom (TPM 2.0 Part 3 §16.1), optionally in a session with the encrypt attribute.
 * Such a session is not an authorization (GetRandom has no auth handles), so its HMAC key is the
 * session key alone (Part 1 §19.6.5) and the answer proves the TPM holds that key: the
 * "session confirmation" the key-exchange design asks for before the TEE signs PolicySigned.
 * @module
 */
import { TssRefusal } from './tss-refusal.ts';
import type { TpmAuthSession } from './auth-session.ts';
import type { TpmCommandExecutor } from './command-executor.ts';
import { TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { TPM_CC } from './spec-constants.ts';

export interface RandomResult {
  readonly bytes: Uint8Array;
  /** HMAC/policy sessions whose response HMAC verified (1 when `session` was given). */
  readonly verifiedSessions: number;
  /** The session's nonceTPM after the command (the TPM rolled it). */
  readonly nonceTPM?: Uint8Array;
}

export async function getRandom(x: TpmCommandExecutor, count: number, session?: TpmAuthSession): Promise<RandomResult> {
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new TssRefusal(`getRandom: count ${count} not in [1, 32]`);
  const res = await x.run({
    code: TPM_CC.GetRandom,
    ...(session ? { sessions: [{ auth: session, encrypt: true }] } : {}),
    params: marshal((w) => w.u16(count)),
  });
  const r = new TpmReader(res.params, 'TPM2_GetRandom response');
  const bytes = r.tpm2b('randomBytes', 64);
  r.end();
  return session ? { bytes, verifiedSessions: res.verifiedSessions, nonceTPM: session.nonceTPM } : { bytes, verifiedSessions: 0 };
}
