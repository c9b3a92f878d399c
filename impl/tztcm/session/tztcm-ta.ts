/**
 * The TZTCM as a trusted application (seed 002 §2.3, Fig. 5): its UUID, its entry points, and
 * behind them the TZTCM role of protocol 4 (models/parties/tztcm.ts) run by `RoleDriver`, one
 * machine instance per GP session. OpenSession carries the TDDL's OpenSession message,
 * InvokeCommand the InvokeCommand message with one TPM command inside, CloseSession the
 * CloseSession message. The engine runs a command only after the machine's command-MAC check
 * under K_uuid has passed (the `fresh` of the response is where the driver stops and the engine
 * is called); a message that fails a check is refused with TEEC_ERROR_ACCESS_DENIED and the
 * session stays as it was. A session carries the machine's two commands; the TDDL then closes
 * it and opens the next (docs/tztcm-service.md).
 * @module
 */
import { Cmd } from '../../../models/parties/tddl.ts';
import type { Protocol } from '../../../models/protocol.ts';
import { SESSION_ROLES } from '../../../models/protocols/tztcm-session.ts';
import type { ClaimRecord } from '../../../models/role.ts';
import type { EvalDeps } from '../../runtime/evaluate.ts';
import { type Value, bytesV } from '../../wire/value.ts';
import type { TpmEngine } from '../engine-contract.ts';
import type { TaAnswer, TaSession, TrustedApp } from '../gp/tee-core.ts';
import { TEEC } from '../gp/teec.ts';
import { RoleDriver } from './role-driver.ts';
import { sessionParty } from './session-env.ts';

/** The TZTCM TA's UUID (RFC 4122 version 4, generated once for this project). */
export const TZTCM_UUID = '7c1f0f4e-5b8a-4d52-9a3e-2f6d1c0b9e41';
/** InvokeCommand ID of "execute this TPM command" (the TA's only command). */
export const TZTCM_CMD_TPM = 0x54504d32; // 'TPM2'

const NONE = new Uint8Array(0);
const COMMANDS = (['1', '2'] as const).map((i) => Cmd(i));
/** the responses the engine supplies, and the command each answers */
const RESPONSE_OF = new Map(COMMANDS.map((x) => [x.rsp.name, x.cmd.name]));

export interface TztcmTaOptions {
  readonly engine: TpmEngine;
  readonly kuuid: Uint8Array;
  readonly uuid?: string;
  readonly deps: EvalDeps;
  /** counts what the TA refused, for tests and the service's statistics */
  readonly onRefused?: (entry: 'open' | 'invoke' | 'close', why: string) => void;
  /** TEST ONLY: a variant of protocol 4 (see sessionParty) */
  readonly protocol?: Protocol;
  /** told of each claim the TZTCM role makes (with the TA's session number) */
  readonly onClaim?: (c: ClaimRecord<Value>, session: number) => void;
}

export function tztcmTrustedApp(o: TztcmTaOptions): TrustedApp {
  const uuid = o.uuid ?? TZTCM_UUID;
  const refused = (entry: 'open' | 'invoke' | 'close', why: string): TaAnswer => {
    o.onRefused?.(entry, why);
    return { result: TEEC.ERROR_ACCESS_DENIED, payload: NONE };
  };
  let sessions = 0;
  return {
    uuid,
    openSession(payload) {
      const { machine, env } = sessionParty(SESSION_ROLES.service, o.kuuid, uuid, o.deps, o.protocol);
      const n = ++sessions;
      const driver = new RoleDriver(machine, env, o.deps, new Set(RESPONSE_OF.keys()), o.onClaim && ((c) => o.onClaim!(c, n)));
      const r = driver.receive(payload);
      if (!r.ok) return refused('open', r.failure.message);
      return { result: TEEC.SUCCESS, payload: r.outbox[0]!.bytes, session: session(driver) };
    },
  };

  function session(driver: RoleDriver): TaSession {
    return {
      invoke(command, payload) {
        if (command !== TZTCM_CMD_TPM) return { result: TEEC.ERROR_BAD_PARAMETERS, payload: NONE };
        const r = driver.receive(payload);
        if (!r.ok) return refused('invoke', r.failure.message);
        const rsp = driver.awaiting;
        const cmd = rsp && RESPONSE_OF.get(rsp);
        const value = cmd && driver.value(cmd);
        if (!value || value.k !== 'bytes') throw new Error(`TZTCM: the machine stopped before a response, at ${rsp ?? driver.state}`);
        const done = driver.resume(bytesV(o.engine.execute(value.b)));
        if (!done.ok) throw new Error(`TZTCM: the response step failed: ${done.failure.message}`);
        return { result: TEEC.SUCCESS, payload: done.outbox[0]!.bytes };
      },
      close(payload) {
        const r = driver.receive(payload);
        if (!r.ok) o.onRefused?.('close', r.failure.message);
        return r.ok;
      },
    };
  }
}
