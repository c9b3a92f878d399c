/**
 * One party of a protocol run one transition at a time, from its machine: the transitions are
 * read back with `roleOf` and each is executed by the runtime's `executeTransition` — the same
 * code `tcv run` uses — so the session's messages, MACs and checks are those of the machine in
 * models/ and nowhere else.
 *
 * What this adds for a long-lived service is the seam where the outside world supplies a value:
 * a transition that `fresh`es a *supplied* variable (the TSS's next TPM command at the TDDL, the
 * engine's response at the TZTCM) is executed in two parts — up to that step when its message
 * arrives (receive, checks, claims), and the rest once the value is there (`resume`). The split
 * changes no step: the two parts run in order over the same environment, and the first part's
 * result is committed only when it succeeded.
 *
 * A transition whose steps fail is not committed: the message is refused and the party stays
 * where it was (a TA discards a forged call and keeps serving its session's holder; for the
 * protocol this is the attacker dropping a message, which its properties already allow).
 * @module
 */
import { type ClaimRecord, type Failure, type RoleContext, type RoleMachine, roleOf } from '../../../models/role.ts';
import { type TransitionSpec, recvOf } from '../../../models/steps.ts';
import type { EvalDeps } from '../../runtime/evaluate.ts';
import { type Delivered, type WireMessage, executeTransition } from '../../runtime/execute.ts';
import type { Value } from '../../wire/value.ts';

export type DriverResult =
  | { readonly ok: true; readonly outbox: readonly WireMessage[]; readonly claims: readonly ClaimRecord<Value>[]; readonly waiting: boolean }
  | { readonly ok: false; readonly failure: Failure };

interface Pending {
  readonly spec: TransitionSpec;
  readonly at: number;
}

export class RoleDriver {
  private readonly transitions: readonly TransitionSpec[];
  private stateName: string;
  private env: Record<string, Value>;
  private stored: Record<string, Value> = {};
  private pending: Pending | null = null;
  /** every claim this party made, in order (what the judge of models/ would read) */
  readonly claims: ClaimRecord<Value>[] = [];

  constructor(
    machine: RoleMachine,
    env: Readonly<Record<string, Value>>,
    private readonly deps: EvalDeps,
    /** variables whose `fresh` value the outside world supplies (see the module comment) */
    private readonly supplied: ReadonlySet<string> = new Set(),
    /** told of each claim as the party makes it (a log across parties, for the runtime's
     * claim check of models' properties) */
    private readonly onClaim?: (c: ClaimRecord<Value>) => void,
  ) {
    const def = roleOf(machine);
    this.transitions = def.transitions;
    this.stateName = def.initial;
    this.env = { ...env };
  }

  get state(): string {
    return this.stateName;
  }
  /** the name of the supplied variable the party is waiting for, if it is mid-transition */
  get awaiting(): string | undefined {
    const p = this.pending;
    if (!p) return undefined;
    const s = p.spec.steps[p.at]!;
    return s.op === 'fresh' ? s.v.name : undefined;
  }
  get done(): boolean {
    return this.pending === null && !this.transitions.some((t) => t.from === this.stateName);
  }
  /** a value the party has bound (e.g. the command it just accepted) */
  value(name: string): Value | undefined {
    return this.env[name];
  }

  /** Bytes that arrived for the message the party waits for now: sender and label as its
   * machine names them (the first message transition out of the current state). */
  receive(bytes: Uint8Array): DriverResult {
    const r = this.transitions.map((t) => (t.from === this.stateName && t.trigger === 'MSG' ? recvOf(t) : undefined)).find((x) => x !== undefined);
    if (!r) return this.refuse('unexpected', `no message is expected in state ${this.stateName}`);
    return this.deliver({ from: r.from, label: r.label, bytes });
  }

  /** START (msg null) or a message: the first transition out of the current state that accepts
   * it runs, up to the first `fresh` of a supplied variable. */
  deliver(msg: Delivered | null): DriverResult {
    if (this.pending) return this.refuse('unexpected', `waiting for ${this.awaiting} to be supplied, not a message`);
    const trigger = msg ? 'MSG' : 'START';
    const out = this.transitions.filter((t) => t.from === this.stateName && t.trigger === trigger);
    if (out.length === 0) return this.refuse('unexpected', `no ${trigger} transition from state ${this.stateName}`);
    let firstFailure: Failure | undefined;
    for (const spec of out) {
      const at = spec.steps.findIndex((s) => s.op === 'fresh' && this.supplied.has(s.v.name));
      const r = this.run(spec, at < 0 ? spec.steps.length : at, 0, msg);
      if (r.ok) {
        if (at >= 0) this.pending = { spec, at };
        else this.stateName = spec.to;
        return { ...r, waiting: at >= 0 };
      }
      firstFailure ??= r.failure;
    }
    return { ok: false, failure: firstFailure! };
  }

  /** Supply the awaited value and run the rest of the transition (up to the next supplied
   * variable, if it has another). */
  resume(value: Value): DriverResult {
    const p = this.pending;
    if (!p) return this.refuse('unexpected', 'nothing is waiting for a supplied value');
    const name = this.awaiting!;
    const next = p.spec.steps.findIndex((s, i) => i > p.at && s.op === 'fresh' && this.supplied.has(s.v.name));
    const end = next < 0 ? p.spec.steps.length : next;
    const r = this.run(p.spec, end, p.at, null, { [name]: value });
    if (!r.ok) return r;
    if (next >= 0) this.pending = { spec: p.spec, at: next };
    else {
      this.pending = null;
      this.stateName = p.spec.to;
    }
    return { ...r, waiting: next >= 0 };
  }

  private run(spec: TransitionSpec, end: number, start: number, msg: Delivered | null, given: Record<string, Value> = {}) {
    const part: TransitionSpec = { ...spec, steps: spec.steps.slice(start, end) };
    const ctx: RoleContext<Value, WireMessage> = { role: spec.label, env: this.env, outbox: [], claims: [], stored: this.stored, failure: null };
    const deps: EvalDeps = { ...this.deps, override: (name) => given[name] ?? this.deps.override?.(name) };
    const r = executeTransition(part, ctx, msg, deps);
    if (!r.ok) return r;
    this.env = r.env;
    this.stored = r.stored;
    this.claims.push(...r.claims);
    for (const c of r.claims) this.onClaim?.(c);
    return { ok: true as const, outbox: r.outbox, claims: r.claims };
  }

  private refuse(code: Failure['code'], message: string): DriverResult {
    return { ok: false, failure: { label: this.stateName, code, message } };
  }
}
