/**
 * The party-endpoint seam: a role instance of a run is either a local actor of its machine
 * (local-role.ts) or an endpoint backed by something real — a TPM 2.0 through its TSS
 * (impl/tpm2-bridge: swtpm, the TZTCM, a hardware TPM). The run (session.ts) treats both alike:
 * one scheduler delivers to either, one claim log collects their claims in the order they are
 * made, one report builder (report.ts) shows them.
 *
 * An endpoint is asynchronous (a real device answers later); it exposes the same context as a
 * local actor — its outbox and claims so far, its stored values, its failure — so the run
 * collects what it produced exactly as it does for a machine.
 * @module
 */
import type { Protocol, RoleDecl } from '../../models/protocol.ts';
import type { ClaimRecord, Failure } from '../../models/role.ts';
import type { Value } from '../wire/value.ts';
import type { EvalDeps } from './evaluate.ts';
import type { Delivered, WireMessage } from './execute.ts';
import type { RoleEngine } from './role-engine.ts';
import type { LongTermStore } from './setup.ts';

/** Why an endpoint stopped: a machine failure, or the real party's own (a TPM response code). */
export interface EndpointFailure {
  readonly label: string;
  /** a FailureCode, or the real party's reason (`TPM_RC_POLICY_FAIL`, `response-auth`) */
  readonly code: string;
  readonly message: string;
}

/** What an endpoint has produced so far and where it is. */
export interface EndpointSnapshot {
  /** the role machine's state ('done' once it finished; 'failed') */
  readonly state: string;
  /** can it still take messages */
  readonly active: boolean;
  readonly outbox: readonly WireMessage[];
  readonly claims: readonly ClaimRecord<Value>[];
  readonly stored: Readonly<Record<string, Value>>;
  readonly failure: Failure | EndpointFailure | null;
}

/** What the run hands an endpoint when it begins. */
export interface EndpointContext {
  readonly protocol: Protocol;
  readonly decl: RoleDecl;
  readonly deps: EvalDeps;
  readonly longTerm: LongTermStore;
  /** agent variable → agent name of this instance */
  readonly agents: Readonly<Record<string, string>>;
  /** the instance's initial environment (from the role's `knows`) */
  readonly env: Readonly<Record<string, Value>>;
  /** the run's role engine, for an endpoint that keeps a local instance of its role's machine */
  readonly engine?: RoleEngine;
  /** the current environment of another role's instance of the same session — for a component
   * inside that party's trust boundary only (a TSS is part of its caller) */
  readonly environmentOf: (role: string) => Readonly<Record<string, Value>>;
}

export interface PartyEndpoint {
  /** who plays the role, for the report (`swtpm (real TPM 2.0, via the TEE's TSS bridge)`) */
  readonly party: string;
  /** how the role is shown as a sender or receiver of messages (`TPM (swtpm via TSS)`) */
  readonly shownAs: string;
  /** set up for the run; an initiator's first messages then appear in its outbox */
  begin(ctx: EndpointContext): Promise<void>;
  /** an initiator's START */
  start(): Promise<void>;
  /** serve one message; what it sends appears in its outbox */
  handle(msg: Delivered): Promise<void>;
  /** does it wait for a message with this label now */
  waitsFor(label: string): boolean;
  snapshot(): EndpointSnapshot;
}
