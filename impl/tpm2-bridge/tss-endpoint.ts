/**
 * The TSS endpoint: a real TPM 2.0 playing a role of the run (runtime/endpoint.ts), through the
 * caller's own TPM software stack. The role's machine still runs — as a local instance of the
 * runtime, by the run's engine (runtime/role-engine.ts), so every pattern, check and message
 * comes from models/ — and each transition is preceded by the TPM commands its binding names
 * (models/real-tpm.ts), whose decisions (nonces, handles, keys, signatures) are handed to the
 * transition's own steps. Every signature check of the machine is the TPM's
 * TPM2_VerifySignature (signature-checks.ts).
 *
 * The binding is checked against the machine (`checkRealTpmBinding`) before any command is sent.
 * Any TpmTransport serves: swtpm, the TZTCM, a hardware TPM.
 * @module
 */
import type { CryptoSuite } from '../crypto/index.ts';
import { checkRealTpmBinding, type RealTpmBinding, type Tpm2Operation } from '../../models/real-tpm.ts';
import type { ClaimRecord, RoleEvent } from '../../models/role.ts';
import { roleOf } from '../../models/role.ts';
import { type TransitionSpec, recvOf } from '../../models/steps.ts';
import type { EndpointContext, EndpointFailure, EndpointSnapshot, PartyEndpoint } from '../runtime/endpoint.ts';
import { EvalFailure } from '../runtime/evaluate.ts';
import type { Delivered, WireMessage } from '../runtime/execute.ts';
import { type RoleInstance, localRole } from '../runtime/role-engine.ts';
import { matchPattern } from '../runtime/match.ts';
import type { TpmSessionClient } from '../tpm2/session-client.ts';
import type { TpmTransport } from '../tpm2/transport.ts';
import { decode, DecodeError } from '../wire/codec.ts';
import type { Value } from '../wire/value.ts';
import { asBridgeFailure, BridgeFailure } from './bridge-records.ts';
import { tpmSignatureChecks } from './signature-checks.ts';
import { TpmOperations } from './tpm-operations.ts';
import type { MeasuredBoot } from './measured-boot-check.ts';
import type { RealTpmValues } from './real-setup.ts';

export interface TssEndpointOptions {
  readonly transport: TpmTransport;
  readonly binding: RealTpmBinding;
  /** the algorithms the TSS asks the TPM for (the run's suite; tpm2 by default) */
  readonly suite?: CryptoSuite;
  /** the device's name in reports ('swtpm', 'tztcm') */
  readonly device: string;
  /** who plays the role, for the report (default: `<device> (real TPM 2.0, via the caller's TSS bridge)`) */
  readonly party?: string;
  /** ends the run (SIGINT/SIGTERM): the endpoint fails 'interrupted' as soon as it aborts (the
   * TPM command in flight finishes on the transport; the clean-up's flushes queue behind it) */
  readonly signal?: AbortSignal;
  /** the size of the channel's NV index (its largest record), when the binding moves records */
  readonly recordBytes?: number;
  /** TEST ONLY: runs before the TPM commands for a message (e.g. PCR_Extend before Unseal) */
  readonly beforeMessage?: (label: string, client: TpmSessionClient) => Promise<void>;
  /** TEST ONLY: rewrite a protocol message to the TPM (a network attacker before the TSS) */
  readonly rewriteIncoming?: (label: string, bytes: Uint8Array) => Uint8Array;
  /** the TPM's boot event log and the verifier's reference values (a measured boot, the TZTCM's) */
  readonly measuredBoot?: MeasuredBoot;
}

/** A Running claim the TPM machine made in a transition that produced attestation evidence. */
export interface EvidenceClaim {
  /** 'certify' | 'quote' (from the TPM 2.0 command) */
  readonly kind: string;
  /** the machine variable the TPM took as qualifyingData */
  readonly nonce: string;
  readonly claim: ClaimRecord<Value>;
}

export class TssEndpoint implements PartyEndpoint {
  readonly ops: TpmOperations;
  readonly party: string;
  readonly shownAs: string;
  readonly evidence: EvidenceClaim[] = [];
  private local: RoleInstance | null = null;
  private transitions: readonly TransitionSpec[] = [];
  private ctx: EndpointContext | null = null;
  private failure: BridgeFailure | null = null;

  constructor(private readonly o: TssEndpointOptions) {
    this.ops = new TpmOperations(o.transport, o.binding, o.measuredBoot ?? null, o.suite);
    this.party = o.party ?? `${o.device} (real TPM 2.0, via the ${o.binding.caller}'s TSS bridge)`;
    this.shownAs = `TPM (${o.device} via TSS)`;
  }

  get device(): string {
    return this.o.device;
  }

  /** The run failed in the bridge (or before it: opening the TPM). */
  get bridgeFailure(): BridgeFailure | null {
    return this.failure;
  }

  /** Set-up in the TPM before the run exists (the long-term values the other roles get). */
  prepare(): Promise<RealTpmValues> {
    return this.guard(() => this.ops.prepare());
  }

