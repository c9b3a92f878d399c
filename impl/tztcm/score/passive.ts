/**
 * The passive TZTCM service (seed 002 §2.1: on the other cores "TEE 中只有服务接口, 并以被动方式
 * 提供安全服务. 这些服务仍采用同步方式 … 所有指令都在同一个 core 上执行" — the TEE offers its
 * services passively and synchronously, every instruction on the calling core): the same TEE side
 * as the s-core's, called on the caller's own thread. `call` computes the whole answer before it
 * returns (the promise is already settled), which is what the benchmark compares the
 * asynchronous s-core against. The timer's tasks run on this thread's event loop in between.
 * @module
 */
import type { TeeDriver } from '../gp/client.ts';
import type { GpReply, GpRequest } from '../gp/operation.ts';
import { TEEC, TEEC_ORIGIN, TeecError } from '../gp/teec.ts';
import { type TeeConfig, type TeeSide, buildTeeSide } from './tee-side.ts';

export interface PassiveTee extends TeeDriver {
  readonly mode: 'sync';
  readonly pairingPublic: Uint8Array;
  readonly eventLog: TeeSide['eventLog'];
  readonly alive: boolean;
  readonly side: TeeSide;
  /** the synchronous call itself */
  callSync(req: GpRequest): GpReply;
  stop(): Promise<void>;
}

export async function startPassive(cfg: TeeConfig): Promise<PassiveTee> {
  const side = await buildTeeSide(cfg);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    side.timer.runDue();
    const d = side.timer.nextDelay();
    timer = d === undefined || stopped ? undefined : setTimeout(tick, d);
    timer?.unref();
  };
  // a task scheduled later (by a TA) is picked up on the next tick; poll the timer once a
  // second while nothing is scheduled
  const poll = setInterval(() => timer ?? tick(), 1000);
  poll.unref();
  const callSync = (req: GpRequest): GpReply => {
    if (stopped) throw new TeecError(TEEC.ERROR_TARGET_DEAD, TEEC_ORIGIN.TEE, 'the passive service has been stopped');
    return side.core.handle(req);
  };
  return {
    mode: 'sync',
    pairingPublic: side.pairingPublic,
    eventLog: side.eventLog,
    side,
    get alive() {
      return !stopped;
    },
    callSync,
    call: async (req) => callSync(req),
    async stop() {
      stopped = true;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    },
  };
}
