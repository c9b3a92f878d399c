/**
 * The s-core (seed 002 §2.1, NUCAA): a worker thread that runs the TEE side and nothing else.
 * The host never schedules work on it: it sleeps in `Atomics.wait` on the mailbox's state word
 * until a request arrives (the SGI) or its own timer is due, handles the request, writes the
 * reply and notifies the caller. Its event loop is not used after start-up — the boot-time
 * message with the pairing key is the only `postMessage`.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeRequest, encodeReply } from '../gp/operation.ts';
import { TEEC, TEEC_ORIGIN } from '../gp/teec.ts';
import type { BootLogEntry } from '../boot/event-log.ts';
import { MAILBOX, Mailbox } from './mailbox.ts';
import { type TeeConfig, buildTeeSide } from './tee-side.ts';

export interface SCoreWorkerData extends TeeConfig {
  readonly sab: SharedArrayBuffer;
}
export type SCoreBootMessage =
  | { readonly type: 'ready'; readonly pairingPublic: Uint8Array; readonly eventLog: readonly BootLogEntry[] }
  | { readonly type: 'failed'; readonly error: string };

async function main(): Promise<void> {
  const data = workerData as SCoreWorkerData;
  const box = new Mailbox(data.sab);
  let tee;
  try {
    tee = await buildTeeSide(data);
  } catch (e) {
    parentPort!.postMessage({ type: 'failed', error: (e as Error).message.split('\n')[0]! } satisfies SCoreBootMessage);
    return;
  }
  parentPort!.postMessage({ type: 'ready', pairingPublic: tee.pairingPublic, eventLog: tee.eventLog } satisfies SCoreBootMessage);
  for (;;) {
    const state = box.state;
    if (state === MAILBOX.STOP) return;
    if (state === MAILBOX.REQUEST) {
      const req = decodeRequest(box.read());
      const reply = typeof req === 'string' ? { result: TEEC.ERROR_BAD_FORMAT, origin: TEEC_ORIGIN.COMMS, session: 0, payload: new Uint8Array(0) } : tee.core.handle(req);
      box.write(encodeReply(reply), MAILBOX.REPLY);
    } else if (state !== MAILBOX.IDLE && state !== MAILBOX.REPLY) return;
    tee.timer.runDue();
    // sleep until the SGI (the state word changes) or the timer's next task
    const delay = tee.timer.nextDelay();
    const now = box.state;
    if (now === MAILBOX.IDLE || now === MAILBOX.REPLY) Atomics.wait(box.ctl, 0, now, delay);
  }
}

void main();
