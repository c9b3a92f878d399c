/**
 * `tcv run attestation|key-exchange|provisioning --tpm swtpm`: the other parties' machines of
 * models/ (TTP and TEE for protocol 1, the TEE for protocols 2/3) run unchanged in a
 * ProtocolRun; the TPM role instance is never started and its messages go to the TSS bridge,
 * which drives a real swtpm (TPM 2.0 Part 1 §19 sessions, Part 3 commands) and executes the TPM
 * machine. The run's long-term set-up is the real TPM's (its Q, its AK, the reference PCR state:
 * real-setup.ts). The report has the shape of an honest run's plus a `tpm` section: the real
 * commands sent, which checks the TPM did and which the TSS did, whether every TPM response
 * HMAC verified (protocols 2/3), the sealed secret (protocol 3) and the attestation (protocol 1).
 * @module
 */
import type { Protocol } from '../../models/protocol.ts';
import { checkClaims } from '../runtime/claims-check.ts';
import { EvalFailure } from '../runtime/evaluate.ts';
import { type RunReport, partyReport } from '../runtime/report.ts';
import { type ClaimEvent, ProtocolRun } from '../runtime/session.ts';
import { openSwtpmBackend } from '../tpm2/swtpm-backend.ts';
import { openTztcmBackend } from '../tztcm/backend.ts';
import { TpmError } from '../tpm2/response-codes.ts';
import { TpmResponseAuthError } from '../tpm2/command-executor.ts';
import { TpmMarshalError } from '../tpm2/marshal-reader.ts';
import type { TpmSessionClient } from '../tpm2/session-client.ts';
import { TpmTransportError } from '../tpm2/transport.ts';
import { TssRefusal } from '../tpm2/tss-refusal.ts';
import { hex, showValue, valueEquals, valueToJson, type Value } from '../wire/value.ts';
import { type AttestationRecord, type BridgeFact, BridgeFailure, type BridgeMode, type TpmCommandRecord, TssBridge } from './bridge.ts';
import { withRealTpm } from './real-setup.ts';

export const TPM_PROTOCOLS: readonly BridgeMode[] = ['attestation', 'key-exchange', 'provisioning'];

/** Which TPM 2.0 plays the TPM role: swtpm (libtpms) or the TZTCM's own engine (impl/tztcm). */
export type TpmBackendName = 'swtpm' | 'tztcm';

export interface TpmRunOptions {
  /** default 'swtpm' */
  readonly backend?: TpmBackendName;
  /** connect to a running swtpm on this server port; otherwise start a private one */
  readonly port?: number;
  readonly seed?: number;
  readonly responseTimeoutMs?: number;
  /** ends the run (SIGINT/SIGTERM): what the bridge loaded is flushed, the transport closed */
  readonly signal?: AbortSignal;
  /** TEST ONLY: see BridgeOptions.beforeMessage */
  readonly beforeMessage?: (label: string, client: TpmSessionClient) => Promise<void>;
  /** TEST ONLY: rewrite TPM responses on the wire (an attacker between TSS and TPM) */
  readonly rewriteResponse?: (cmd: Uint8Array, rsp: Uint8Array) => Uint8Array;
  /** TEST ONLY: rewrite TPM commands on the wire (a TSS that sends the TPM something else) */
  readonly rewriteCommand?: (cmd: Uint8Array) => Uint8Array;
  /** TEST ONLY: rewrite a protocol message to the TPM (a network attacker before the TSS) */
  readonly rewriteToTpm?: (label: string, bytes: Uint8Array) => Uint8Array;
}