  async begin(ctx: EndpointContext): Promise<void> {
    await this.guard(async () => {
      const callerDecl = ctx.protocol.roles.find((r) => r.role === this.o.binding.caller);
      const problems = checkRealTpmBinding(ctx.decl, this.o.binding, callerDecl);
      if (problems.length) throw new BridgeFailure('tss-check', 'set-up', null, `the TPM binding does not fit the ${ctx.decl.role} machine: ${problems.join('; ')}`);
      this.ctx = ctx;
      this.transitions = roleOf(ctx.decl.machine).transitions;
      this.local = localRole(ctx.decl, ctx.env, () => ctx.deps, ctx.engine);
      await this.ops.sealSecret(ctx.environmentOf(this.o.binding.caller), ctx.deps.rng);
      if (this.ops.hasRecords) await this.ops.defineRecordIndex(this.o.recordBytes ?? (await this.ops.nv.bufferMax()));
    });
  }

  start(): Promise<void> {
    return this.guard(() => this.step({ type: 'START' }, null));
  }

  handle(msg: Delivered): Promise<void> {
    return this.guard(async () => {
      await this.o.beforeMessage?.(msg.label, this.ops.client);
      const bytes = this.o.rewriteIncoming ? this.o.rewriteIncoming(msg.label, msg.bytes) : msg.bytes;
      await this.step({ type: 'MSG', from: msg.from, label: msg.label, bytes }, { ...msg, bytes });
    });
  }

  waitsFor(label: string): boolean {
    return this.transitions.some((t) => t.from === this.local?.state && recvOf(t)?.label === label);
  }

  snapshot(): EndpointSnapshot {
    const f = this.failure;
    const failure: EndpointFailure | null = f ? { label: f.command, code: f.rc ?? f.kind, message: f.message } : null;
    if (!this.local) return { state: f ? 'failed' : 'not started', active: false, outbox: [], claims: [], stored: {}, failure };
    const c = this.local.context;
    return {
      state: f ? 'failed' : this.local.state,
      active: !f && this.local.active,
      outbox: c.outbox,
      claims: c.claims,
      stored: c.stored,
      failure: failure ?? c.failure,
    };
  }

  /** Flush what the bridge loaded (not after a transport failure: the link is gone). */
  async cleanUp(): Promise<void> {
    if (this.failure?.kind !== 'transport') await this.ops.cleanUp();
  }

  /** A failure of the TPM, the transport or the TSS ends this endpoint (and is thrown on, typed). */
  private async guard<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await interruptible(f(), this.o.signal);
    } catch (e) {
      this.failure = asBridgeFailure(e);
      throw this.failure;
    }
  }

  /**
   * One transition of the role's machine: match the message (the pattern is the machine's), let
   * the TPM run the bound operation with the matched values, then execute the transition with
   * what the TPM decided.
   */
  private async step(event: RoleEvent, msg: Delivered | null): Promise<void> {
    const local = this.local!;
    const ctx = this.ctx!;
    const trigger = event.type;
    const label = msg?.label ?? 'START';
    const spec = this.transitions.find((t) => t.from === local.state && t.trigger === trigger && (msg === null || recvOf(t)?.label === msg.label));
    if (!spec) throw new BridgeFailure('tss-check', label, null, `the TPM machine takes no ${label} in state ${local.state}`);
    let env = local.context.env;
    const r = recvOf(spec);
    if (r && msg) {
      const value = decode(msg.bytes);
      if (value instanceof DecodeError) throw new BridgeFailure('tss-check', msg.label, null, `${msg.label}: ${value.message}`);
      try {
        env = matchPattern(r.pattern, value, env, ctx.deps, r.label);
      } catch (e) {
        if (e instanceof EvalFailure) throw new BridgeFailure('tss-check', msg.label, null, `${spec.label}: ${e.message}`);
        throw e;
      }
    }
    const forMessage = msg?.label ?? spec.label;
    const verdicts = await tpmSignatureChecks(this.ops.client, spec, env, ctx.deps, forMessage, this.ops);
    const op: Tpm2Operation = this.o.binding.transitions[spec.label]!;
    const { decided, patches } = await this.ops.run(op, env, () => ctx.environmentOf(this.o.binding.caller), forMessage);
    const claimsBefore = local.context.claims.length;
    local.send(event, { patches, override: (name) => decided[name], verifier: verdicts.decide });
    const failure = local.context.failure;
    if (failure) {
      this.ops.fact('tss', `${failure.label}: ${failure.message}`, false);
      throw new BridgeFailure('tss-check', forMessage, null, `${failure.label}: ${failure.message}`);
    }
    spec.steps.forEach((st, i) => {
      if (st.op !== 'check') return;
      if (verdicts.usedFor(i))
        this.ops.fact('tpm', `TPM machine check '${st.label}' (${st.why}): TPM2_VerifySignature of the signature over the digest of the signed message (${this.ops.client.suite.algorithms.signature}), public key loaded with TPM2_LoadExternal`);
      else this.ops.fact('tss', `TPM machine check '${st.label}' (${st.why}), with our crypto`);
    });
    if (op.op === 'TPM2_Certify' || op.op === 'TPM2_Quote') {
      const kind = op.op === 'TPM2_Certify' ? 'certify' : 'quote';
      for (const c of local.context.claims.slice(claimsBefore)) if (c.event === 'Running') this.evidence.push({ kind, nonce: op.reads.qualifyingData.name, claim: c });
    }
    this.ops.afterTransition(op, local.context.env, forMessage);
  }
}

/** `p`, or a BridgeFailure 'interrupted' as soon as `signal` aborts. */
function interruptible<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  const stop = () => new BridgeFailure('interrupted', 'signal', null, `the run was interrupted (${String(signal.reason ?? 'abort')})`);
  if (signal.aborted) return Promise.reject(stop());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(stop());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
