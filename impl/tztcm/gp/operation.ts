/**
 * What crosses from the normal world into the TEE for one TEE Client API call, and what comes
 * back: the shape of the request a TEE driver hands the TEE core (GP TEE Client API v1.0 §4.5:
 * TEEC_OpenSession names a destination UUID, TEEC_InvokeCommand a session and a command ID; the
 * operation carries the parameters — here one memory reference in, one out), and a fixed byte
 * layout for it so it can sit in the s-core's shared-memory mailbox.
 *
 * Layout (big-endian u32s): request = kind, session, command, uuid length, uuid (UTF-8), payload;
 * reply = result, origin, session, payload.
 * @module
 */

export type GpKind = 'open' | 'invoke' | 'close';
const KINDS: readonly GpKind[] = ['open', 'invoke', 'close'];

export interface GpRequest {
  readonly kind: GpKind;
  /** the TEE core's session id (0 for open) */
  readonly session: number;
  /** InvokeCommand's command ID (0 otherwise) */
  readonly command: number;
  /** OpenSession's destination TA (empty otherwise) */
  readonly uuid: string;
  /** the operation's input memory reference */
  readonly payload: Uint8Array;
}

export interface GpReply {
  /** a TEEC_Result (gp/teec.ts) */
  readonly result: number;
  /** a TEEC_ORIGIN_* value */
  readonly origin: number;
  /** for open: the session id the TEE core allocated */
  readonly session: number;
  /** the operation's output memory reference */
  readonly payload: Uint8Array;
}

const HEAD_REQ = 16;
const HEAD_REP = 12;

export function encodeRequest(r: GpRequest): Uint8Array {
  const uuid = Buffer.from(r.uuid, 'utf8');
  const out = new Uint8Array(HEAD_REQ + uuid.length + r.payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, KINDS.indexOf(r.kind));
  dv.setUint32(4, r.session >>> 0);
  dv.setUint32(8, r.command >>> 0);
  dv.setUint32(12, uuid.length);
  out.set(uuid, HEAD_REQ);
  out.set(r.payload, HEAD_REQ + uuid.length);
  return out;
}

/** The request in `b`, or a one-line reason it is malformed. */
export function decodeRequest(b: Uint8Array): GpRequest | string {
  if (b.length < HEAD_REQ) return `a GP request needs ${HEAD_REQ} header bytes, got ${b.length}`;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const kind = KINDS[dv.getUint32(0)];
  if (!kind) return `unknown GP request kind ${dv.getUint32(0)}`;
  const ul = dv.getUint32(12);
  if (ul > b.length - HEAD_REQ) return `GP request UUID length ${ul} exceeds the request`;
  return {
    kind,
    session: dv.getUint32(4),
    command: dv.getUint32(8),
    uuid: Buffer.from(b.subarray(HEAD_REQ, HEAD_REQ + ul)).toString('utf8'),
    payload: b.slice(HEAD_REQ + ul),
  };
}

export function encodeReply(r: GpReply): Uint8Array {
  const out = new Uint8Array(HEAD_REP + r.payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, r.result >>> 0);
  dv.setUint32(4, r.origin >>> 0);
  dv.setUint32(8, r.session >>> 0);
  out.set(r.payload, HEAD_REP);
  return out;
}

export function decodeReply(b: Uint8Array): GpReply | string {
  if (b.length < HEAD_REP) return `a GP reply needs ${HEAD_REP} header bytes, got ${b.length}`;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { result: dv.getUint32(0), origin: dv.getUint32(4), session: dv.getUint32(8), payload: b.slice(HEAD_REP) };
}