export interface TpmRunSection {
  readonly backend: string;
  readonly sessionEstablished: boolean;
  readonly commands: readonly TpmCommandRecord[];
  /** every TPM command sent in the session came back with a response HMAC that verified;
   * null for protocol 1 (no session) */
  readonly responseHmacsVerified: boolean | null;
  readonly facts: readonly BridgeFact[];
  /** protocol 3: the secret sealed in the TPM and the one the TEE stored */
  readonly secret: { readonly sealed: string; readonly teeStored: string | null; readonly equal: boolean } | null;
  /** protocol 1: the TPM's keys, the TTP's reference and the evidence the TPM signed */
  readonly attestation: AttestationRecord | null;
  readonly failure: { readonly kind: string; readonly command: string; readonly rc: string | null; readonly message: string } | null;
}

export type TpmRunReport = RunReport & { readonly tpm: TpmRunSection };

function asFailure(e: unknown): BridgeFailure {
  if (e instanceof BridgeFailure) return e;
  if (e instanceof TpmError) return new BridgeFailure('tpm-rc', e.command, e.name, e.message);
  if (e instanceof TpmResponseAuthError) return new BridgeFailure('response-auth', e.command, null, e.message);
  if (e instanceof TpmTransportError) return new BridgeFailure('transport', 'transport', null, e.message);
  if (e instanceof TpmMarshalError) return new BridgeFailure('tss-check', 'TPM response', null, e.message);
  if (e instanceof EvalFailure) return new BridgeFailure('tss-check', 'message', null, e.message);
  // the TSS refusing a value before sending it to the TPM (a malformed point or nonce); any
  // other RangeError is a defect and is not reported as a check
  if (e instanceof TssRefusal) return new BridgeFailure('tss-check', 'message', null, e.message);
  throw e;
}

/** `p`, or a BridgeFailure 'interrupted' as soon as `signal` aborts (the TPM command in flight
 * finishes on the transport; the clean-up's flushes queue behind it). */
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

export async function runWithSwtpm(protocol: Protocol, opts: TpmRunOptions = {}): Promise<TpmRunReport> {
  const mode = TPM_PROTOCOLS.find((p) => p === protocol.name);
  if (!mode) throw new Error(`--tpm ${opts.backend ?? 'swtpm'} runs ${TPM_PROTOCOLS.join(', ')}, not ${protocol.name}`);
  const t0 = performance.now();
  const runOpts = opts.seed === undefined ? {} : { seed: opts.seed };
  let run: ProtocolRun | null = null;
  let backend: { readonly client: TpmSessionClient; close(): Promise<void> } | null = null;
  let bridge: TssBridge | null = null;
  let failure: BridgeFailure | null = null;
  try {
    backend =
      opts.backend === 'tztcm'
        ? await openTztcmBackend()
        : await openSwtpmBackend({ ...(opts.port === undefined ? {} : { port: opts.port }), responseTimeoutMs: opts.responseTimeoutMs ?? 10_000 });
    bridge = new TssBridge({ transport: backend.client.transport, mode, ...(opts.beforeMessage ? { beforeMessage: opts.beforeMessage } : {}) });
    if (opts.rewriteResponse) bridge.recording.rewriteResponse = opts.rewriteResponse;
    if (opts.rewriteCommand) bridge.recording.rewriteCommand = opts.rewriteCommand;
    const real = await interruptible(bridge.prepare(), opts.signal);
    const onTpm = withRealTpm(protocol, real);
    const r = (run = new ProtocolRun(onTpm.protocol, { ...runOpts, given: onTpm.given }));
    const first = await interruptible(bridge.begin({
      deps: r.deps,
      longTerm: r.longTerm,
      tpmRole: onTpm.protocol.roles.find((d) => d.role === 'TPM')!,
      deployment: onTpm.protocol.deployment,
      given: onTpm.given['TPM'] ?? {},
      teeEnv: () => r.environmentOf('TEE#1'),
      claimsSoFar: () => r.claims.length,
    }), opts.signal);
    if (first) r.network.post('TPM', first.to, first.label, first.bytes, 'party', 1);
    for (const d of onTpm.protocol.roles) if (d.initiator && d.role !== 'TPM') r.startInstance(`${d.role}#1`);
    for (let i = 0; i < 100; i++) {
      const next = r.network.pending()[0];
      if (!next) break;
      if (next.to !== 'TPM') {
        r.deliver(next.id);
        continue;
      }
      r.network.take(next.id);
      const bytes = opts.rewriteToTpm ? opts.rewriteToTpm(next.label, next.bytes) : next.bytes;
      const reply = await interruptible(bridge.handle(next.from, next.label, bytes), opts.signal);
      if (reply) r.network.post('TPM', reply.to, reply.label, reply.bytes, 'party', 1);
    }
  } catch (e) {
    failure = asFailure(e);
  } finally {
    try {
      if (bridge && !(failure?.kind === 'transport')) await bridge.cleanUp();
    } finally {
      await backend?.close();
      run?.stop();
    }
  }
  // the run never started (no TPM to set up from): an empty run of the same shape for the report
  const shown = run ?? new ProtocolRun(protocol, runOpts);
  if (!run) shown.stop();
  return report(protocol, mode, shown, bridge, failure, opts, performance.now() - t0);
}

