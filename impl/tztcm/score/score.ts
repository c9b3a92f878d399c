/**
 * The host side of the s-core (seed 002 §2.1): starts the worker that is the s-core, and is the
 * TEE driver that calls it asynchronously — a request is posted into the shared mailbox with an
 * `Atomics.notify` (the SGI), the call returns at once with a promise, and the caller sleeps in
 * `Atomics.waitAsync` until the s-core's completion notification. Calls are queued: one in the
 * mailbox at a time.
 *
 * Faults: a worker that exits or throws fails the pending call and every later one with
 * TEEC_ERROR_TARGET_DEAD (origin TEE); a call that takes longer than `callTimeoutMs` ends the
 * worker the same way (never a hang). `stop` asks the s-core to stop, then terminates it if it
 * does not. The engine's state is in its store, written atomically, so a dead s-core leaves it
 * whole; a new s-core is a new `startSCore`.
 * @module
 */
import type { TeeDriver } from '../gp/client.ts';
import { type GpReply, type GpRequest, decodeReply, encodeRequest } from '../gp/operation.ts';
import { TEEC, TEEC_ORIGIN, TeecError } from '../gp/teec.ts';
import { MAILBOX, Mailbox } from './mailbox.ts';
import type { SCoreBootMessage, SCoreWorkerData } from './score-worker.ts';
import type { TeeConfig } from './tee-side.ts';
import type { BootLogEntry } from '../boot/event-log.ts';
import { newSCoreWorker } from './worker-loader.ts';

/** `Atomics.waitAsync` (ES2024; in Node since 16) — typed here, the project's lib is ES2022. */
type WaitAsync = (
  ta: Int32Array,
  index: number,
  value: number,
  timeoutMs?: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export interface SCore extends TeeDriver {
  readonly mode: 'async';
  readonly pairingPublic: Uint8Array;
  /** the boot's event log, as the s-core handed it over at start-up */
  readonly eventLog: readonly BootLogEntry[];
  readonly alive: boolean;
  stop(): Promise<void>;
}

export interface SCoreOptions {
  /** a call not answered by then ends the s-core (TEEC_ERROR_TARGET_DEAD); default 60 s, room
   * for an RSA-2048 key generation on a busy machine */
  readonly callTimeoutMs?: number;
}

export async function startSCore(cfg: TeeConfig, opts: SCoreOptions = {}): Promise<SCore> {
  const box = new Mailbox();
  const worker = await newSCoreWorker({ ...cfg, sab: box.sab });
  let dead: string | null = null;
  let pending: { reject: (e: Error) => void } | null = null;
  const die = (why: string) => {
    if (dead) return;
    dead = why;
    box.signal(MAILBOX.DEAD);
    pending?.reject(new TeecError(TEEC.ERROR_TARGET_DEAD, TEEC_ORIGIN.TEE, `the s-core is gone: ${why}`));
    pending = null;
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('exit', (code) => die(`its worker exited (code ${code})`));
  worker.on('error', (e) => die(`its worker failed: ${e.message.split('\n')[0]}`));

  const boot = await new Promise<SCoreBootMessage>((resolve) => {
    worker.once('message', (m: SCoreBootMessage) => resolve(m));
    worker.once('exit', () => resolve({ type: 'failed', error: dead ?? 'the worker exited during start-up' }));
  });
  if (boot.type === 'failed') {
    await worker.terminate();
    throw new Error(`the s-core did not start: ${boot.error}`);
  }
  const timeoutMs = opts.callTimeoutMs ?? 60_000;
  let queue: Promise<unknown> = Promise.resolve();

  const once = async (req: GpRequest): Promise<GpReply> => {
    if (dead) throw new TeecError(TEEC.ERROR_TARGET_DEAD, TEEC_ORIGIN.TEE, `the s-core is gone: ${dead}`);
    const bytes = encodeRequest(req);
    if (bytes.length > 1 << 18) throw new TeecError(TEEC.ERROR_EXCESS_DATA, TEEC_ORIGIN.API, `a ${bytes.length}-byte operation does not fit the mailbox`);
    return new Promise<GpReply>((resolve, reject) => {
      pending = { reject };
      // the SGI: post and notify; this call returns now, the caller sleeps on the promise
      box.write(bytes, MAILBOX.REQUEST);
      const w = waitAsync(box.ctl, 0, MAILBOX.REQUEST, timeoutMs);
      const settle = () => {
        if (!pending) return; // already failed by die()
        pending = null;
        const s = box.state;
        if (s === MAILBOX.REPLY) {
          const r = decodeReply(box.read());
          box.signal(MAILBOX.IDLE);
          if (typeof r === 'string') reject(new TeecError(TEEC.ERROR_COMMUNICATION, TEEC_ORIGIN.COMMS, r));
          else resolve(r);
          return;
        }
        if (s === MAILBOX.REQUEST) {
          // timed out: the s-core is stuck; end it rather than hang the caller
          pending = { reject };
          die(`no answer within ${timeoutMs} ms`);
          void worker.terminate();
          return;
        }
        reject(new TeecError(TEEC.ERROR_TARGET_DEAD, TEEC_ORIGIN.TEE, `the s-core is gone: ${dead ?? 'mailbox state ' + s}`));
      };
      if (w.async) void w.value.then(settle);
      else settle();
    });
  };

  return {
    mode: 'async',
    pairingPublic: boot.pairingPublic,
    eventLog: boot.eventLog,
    get alive() {
      return !dead;
    },
    call(req) {
      const run = queue.then(() => once(req));
      queue = run.catch(() => undefined);
      return run;
    },
    async stop() {
      await queue;
      // wait until the worker is gone even when it is already dead or stuck: a new s-core
      // mounts the same storage, and two must never write it at once
      if (!dead) box.signal(MAILBOX.STOP);
      const t = setTimeout(() => void worker.terminate(), dead ? 0 : 2000);
      await exited;
      clearTimeout(t);
      dead ??= 'stopped';
    },
  };
}
