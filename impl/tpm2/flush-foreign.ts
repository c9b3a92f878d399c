/**
 * Leaving an external TPM as it was found. swtpm has no resource manager: it holds 3 loaded
 * objects and 3 sessions, and what a client loaded stays loaded after the client is gone. A run
 * that fails mid-way flushes what it knows it loaded; but when the transport itself failed (a
 * peer that hung up, a response cut short) nothing can be flushed, and a response that did not
 * parse hides the handle it carried. So a run on an external TPM (`--tpm-port`) begins by
 * flushing every transient object and every session the TPM holds: at that point this run owns
 * none of them, and a TPM served on a port is used by one client at a time. (On a TPM shared
 * through a resource manager this would be wrong; that is not a configuration tcv drives.)
 *
 * TPM2_GetCapability(TPM_CAP_HANDLES) lists the handles of a range (TPM 2.0 Part 3 §30.2,
 * Part 2 §10.9.5 TPML_HANDLE); TPM2_FlushContext frees each (Part 3 §28.4).
 * @module
 */
import type { TpmCommandExecutor } from './command-executor.ts';
import { flushContext } from './commands-object.ts';
import { TpmMarshalError, TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { TPM_CC } from './spec-constants.ts';

/** TPM 2.0 Part 2, TPM_CAP: TPM_CAP_HANDLES (TPM_CAP_ALGS is 0, TPM_CAP_PCRS 5). */
const TPM_CAP_HANDLES = 0x00000001;

/** First handles of the lists this run may find things left in (Part 2 TPM_HT; Part 3 §30.2:
 * from TPM_HT_LOADED_SESSION the loaded sessions, from TPM_HT_SAVED_SESSION the saved ones). */
export const FOREIGN_RANGES = Object.freeze({
  /** TPM_HT_TRANSIENT: loaded objects */
  transient: 0x80000000,
  /** TPM_HT_HMAC_SESSION / LOADED_SESSION: loaded sessions */
  loadedSession: 0x02000000,
  /** TPM_HT_POLICY_SESSION / SAVED_SESSION: active sessions whose context is saved */
  savedSession: 0x03000000,
});

/** The handles in use from `first` to the end of its range (TPM2_GetCapability, moreData followed). */
export async function handlesInUse(x: TpmCommandExecutor, first: number): Promise<number[]> {
  const out: number[] = [];
  // a session's handle type is its kind (0x02 HMAC, 0x03 policy) whichever list it is in: the
  // list of loaded sessions (asked from 0x02000000) names policy sessions 0x03…
  const types = first >>> 24 === 0x80 ? [0x80] : [0x02, 0x03];
  let next = first;
  for (let round = 0; round < 64; round++) {
    const res = await x.run({ code: TPM_CC.GetCapability, params: marshal((w) => w.u32(TPM_CAP_HANDLES).u32(next).u32(64)) });
    const r = new TpmReader(res.params, 'TPM2_GetCapability response');
    const more = r.u8('moreData');
    r.u32('capability');
    const n = r.u32('count');
    if (n > 64) throw new TpmMarshalError(`TPM2_GetCapability: ${n} handles for a request of 64`);
    let last = next;
    for (let i = 0; i < n; i++) {
      const h = r.u32('handle');
      if (!types.includes(h >>> 24)) return out; // past the range (the next type's handles)
      out.push(h);
      last = h;
    }
    r.end();
    if (!more || n === 0) return out;
    next = last + 1;
  }
  return out;
}

/** Flush every transient object and session the TPM holds; the handles flushed. */
export async function flushForeign(x: TpmCommandExecutor): Promise<number[]> {
  const flushed = new Set<number>();
  for (const first of Object.values(FOREIGN_RANGES))
    for (const h of await handlesInUse(x, first)) {
      // a list that ran on into the next one names a handle twice: one flush each
      if (flushed.has(h)) continue;
      await flushContext(x, h);
      flushed.add(h);
    }
  return [...flushed];
}
