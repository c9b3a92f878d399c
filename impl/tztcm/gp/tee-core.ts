/**
 * The TEE core's side of the TEE Client API: it takes one request from the TEE driver, finds the
 * trusted application by UUID (OpenSession) or the session by id (InvokeCommand, CloseSession),
 * calls the TA's entry point and answers with a TEEC result and origin (GP TEE Client API v1.0
 * §4.5.7–§4.5.10; the TA entry points are TEE Internal Core API §4.3's TA_OpenSessionEntryPoint,
 * TA_InvokeCommandEntryPoint, TA_CloseSessionEntryPoint). `handle` never throws: a TA that
 * throws is a TA panic, answered TEEC_ERROR_TARGET_DEAD, and its session is gone.
 *
 * The session table is bounded; when full, the least recently used session is dropped (its
 * holder gets TEEC_ERROR_ITEM_NOT_FOUND next and opens another), so sessions opened and left by
 * a caller that cannot use them (a replayed OpenSession, §4's malware) cannot lock out the TDDL.
 * @module
 */
import type { GpReply, GpRequest } from './operation.ts';
import { TEEC, TEEC_ORIGIN } from './teec.ts';

/** What a TA entry point answers: a TEEC result (SUCCESS or the TA's error) and its output. */
export interface TaAnswer {
  readonly result: number;
  readonly payload: Uint8Array;
}

/** One open session of a TA (the TA's session context). */
export interface TaSession {
  invoke(command: number, payload: Uint8Array): TaAnswer;
  /** TA_CloseSessionEntryPoint; false: the TA refuses the close (e.g. a forged CloseSession
   * message) and the session stays open for its holder */
  close(payload: Uint8Array): boolean;
}

export interface TrustedApp {
  readonly uuid: string;
  /** TA_OpenSessionEntryPoint: a session when result is SUCCESS */
  openSession(payload: Uint8Array): TaAnswer & { readonly session?: TaSession };
}

const NONE = new Uint8Array(0);

export class TeeCore {
  private readonly sessions = new Map<number, TaSession>();
  private nextId = 1;

  constructor(
    private readonly apps: readonly TrustedApp[],
    private readonly maxSessions = 64,
  ) {}

  get openSessions(): number {
    return this.sessions.size;
  }

  handle(req: GpRequest): GpReply {
    const fail = (result: number, origin: number): GpReply => ({ result, origin, session: req.session, payload: NONE });
    try {
      if (req.kind === 'open') {
        const app = this.apps.find((a) => a.uuid === req.uuid);
        if (!app) return fail(TEEC.ERROR_ITEM_NOT_FOUND, TEEC_ORIGIN.TEE);
        const a = app.openSession(req.payload);
        if (a.result !== TEEC.SUCCESS || !a.session) return { result: a.result === TEEC.SUCCESS ? TEEC.ERROR_GENERIC : a.result, origin: TEEC_ORIGIN.TRUSTED_APP, session: 0, payload: a.payload };
        if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
        const id = this.nextId++;
        this.sessions.set(id, a.session);
        return { result: TEEC.SUCCESS, origin: TEEC_ORIGIN.TRUSTED_APP, session: id, payload: a.payload };
      }
      const s = this.sessions.get(req.session);
      if (!s) return fail(TEEC.ERROR_ITEM_NOT_FOUND, TEEC_ORIGIN.TEE);
      // most recently used last: the eviction order
      this.sessions.delete(req.session);
      this.sessions.set(req.session, s);
      if (req.kind === 'close') {
        if (!s.close(req.payload)) return fail(TEEC.ERROR_ACCESS_DENIED, TEEC_ORIGIN.TRUSTED_APP);
        this.sessions.delete(req.session);
        return { result: TEEC.SUCCESS, origin: TEEC_ORIGIN.TEE, session: req.session, payload: NONE };
      }
      const a = s.invoke(req.command, req.payload);
      return { result: a.result, origin: TEEC_ORIGIN.TRUSTED_APP, session: req.session, payload: a.payload };
    } catch {
      // a TA panic (TEE Internal Core API §2.3.3: TEE_Panic): the session is dead
      this.sessions.delete(req.session);
      return fail(TEEC.ERROR_TARGET_DEAD, TEEC_ORIGIN.TEE);
    }
  }
}
