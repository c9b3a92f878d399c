/**
 * `tcv run <protocol> --tpm swtpm`: the protocol's role that a real TPM can play (the role with a
 * `realTpm` binding, models/real-tpm.ts) is a TSS endpoint (tss-endpoint.ts) in an otherwise
 * ordinary ProtocolRun — the other parties' machines of models/ run unchanged as local actors,
 * the run's one scheduler delivers to both, its one claim log and report builder serve both. The
 * run's long-term set-up is the real TPM's (its Q, its AK, the reference PCR state:
 * real-setup.ts). The report is an honest run's plus a `tpm` section: the real commands sent,
 * which checks the TPM did and which the TSS did, whether every TPM response HMAC verified (a
 * session protocol), the sealed secret and the attestation.
 *
 * `runOnRealTpm` takes any TpmTransport (swtpm, the TZTCM's engine, a hardware TPM);
 * `runWithSwtpm` opens swtpm for it.
 * @module
 */
import type { Protocol } from '../../models/protocol.ts';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { type RealTpmBinding, realTpmRole } from '../../models/real-tpm.ts';
import { roleOf } from '../../models/role.ts';
import { type RunReport, runReport } from '../runtime/report.ts';
import type { PartyEndpoint } from '../runtime/endpoint.ts';
import { ProtocolRun, type RunOptions } from '../runtime/session.ts';
import { openSwtpmBackend } from '../tpm2/swtpm-backend.ts';
import { openTztcmBackend } from '../tztcm/backend.ts';
import type { TpmSessionClient } from '../tpm2/session-client.ts';
import type { TpmTransport } from '../tpm2/transport.ts';
import { hex, valueEquals } from '../wire/value.ts';
import { type AttestationRecord, type BridgeFact, BridgeFailure, asBridgeFailure, type TpmCommandRecord } from './bridge-records.ts';
import { tpmAttestationVerifier } from './attestation-verifier.ts';
import { withRealTpm } from './real-setup.ts';
import { TssEndpoint } from './tss-endpoint.ts';

/** The built-in protocols a real TPM can play a role of (from the models' bindings). */
export const TPM_PROTOCOLS: readonly string[] = PROTOCOLS.filter((p) => realTpmRole(p.roles)).map((p) => p.name);

/** Which TPM 2.0 plays the TPM role: swtpm (libtpms) or the TZTCM's own engine (impl/tztcm). */
export type TpmBackendName = 'swtpm' | 'tztcm';

export interface TpmRunOptions {
  /** default 'swtpm' */
  readonly backend?: TpmBackendName;
  /** ends the run (SIGINT/SIGTERM): what the bridge loaded is flushed, the transport closed */
  readonly signal?: AbortSignal;
  /** connect to a running swtpm on this server port; otherwise start a private one */
  readonly port?: number;
  readonly seed?: number;
  readonly responseTimeoutMs?: number;
  /** TEST ONLY: runs before the TPM commands for a message (e.g. PCR_Extend before Unseal) */
  readonly beforeMessage?: (label: string, client: TpmSessionClient) => Promise<void>;
  /** per role: values the role's application supplies for its fresh variables (RunOptions.inputs) */
  readonly inputs?: RunOptions['inputs'];
  /** the channel's NV index size (its largest record) */
  readonly recordBytes?: number;
  /** the run once it ended, before the report (the channel reads what its TEE read back) */
  readonly observe?: (run: ProtocolRun) => void;
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
   * null for a protocol without a session (protocol 1) */
  readonly responseHmacsVerified: boolean | null;
  readonly facts: readonly BridgeFact[];
  /** a sealed secret (protocol 3): the one sealed in the TPM and the one the caller stored */
  readonly secret: { readonly sealed: string; readonly teeStored: string | null; readonly equal: boolean } | null;
  /** protocol 1: the TPM's keys, the TTP's reference and the evidence the TPM signed */
  readonly attestation: AttestationRecord | null;
  readonly failure: { readonly kind: string; readonly command: string; readonly rc: string | null; readonly message: string } | null;
}

export type TpmRunReport = RunReport & { readonly tpm: TpmRunSection };

/** The TPM of `protocol` as the binding of the role a real TPM can play; a usage error otherwise. */
function bindingOf(protocol: Protocol): { role: string; binding: RealTpmBinding } {
  const decl = realTpmRole(protocol.roles);
  if (!decl) throw new Error(`--tpm runs ${TPM_PROTOCOLS.join(', ')}, not ${protocol.name}`);
  return { role: decl.role, binding: decl.realTpm };
}

