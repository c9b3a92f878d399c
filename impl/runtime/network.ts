/**
 * The in-memory network between role instances. Every message waits here until a test, the
 * honest scheduler or an attacker decides what happens to it: deliver, drop, duplicate,
 * reorder, replace its bytes, or inject a new one.
 * @module
 */
export interface Envelope {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly bytes: Uint8Array;
  /** the session of the sending instance (honest routing goes to the same session) */
  readonly session: number;
  /** who put it on the network: a party, or the attacker (injected / replaced / duplicated) */
  readonly origin: 'party' | 'attacker';
}

export type NetworkEvent =
  | { readonly kind: 'sent'; readonly env: Envelope }
  | { readonly kind: 'delivered'; readonly env: Envelope }
  | { readonly kind: 'dropped'; readonly env: Envelope }
  | { readonly kind: 'injected'; readonly env: Envelope };

export class Network {
  private nextId = 1;
  private queue: Envelope[] = [];
  readonly log: NetworkEvent[] = [];
  /** every envelope ever sent or injected: what a network attacker has observed */
  readonly observed: Envelope[] = [];

  post(from: string, to: string, label: string, bytes: Uint8Array, origin: Envelope['origin'] = 'party', session = 1): Envelope {
    const env: Envelope = { id: this.nextId++, from, to, label, bytes, session, origin };
    this.queue.push(env);
    this.observed.push(env);
    this.log.push({ kind: origin === 'party' ? 'sent' : 'injected', env });
    return env;
  }

  pending(): readonly Envelope[] {
    return this.queue;
  }

  /** Remove a pending message (to deliver it, the caller hands it to the receiver). */
  take(id: number): Envelope {
    const i = this.queue.findIndex((e) => e.id === id);
    if (i < 0) throw new Error(`no pending message #${id}`);
    const [env] = this.queue.splice(i, 1);
    this.log.push({ kind: 'delivered', env: env! });
    return env!;
  }

  drop(id: number): void {
    const i = this.queue.findIndex((e) => e.id === id);
    if (i < 0) throw new Error(`no pending message #${id}`);
    const [env] = this.queue.splice(i, 1);
    this.log.push({ kind: 'dropped', env: env! });
  }

  /** A copy of any message ever observed, queued again (replay), optionally into another session. */
  duplicate(id: number, session?: number): Envelope {
    const e = this.observed.find((x) => x.id === id);
    if (!e) throw new Error(`no observed message #${id}`);
    return this.post(e.from, e.to, e.label, e.bytes, 'attacker', session ?? e.session);
  }

  /** A message the attacker made, addressed to an instance of role `to` in `session`. */
  inject(from: string, to: string, label: string, bytes: Uint8Array, session = 1): Envelope {
    return this.post(from, to, label, bytes, 'attacker', session);
  }

  /** Replace a pending message's bytes (the attacker rewrites it in flight). */
  replace(id: number, bytes: Uint8Array): Envelope {
    const i = this.queue.findIndex((e) => e.id === id);
    if (i < 0) throw new Error(`no pending message #${id}`);
    const old = this.queue[i]!;
    const env: Envelope = { ...old, id: this.nextId++, bytes, origin: 'attacker' };
    this.queue[i] = env;
    this.observed.push(env);
    this.log.push({ kind: 'injected', env });
    return env;
  }

  /** Put the pending messages in this order (ids not listed keep their relative order, after). */
  reorder(ids: readonly number[]): void {
    const first = ids.map((id) => this.queue.find((e) => e.id === id)).filter((e): e is Envelope => !!e);
    this.queue = [...first, ...this.queue.filter((e) => !ids.includes(e.id))];
  }
}
