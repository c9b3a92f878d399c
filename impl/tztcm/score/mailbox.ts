/**
 * The shared-memory mailbox between the host cores and the s-core (seed 002 §2.1): one request
 * slot in a SharedArrayBuffer. The host writes a request, sets the state word and `Atomics.notify`
 * — the SGI to the s-core — and returns at once; the s-core, asleep in `Atomics.wait` (its WFI),
 * wakes, computes, writes the reply and notifies back (the completion SGI); the caller, asleep in
 * `Atomics.waitAsync`, wakes and reads it. One call is in the slot at a time (the TPM takes one
 * command at a time, TPM 2.0 Part 1 §18.1); the host queues the rest.
 *
 * Layout: Int32 words [state, length], then the data area from byte 64.
 * @module
 */

export const MAILBOX = { IDLE: 0, REQUEST: 1, REPLY: 2, STOP: 3, DEAD: 4 } as const;
const DATA = 64;
/** room for a TPM command or response (TPM 2.0 Part 2 MAX_COMMAND_SIZE is 4096 on common
 * TPMs) with protocol 4's framing around it, and then some */
export const MAILBOX_CAPACITY = 1 << 18;

export class Mailbox {
  readonly ctl: Int32Array;
  private readonly data: Uint8Array;

  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(DATA + MAILBOX_CAPACITY)) {
    this.ctl = new Int32Array(sab, 0, 2);
    this.data = new Uint8Array(sab, DATA);
  }

  get state(): number {
    return Atomics.load(this.ctl, 0);
  }

  /** Put bytes in the slot and move to `state`, waking whoever sleeps on the state word. */
  write(bytes: Uint8Array, state: number): void {
    if (bytes.length > this.data.length) throw new RangeError(`${bytes.length} bytes exceed the mailbox's ${this.data.length}`);
    this.data.set(bytes);
    Atomics.store(this.ctl, 1, bytes.length);
    Atomics.store(this.ctl, 0, state);
    Atomics.notify(this.ctl, 0);
  }

  read(): Uint8Array {
    return this.data.slice(0, Atomics.load(this.ctl, 1));
  }

  /** Set the state word alone and wake sleepers (STOP, DEAD, back to IDLE). */
  signal(state: number): void {
    Atomics.store(this.ctl, 0, state);
    Atomics.notify(this.ctl, 0);
  }
}