/** `runOnRealTpm` with swtpm (or, with `backend: 'tztcm'`, the TZTCM's engine) opened for it. */
export async function runWithSwtpm(protocol: Protocol, opts: TpmRunOptions = {}): Promise<TpmRunReport> {
  bindingOf(protocol);
  const t0 = performance.now();
  const tztcm = opts.backend === 'tztcm';
  const device = tztcm ? 'tztcm' : 'swtpm';
  const party = tztcm ? "tztcm (the TZTCM's TPM 2.0 engine, via the TEE's TSS bridge)" : undefined;
  let backend: { readonly client: TpmSessionClient; close(): Promise<void> } | null = null;
  try {
    backend = tztcm ? await openTztcmBackend() : await openSwtpmBackend({ ...(opts.port === undefined ? {} : { port: opts.port }), responseTimeoutMs: opts.responseTimeoutMs ?? 10_000 });
  } catch (e) {
    const failure = asBridgeFailure(e);
    return report(protocol, null, unavailable(protocol, failure), failure, backendName(opts), opts, performance.now() - t0);
  }
  try {
    return await runOnRealTpm(protocol, backend.client.transport, { ...opts, device, ...(party ? { party } : {}), backendName: backendName(opts) }, t0);
  } finally {
    await backend.close();
  }
}

const backendName = (opts: TpmRunOptions) =>
  opts.backend === 'tztcm' ? 'tztcm (TPM 2.0 engine, in-process)' : opts.port === undefined ? 'swtpm (started for this run)' : `swtpm at 127.0.0.1:${opts.port}`;

/** A run with the TPM role played by the TPM behind `transport`. */
export async function runOnRealTpm(
  protocol: Protocol,
  transport: TpmTransport,
  opts: TpmRunOptions & { readonly device: string; readonly party?: string; readonly backendName: string },
  t0 = performance.now(),
): Promise<TpmRunReport> {
  const { role, binding } = bindingOf(protocol);
  const runOpts = opts.seed === undefined ? {} : { seed: opts.seed };
  const endpoint = new TssEndpoint({
    transport,
    binding,
    device: opts.device,
    ...(opts.party ? { party: opts.party } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.beforeMessage ? { beforeMessage: opts.beforeMessage } : {}),
    ...(opts.rewriteToTpm ? { rewriteIncoming: opts.rewriteToTpm } : {}),
    ...(opts.recordBytes ? { recordBytes: opts.recordBytes } : {}),
  });
  if (opts.rewriteResponse) endpoint.ops.recording.rewriteResponse = opts.rewriteResponse;
  if (opts.rewriteCommand) endpoint.ops.recording.rewriteCommand = opts.rewriteCommand;
  let run: ProtocolRun | null = null;
  try {
    const real = await endpoint.prepare();
    const onTpm = withRealTpm(protocol, real, binding);
    run = new ProtocolRun(onTpm.protocol, { ...runOpts, given: onTpm.given, endpoints: { [role]: endpoint }, verifier: tpmAttestationVerifier, ...(opts.inputs ? { inputs: opts.inputs } : {}) });
    await run.startAsync();
    // every message of an honest run once: each transition of every role sends at most one
    await run.runHonestAsync(Math.max(100, protocol.roles.reduce((n, r) => n + roleOf(r.machine).transitions.length, 0)));
    opts.observe?.(run);
  } catch (e) {
    if (!(e instanceof BridgeFailure)) throw e;
  } finally {
    try {
      await endpoint.cleanUp();
    } finally {
      run?.stop();
    }
  }
  // the run never started (no TPM to set up from): an empty run of the same shape for the report
  const shown = run ?? new ProtocolRun(protocol, { ...runOpts, endpoints: { [role]: endpoint } });
  if (!run) shown.stop();
  return report(protocol, endpoint, shown, endpoint.bridgeFailure, opts.backendName, opts, performance.now() - t0);
}

