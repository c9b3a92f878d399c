/**
 * The TDDL (TCG TSS TPM Device Driver Library) of seed 002 §2.3: the host end that takes one TPM
 * command at a time from the TSS above it and carries it to the TZTCM inside protocol 4 — the
 * TDDL role of models/parties/tddl.ts run by `RoleDriver`, its messages carried by the TEE
 * Client API (OpenSession / InvokeCommand / CloseSession). The TSS sees only `transmit`:
 * command bytes in, response bytes out (TCG TSS 2.0 TCTI "transmit/receive").
 *
 * The machine's session carries two commands: the first command of a session opens it
 * (OpenSession, the Opened MAC checked), the second's response runs the machine's close
 * transition and the session is closed; the next command opens a new one. A session the TEE
 * core no longer knows (dropped as least recently used) is reopened and the command sent again
 * — it was not executed, since the TA never saw it.
 * @module
 */
import { Cmd } from '../../../models/parties/tddl.ts';
import type { Protocol } from '../../../models/protocol.ts';
import { SESSION_ROLES } from '../../../models/protocols/tztcm-session.ts';
import type { ClaimRecord } from '../../../models/role.ts';
import type { EvalDeps } from '../../runtime/evaluate.ts';
import { type Value, bytesV } from '../../wire/value.ts';
import type { TeecContext, TeecSession } from '../gp/client.ts';
import { TEEC, TEEC_ORIGIN, TeecError } from '../gp/teec.ts';
import { RoleDriver } from './role-driver.ts';
import { sessionParty } from './session-env.ts';
import { TZTCM_CMD_TPM, TZTCM_UUID } from './tztcm-ta.ts';

const COMMANDS = (['1', '2'] as const).map((i) => Cmd(i));
const RESPONSE_TO = new Map(COMMANDS.map((x) => [x.cmd.name, x.rsp.name]));

interface Open {
  readonly driver: RoleDriver;
  readonly session: TeecSession;
}

export interface TddlOptions {
  /** the TZTCM TA's UUID (default TZTCM_UUID) */
  readonly uuid?: string;
  /** TEST ONLY: a variant of protocol 4 (see sessionParty) */
  readonly protocol?: Protocol;
  /** told of each claim the TDDL role makes (with the TDDL's session number) */
  readonly onClaim?: (c: ClaimRecord<Value>, session: number) => void;
}

export interface TddlStats {
  sessions: number;
  commands: number;
  reopened: number;
}

export class TddlClient {
  private current: Open | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  readonly stats: TddlStats = { sessions: 0, commands: 0, reopened: 0 };

  constructor(
    private readonly ctx: TeecContext,
    private readonly kuuid: Uint8Array,
    private readonly deps: EvalDeps,
    private readonly opts: TddlOptions = {},
  ) {
    this.uuid = opts.uuid ?? TZTCM_UUID;
  }
  private readonly uuid: string;

  /** One TPM command through protocol 4; commands are serialised (a TPM takes one at a time,
   * TPM 2.0 Part 1 §18.1). Rejects with a TeecError when the TZTCM cannot be reached or its
   * answer does not authenticate. */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    const run = this.queue.then(() => this.send(command));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Close the open session (if any) and finalize the context. */
  async close(): Promise<void> {
    await this.queue;
    this.current = null;
    await this.ctx.finalize();
  }

  private async send(command: Uint8Array, retried = false): Promise<Uint8Array> {
    const s = this.current ?? (this.current = await this.openSession());
    const cmdName = s.driver.awaiting!;
    const sent = s.driver.resume(bytesV(command));
    if (!sent.ok) throw new TeecError(TEEC.ERROR_BAD_PARAMETERS, TEEC_ORIGIN.API, `the command cannot be sent: ${sent.failure.message}`);
    let reply: Uint8Array;
    try {
      reply = await s.session.invokeCommand(TZTCM_CMD_TPM, sent.outbox[0]!.bytes);
    } catch (e) {
      this.current = null;
      if (!retried && e instanceof TeecError && e.code === TEEC.ERROR_ITEM_NOT_FOUND) {
        this.stats.reopened++;
        return this.send(command, true);
      }
      throw e;
    }
    const got = s.driver.receive(reply);
    if (!got.ok) {
      this.current = null;
      throw new TeecError(TEEC.ERROR_SECURITY, TEEC_ORIGIN.API, `the TZTCM's response does not authenticate: ${got.failure.message}`);
    }
    this.stats.commands++;
    const rsp = s.driver.value(RESPONSE_TO.get(cmdName)!) as Value;
    if (!got.waiting) {
      // the machine's close transition ran: its CloseSession message ends the session
      this.current = null;
      await s.session.close(got.outbox[0]!.bytes);
    }
    return (rsp as { b: Uint8Array }).b;
  }

  private async openSession(): Promise<Open> {
    const { machine, env } = sessionParty(SESSION_ROLES.caller, this.kuuid, this.uuid, this.deps, this.opts.protocol);
    const n = this.stats.sessions + 1;
    const on = this.opts.onClaim;
    const driver = new RoleDriver(machine, env, this.deps, new Set(RESPONSE_TO.keys()), on && ((c) => on(c, n)));
    const start = driver.deliver(null);
    if (!start.ok) throw new TeecError(TEEC.ERROR_GENERIC, TEEC_ORIGIN.API, start.failure.message);
    const { session, payload } = await this.ctx.openSession(this.uuid, start.outbox[0]!.bytes);
    const opened = driver.receive(payload);
    if (!opened.ok || !opened.waiting) {
      await session.close().catch(() => undefined);
      throw new TeecError(TEEC.ERROR_SECURITY, TEEC_ORIGIN.API, `the TZTCM's Opened answer does not authenticate: ${opened.ok ? 'no command step' : opened.failure.message}`);
    }
    this.stats.sessions++;
    return { driver, session };
  }
}