/** The run's claims and the TPM machine's, in the order they were made. */
function mergedClaims(run: ProtocolRun, bridge: TssBridge | null, tpmAgent: string, backendLabel: string): ClaimEvent[] {
  const out: ClaimEvent[] = [];
  const tpm = bridge?.claims ?? [];
  let j = 0;
  const pushTpm = (upTo: number) => {
    for (; j < tpm.length && tpm[j]!.after <= upTo; j++) {
      const c = tpm[j]!.claim;
      out.push({ ...c, seq: out.length, instance: `TPM (${backendLabel})`, session: 1, role: 'TPM', agent: tpmAgent, data: c.data as Value, peer: c.peer as Value | null });
    }
  };
  run.claims.forEach((c, i) => {
    pushTpm(i);
    out.push({ ...c, seq: out.length });
  });
  pushTpm(Infinity);
  return out;
}

function report(protocol: Protocol, mode: BridgeMode, run: ProtocolRun, bridge: TssBridge | null, failure: BridgeFailure | null, opts: TpmRunOptions, ms: number): TpmRunReport {
  const delivered = new Set(run.network.log.filter((e) => e.kind === 'delivered').map((e) => e.env.id));
  const tztcm = opts.backend === 'tztcm';
  const swtpm = tztcm ? 'TPM (tztcm via TSS)' : 'TPM (swtpm via TSS)';
  const messages = run.network.observed.map((e) => ({
    id: e.id,
    from: e.from === 'TPM' ? swtpm : e.from,
    to: e.to === 'TPM' ? swtpm : e.to,
    label: e.label,
    size: e.bytes.length,
    hex: hex(e.bytes),
    status: delivered.has(e.id) ? 'delivered' : 'pending',
  }));
  const states = run.partyStates().filter((s) => s.role !== 'TPM');
  const tee = states.find((s) => s.role === 'TEE')!;
  const teeStored = tee.stored['tee-secure-storage'] ?? null;
  const sealed = bridge?.sealedSecret ?? null;
  const secret = sealed
    ? { sealed: hex(sealed), teeStored: teeStored && teeStored.k === 'bytes' ? hex(teeStored.b) : null, equal: !!teeStored && valueEquals(teeStored, { k: 'bytes', b: sealed }) }
    : null;
  const commands = bridge?.commands ?? [];
  const sessionProtocol = mode !== 'attestation';
  const inSession = commands.filter((c) => c.responseHmacVerified !== null);
  const responseHmacsVerified = sessionProtocol ? failure === null && inSession.length > 0 && inSession.every((c) => c.responseHmacVerified === true) : null;
  const fail = failure ? { kind: failure.kind, command: failure.command, rc: failure.rc, message: failure.message } : null;
  const tpmAgent = protocol.deployment['TPM']!;
  const tpmState = fail ? 'failed' : (bridge?.machineState ?? 'not started');
  const parties = [
    ...states.map((s) => partyReport(protocol, s)),
    { role: 'TPM', party: tztcm ? "tztcm (the TZTCM's TPM 2.0 engine, via the TEE's TSS bridge)" : "swtpm (real TPM 2.0, via the TEE's TSS bridge)", agent: tpmAgent, state: tpmState, failure: fail ? { label: fail.command, code: fail.rc ?? fail.kind, message: fail.message } : null, stored: {} },
  ];
  const all = mergedClaims(run, bridge, tpmAgent, tztcm ? 'tztcm' : 'swtpm');
  const claims = all.map((c) => ({ seq: c.seq, role: c.role, agent: c.agent, event: c.event, tag: c.tag, data: valueToJson(c.data), show: showValue(c.data) }));
  const secrets = [...new Set(all.filter((c) => c.event === 'Secret').map((c) => c.tag))].map((tag) => {
    const cs = all.filter((c) => c.event === 'Secret' && c.tag === tag);
    return {
      tag,
      values: cs.map((c) => ({ role: c.role, hex: c.data.k === 'tuple' || c.data.k === 'const' ? showValue(c.data, true) : hex(c.data.b) })),
      equal: cs.every((c) => valueEquals(c.data, cs[0]!.data)),
    };
  });
  const facts = bridge?.facts ?? [];
  const checks = facts.map((f, i) => ({ id: `${f.by.toUpperCase()}${i + 1}`, kind: f.by === 'tpm' ? 'checked by the TPM' : 'checked by the TSS', ok: f.ok, detail: f.what }));
  if (mode === 'attestation') {
    // the TTP machine (a remote verifier, our crypto) checked the TPM's TPMS_ATTEST signatures
    const ttp = states.find((s) => s.role === 'TTP');
    for (const [kind, what] of [
      ['certify', "ECDSA(AK) over SHA-256(TPMS_ATTEST), magic, type certify, extraData = nB, certified Name = Name of Q"],
      ['quote', 'ECDSA(AK) over SHA-256(TPMS_ATTEST), magic, type quote, extraData = nB, SHA-256(TPMS_QUOTE_INFO) = the reference pcr'],
    ] as const) {
      const ok = all.some((c) => c.role === 'TTP' && c.event === 'Commit' && c.tag === 'tpm-evidence' && c.data.k === 'tuple' && c.data.items[0]?.k === 'const' && c.data.items[0].s === kind);
      checks.push({ id: `TTP-${kind}`, kind: 'checked by the TTP machine', ok, detail: ok ? what : `not accepted${ttp?.failure ? `: ${ttp.failure.message} [${ttp.failure.label}]` : ''}` });
    }
  }
  checks.push(...checkClaims(protocol, all, run.network.observed));
  if (secret) checks.push({ id: 'S', kind: 'secret delivered', ok: secret.equal, detail: `the TEE's stored S equals the secret sealed in ${tztcm ? 'the TZTCM' : 'swtpm'}` });
  const sessionEstablished = commands.some((c) => c.command === 'TPM2_GetRandom' && c.responseHmacVerified === true);
  const ok =
    fail === null &&
    states.every((s) => s.state === 'done') &&
    tpmState === 'done' &&
    checks.every((c) => c.ok) &&
    (responseHmacsVerified ?? true) &&
    (mode === 'provisioning' ? secret?.equal === true : true);
  const backendName = tztcm ? 'tztcm (TPM 2.0 engine, in-process)' : opts.port === undefined ? 'swtpm (started for this run)' : `swtpm at 127.0.0.1:${opts.port}`;
  return {
    protocol: protocol.name,
    variant: null,
    seed: opts.seed ?? null,
    suite: run.deps.suite.name,
    ms,
    messages,
    parties,
    claims,
    secrets,
    checks,
    ok,
    tpm: { backend: backendName, sessionEstablished, commands, responseHmacsVerified, facts, secret, attestation: bridge?.attestation ?? null, failure: fail },
  };
}