/** The report's run when the TPM could not even be opened: every role idle, the TPM failed. */
function unavailable(protocol: Protocol, failure: BridgeFailure): ProtocolRun {
  const { role } = bindingOf(protocol);
  const stub: PartyEndpoint = {
    party: "swtpm (real TPM 2.0, via the TEE's TSS bridge)",
    shownAs: 'TPM (swtpm via TSS)',
    begin: async () => {},
    start: async () => {},
    handle: async () => {},
    waitsFor: () => false,
    snapshot: () => ({ state: 'failed', active: false, outbox: [], claims: [], stored: {}, failure: { label: failure.command, code: failure.rc ?? failure.kind, message: failure.message } }),
  };
  const run = new ProtocolRun(protocol, { endpoints: { [role]: stub } });
  run.stop();
  return run;
}

function report(protocol: Protocol, endpoint: TssEndpoint | null, run: ProtocolRun, failure: BridgeFailure | null, backend: string, opts: TpmRunOptions, ms: number): TpmRunReport {
  const { role, binding } = bindingOf(protocol);
  const base = runReport(run, null, opts.seed ?? null, ms);
  const ops = endpoint?.ops;
  const states = run.partyStates();
  const caller = states.find((s) => s.role === binding.caller);
  const stored = binding.sealed ? (caller?.stored[binding.sealed.callerSlot] ?? null) : null;
  const sealed = ops?.sealedSecret ?? null;
  const secret = sealed
    ? { sealed: hex(sealed), teeStored: stored && stored.k === 'bytes' ? hex(stored.b) : null, equal: !!stored && valueEquals(stored, { k: 'bytes', b: sealed }) }
    : null;
  const commands = ops?.commands ?? [];
  const sessionProtocol = Object.values(binding.transitions).some((o) => o.op === 'TPM2_StartAuthSession');
  const inSession = commands.filter((c) => c.responseHmacVerified !== null);
  const responseHmacsVerified = sessionProtocol ? failure === null && inSession.length > 0 && inSession.every((c) => c.responseHmacVerified === true) : null;
  const fail = failure ? { kind: failure.kind, command: failure.command, rc: failure.rc, message: failure.message } : null;
  const facts = ops?.facts ?? [];
  const checks: RunReport['checks'][number][] = facts.map((f, i) => ({ id: `${f.by.toUpperCase()}${i + 1}`, kind: f.by === 'tpm' ? 'checked by the TPM' : 'checked by the TSS', ok: f.ok, detail: f.what }));
  // the verifier's machine (a remote verifier, our crypto) accepted the TPM's TPMS_ATTEST
  // signatures: a Commit by the property's committing role on the evidence the TPM claimed
  for (const ev of endpoint?.evidence ?? []) {
    const prop = protocol.properties.find((p) => p.tag === ev.claim.tag && p.running === role);
    if (!prop?.commit) continue;
    const verifier = states.find((s) => s.role === prop.commit);
    const ok = run.claims.some((c) => c.role === prop.commit && c.event === 'Commit' && c.tag === ev.claim.tag && valueEquals(c.data, ev.claim.data as never));
    const what =
      ev.kind === 'certify'
        ? `ECDSA(AK) over SHA-256(TPMS_ATTEST), magic, type certify, extraData = ${ev.nonce}, certified Name = Name of Q`
        : `ECDSA(AK) over SHA-256(TPMS_ATTEST), magic, type quote, extraData = ${ev.nonce}, SHA-256(TPMS_QUOTE_INFO) = the reference ${binding.longTerm.pcrReference ?? 'PCR state'}`;
    checks.push({ id: `${prop.commit}-${ev.kind}`, kind: `checked by the ${prop.commit} machine`, ok, detail: ok ? what : `not accepted${verifier?.failure ? `: ${verifier.failure.message} [${verifier.failure.label}]` : ''}` });
  }
  checks.push(...base.checks);
  if (secret) checks.push({ id: 'S', kind: 'secret delivered', ok: secret.equal, detail: `the ${binding.caller}'s stored S equals the secret sealed in ${endpoint?.device ?? 'the TPM'}` });
  const sessionEstablished = commands.some((c) => c.command === 'TPM2_GetRandom' && c.responseHmacVerified === true);
  const ok = fail === null && states.every((s) => s.state === 'done') && checks.every((c) => c.ok) && (responseHmacsVerified ?? true) && (binding.sealed ? secret?.equal === true : true);
  return {
    ...base,
    checks,
    ok,
    tpm: { backend, sessionEstablished, commands, responseHmacsVerified, facts, secret, attestation: ops?.attestation ?? null, failure: fail },
  };
}
