/**
 * The normal-world TEE Client API (GlobalPlatform TEE Client API Specification v1.0 §4.5) over a
 * TEE driver: TEEC_InitializeContext → TEEC_OpenSession(uuid) → TEEC_InvokeCommand* →
 * TEEC_CloseSession → TEEC_FinalizeContext, in the shape of seed 002 Fig. 5. The C API's
 * result-plus-returnOrigin out-parameters become a `TeecError` (code, origin) rejection; the
 * operation's parameters are one input and one output memory reference (bytes).
 *
 * The driver is how a call reaches the TEE core: the s-core's shared-memory mailbox (the
 * asynchronous inter-core call of §2.1) or the passive service on the calling core.
 * @module
 */
import type { GpReply, GpRequest } from './operation.ts';
import { TEEC, TEEC_ORIGIN, TeecError } from './teec.ts';

/** The TEE driver: carries one request to the TEE core and its reply back. Rejects with a
 * TeecError (e.g. TEEC_ERROR_TARGET_DEAD) when the TEE cannot answer. */
export interface TeeDriver {
  call(req: GpRequest): Promise<GpReply>;
}

const NONE = new Uint8Array(0);

function ok(reply: GpReply, what: string): GpReply {
  if (reply.result !== TEEC.SUCCESS) throw new TeecError(reply.result, reply.origin, `${what} refused`);
  return reply;
}

/** TEEC_Context: the logical connection to the TEE (§4.5.2). */
export class TeecContext {
  private finalized = false;
  private readonly open = new Set<TeecSession>();

  private constructor(readonly driver: TeeDriver) {}

  /** TEEC_InitializeContext (§4.5.2). */
  static initialize(driver: TeeDriver): TeecContext {
    return new TeecContext(driver);
  }

  /** TEEC_OpenSession (§4.5.4) with the destination TA's UUID; `payload` is the operation's
   * input, the TA's output comes back with the session. */
  async openSession(uuid: string, payload: Uint8Array = NONE): Promise<{ session: TeecSession; payload: Uint8Array }> {
    this.live();
    const r = ok(await this.driver.call({ kind: 'open', session: 0, command: 0, uuid, payload }), `OpenSession(${uuid})`);
    const s = new TeecSession(this, r.session);
    this.open.add(s);
    return { session: s, payload: r.payload };
  }

  /** TEEC_FinalizeContext (§4.5.3): sessions still open are closed first (the spec requires
   * the caller to have closed them; doing it here leaves nothing behind). */
  async finalize(): Promise<void> {
    if (this.finalized) return;
    for (const s of [...this.open]) await s.close().catch(() => undefined);
    this.finalized = true;
  }

  /** @internal */
  live(): void {
    if (this.finalized) throw new TeecError(TEEC.ERROR_BAD_STATE, TEEC_ORIGIN.API, 'the context has been finalized');
  }
  /** @internal */
  forget(s: TeecSession): void {
    this.open.delete(s);
  }
}

/** TEEC_Session (§4.5.4). */
export class TeecSession {
  private closed = false;

  constructor(
    private readonly ctx: TeecContext,
    readonly id: number,
  ) {}

  /** TEEC_InvokeCommand (§4.5.9). */
  async invokeCommand(command: number, payload: Uint8Array): Promise<Uint8Array> {
    this.ctx.live();
    if (this.closed) throw new TeecError(TEEC.ERROR_BAD_STATE, TEEC_ORIGIN.API, 'the session is closed');
    return ok(await this.ctx.driver.call({ kind: 'invoke', session: this.id, command, uuid: '', payload }), `InvokeCommand(0x${command.toString(16)})`).payload;
  }

  /** TEEC_CloseSession (§4.5.5). The C function returns nothing; here a TA that refuses the
   * close (a CloseSession message it cannot authenticate) is reported, and the session is
   * forgotten on this side either way. */
  async close(payload: Uint8Array = NONE): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ctx.forget(this);
    ok(await this.ctx.driver.call({ kind: 'close', session: this.id, command: 0, uuid: '', payload }), 'CloseSession');
  }
}
