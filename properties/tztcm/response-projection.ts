/**
 * The part of a TPM response that two correct TPMs must agree on (the differential property's
 * comparison): the tag and response code always; on success, the fields that do not depend on
 * the TPM's own secrets or randomness — PCR values, policy digests, NULL tickets, digests, NV
 * contents and public areas, the Name of an external key, the shape (not the value) of random
 * bytes and of generated keys. Which fields are compared per command is the list
 * docs/tztcm-engine.md gives.
 * @module
 */
import { TpmReader } from '../../impl/tpm2/marshal-reader.ts';
import { readPublic, type TpmPublic } from '../../impl/tpm2/public-area.ts';
import { TPM_CC } from '../../impl/tpm2/spec-constants.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The public area with the key itself (unique) reduced to its length. */
function shape(p: TpmPublic): string {
  const { ...rest } = p as unknown as Record<string, unknown>;
  for (const k of ['x', 'y', 'unique', 'modulus']) if (rest[k] instanceof Uint8Array) rest[k] = `${(rest[k] as Uint8Array).length} octets`;
  for (const [k, v] of Object.entries(rest)) if (v instanceof Uint8Array) rest[k] = hex(v);
  return JSON.stringify(rest);
}

const RESPONSE_HANDLES: Record<number, number> = { [TPM_CC.CreatePrimary]: 1, [TPM_CC.Load]: 1, [TPM_CC.LoadExternal]: 1, [TPM_CC.StartAuthSession]: 1, [TPM_CC.ContextLoad]: 1 };

export interface Parsed {
  readonly tag: number;
  readonly rc: number;
  readonly handles: number[];
  readonly params: Uint8Array;
}

export function parseResponse(rsp: Uint8Array, code: number): Parsed | null {
  try {
    const r = new TpmReader(rsp, 'response');
    const tag = r.u16();
    r.u32();
    const rc = r.u32();
    if (rc !== 0) return { tag, rc, handles: [], params: new Uint8Array(0) };
    const handles: number[] = [];
    for (let i = 0; i < (RESPONSE_HANDLES[code] ?? 0); i++) handles.push(r.u32());
    const params = tag === 0x8002 ? r.bytes(r.u32()) : r.rest();
    return { tag, rc, handles, params };
  } catch {
    return null;
  }
}

/** What is compared for one response to a command with code `code` (0: a malformed frame). */
export function project(rsp: Uint8Array, code: number, params: Uint8Array): string {
  const p = parseResponse(rsp, code);
  if (!p) return `unparsable ${hex(rsp)}`;
  const head = `tag ${p.tag.toString(16)} rc 0x${p.rc.toString(16)}`;
  if (p.rc !== 0 || code === 0) return head;
  try {
    const r = new TpmReader(p.params, 'params');
    switch (code) {
      case TPM_CC.GetRandom:
        return `${head} ${r.tpm2b().length} random octets`;
      case TPM_CC.PCR_Read:
        // pcrUpdateCounter counts every change since start-up, which the sequences share
        return `${head} ${hex(p.params.subarray(4))}`;
      case TPM_CC.PolicyGetDigest:
      case TPM_CC.VerifySignature:
      case TPM_CC.Hash:
      case TPM_CC.NV_Read:
      case TPM_CC.NV_ReadPublic:
        return `${head} ${hex(p.params)}`;
      case TPM_CC.CreatePrimary:
        return `${head} handle type ${(p.handles[0]! >>> 24).toString(16)} ${shape(r.sized('outPublic', readPublic))}`;
      case TPM_CC.Create: {
        r.tpm2b('outPrivate');
        return `${head} ${shape(r.sized('outPublic', readPublic))}`;
      }
      case TPM_CC.ReadPublic:
        return `${head} ${shape(r.sized('outPublic', readPublic))}`;
      case TPM_CC.LoadExternal:
        return `${head} handle type ${(p.handles[0]! >>> 24).toString(16)} name ${hex(r.tpm2b())}`;
      case TPM_CC.StartAuthSession:
        return `${head} handle ${p.handles[0]!.toString(16)} nonceTPM ${r.tpm2b().length} octets`;
      case TPM_CC.GetCapability: {
        // only the PCR banks are the same by design; other capabilities describe the vendor
        const more = r.u8();
        const cap = r.u32();
        return cap === 5 ? `${head} ${more} ${hex(p.params)}` : `${head} capability ${cap}`;
      }
      case TPM_CC.Unseal:
        return `${head} ${hex(p.params)}`;
      default:
        return head;
    }
  } catch (e) {
    return `${head} params do not parse: ${(e as Error).message} (${hex(params)})`;
  }
}
