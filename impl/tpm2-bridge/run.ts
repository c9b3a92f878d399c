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
import type { CryptoSuite } from '../crypto/index.ts';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { type RealTpmBinding, realTpmRole } from '../../models/real-tpm.ts';
import { roleOf } from '../../models/role.ts';
import { type RunReport, runReport } from '../runtime/report.ts';
import type { PartyEndpoint } from '../runtime/endpoint.ts';
import { ProtocolRun, type RunOptions } from '../runtime/session.ts';
import { openSwtpmBackend } from '../tpm2/swtpm-backend.ts';
import { openTztcmBackend } from '../tztcm/backend.ts';
import { DEVICE_TAMPER } from '../tztcm/boot/tamper.ts';
import { HOST_TAMPER, measuredHost, referenceBootLog } from '../tztcm/measured-host.ts';
import type { MeasuredBoot } from './measured-boot-check.ts';
import type { TpmSessionClient } from '../tpm2/session-client.ts';
import type { TpmTransport } from '../tpm2/transport.ts';
import { hex, valueEquals } from '../wire/value.ts';
import { type AttestationRecord, type BridgeFact, BridgeFailure, asBridgeFailure, type TpmCommandRecord } from './bridge-records.ts';
import { tpmAttestationVerifierFor } from './attestation-verifier.ts';
import { tpm2P256 } from '../crypto/index.ts';
import { withRealTpm } from './real-setup.ts';
import { TssEndpoint } from './tss-endpoint.ts';

/** The built-in protocols a real TPM can play a role of (from the models' bindings). */
export const TPM_PROTOCOLS: readonly string[] = PROTOCOLS.filter((p) => realTpmRole(p.roles)).map((p) => p.name);

/** Which TPM 2.0 plays the TPM role: swtpm (libtpms) or the TZTCM's own engine (impl/tztcm). */
export type TpmBackendName = 'swtpm' | 'tztcm';

export interface TpmRunOptions {
  /** default 'swtpm' */
  readonly backend?: TpmBackendName;
  /** the crypto suite of the run and of the TPM's algorithms (default tpm2); the tcm suite needs
   * the TZTCM, which runs it in TCM mode (SM2/SM3/SM4; swtpm has no SM3/SM4, docs/tcm-suite.md) */
  readonly suite?: CryptoSuite;
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
  /** an enrolment kept across runs (RunOptions.enrolment): the TTP's tokens made once */
  readonly enrolment?: RunOptions['enrolment'];
  /** the role engine of the local machines and of the TSS endpoint's copy (RunOptions.engine) */
  readonly engine?: RunOptions['engine'];
  /** the run once it ended, before the report (the channel reads what its TEE read back) */
  readonly observe?: (run: ProtocolRun) => void;
  /** TEST ONLY: rewrite TPM responses on the wire (an attacker between TSS and TPM) */
  readonly rewriteResponse?: (cmd: Uint8Array, rsp: Uint8Array) => Uint8Array;
  /** TEST ONLY: rewrite TPM commands on the wire (a TSS that sends the TPM something else) */
  readonly rewriteCommand?: (cmd: Uint8Array) => Uint8Array;
  /** TEST ONLY: rewrite a protocol message to the TPM (a network attacker before the TSS) */
  readonly rewriteToTpm?: (label: string, bytes: Uint8Array) => Uint8Array;
  /** backend 'tztcm': a tampered boot (TZTCM_TAMPER), for the attestation to find */
  readonly tamper?: string;
  /** the TPM's boot event log and the verifier's reference values (set by runWithSwtpm for tztcm) */
  readonly measuredBoot?: MeasuredBoot;
}

/** What `--tamper` can do to a TZTCM boot: the device's files (the verified chain stops) or the
 * host (the measured boot records it). */
export const TZTCM_TAMPER: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(DEVICE_TAMPER).map(([k, t]) => [k, t.what])),
  ...HOST_TAMPER,
};

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
  const { binding } = bindingOf(protocol);
  const t0 = performance.now();
  const tztcm = opts.backend === 'tztcm';
  const device = tztcm ? 'tztcm' : 'swtpm';
  const party = tztcm ? "tztcm (the TZTCM's TPM 2.0 engine, via the TEE's TSS bridge)" : undefined;
  if (opts.tamper !== undefined && (!tztcm || !TZTCM_TAMPER[opts.tamper])) throw new Error(`a tamper is one of ${Object.keys(TZTCM_TAMPER).join(', ')}, with the tztcm backend`);
  let backend: { readonly client: TpmSessionClient; close(): Promise<void> } | null = null;
  let measuredBoot: MeasuredBoot | undefined;
  try {
    if (tztcm) {
      // an attesting protocol: the TZTCM measures a host at boot, the verifier checks that boot
      const attests = binding.longTerm.attestationKey !== undefined;
      const hostTamper = opts.tamper !== undefined && HOST_TAMPER[opts.tamper] ? opts.tamper : undefined;
      // the measured boot extends the SHA-256 bank: not in TCM mode (whose one bank is SM3_256)
      const tcm = opts.suite !== undefined && opts.suite.algorithms.tpm.hashAlg !== tpm2P256.algorithms.tpm.hashAlg;
      const host = attests && !tcm ? measuredHost(hostTamper) : undefined;
      const t = await openTztcmBackend({ ...(opts.suite ? { suite: opts.suite } : {}), ...(host ? { host } : {}), ...(opts.tamper !== undefined && !hostTamper ? { tamper: opts.tamper } : {}) }).catch((e: Error) => {
        // the TZTCM's verified boot stopped: there is no TPM to attest (the reason is the boot's)
        const m = /TZTCM boot stopped at (.*)/.exec(e.message);
        throw m ? new BridgeFailure('boot', 'TZTCM boot', null, `the verified boot stopped at ${m[1]}`) : e;
      });
      backend = t;
      if (host) measuredBoot = { log: t.eventLog, reference: referenceBootLog(host.kernel) };
    } else backend = await openSwtpmBackend({ ...(opts.port === undefined ? {} : { port: opts.port }), responseTimeoutMs: opts.responseTimeoutMs ?? 10_000 });
  } catch (e) {
    const failure = asBridgeFailure(e);
    return report(protocol, null, unavailable(protocol, failure, device), failure, backendName(opts), opts, performance.now() - t0);
  }
  try {
    return await runOnRealTpm(protocol, backend.client.transport, { ...opts, device, ...(party ? { party } : {}), ...(measuredBoot ? { measuredBoot } : {}), backendName: backendName(opts) }, t0);
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
  const runOpts = { ...(opts.seed === undefined ? {} : { seed: opts.seed }), ...(opts.suite ? { suite: opts.suite } : {}) };
  const endpoint = new TssEndpoint({
    transport,
    binding,
    ...(opts.suite ? { suite: opts.suite } : {}),
    device: opts.device,
    ...(opts.party ? { party: opts.party } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.beforeMessage ? { beforeMessage: opts.beforeMessage } : {}),
    ...(opts.rewriteToTpm ? { rewriteIncoming: opts.rewriteToTpm } : {}),
    ...(opts.measuredBoot ? { measuredBoot: opts.measuredBoot } : {}),
    ...(opts.recordBytes ? { recordBytes: opts.recordBytes } : {}),
  });
  if (opts.rewriteResponse) endpoint.ops.recording.rewriteResponse = opts.rewriteResponse;
  if (opts.rewriteCommand) endpoint.ops.recording.rewriteCommand = opts.rewriteCommand;
  let run: ProtocolRun | null = null;
  try {
    const real = await endpoint.prepare();
    const onTpm = withRealTpm(protocol, real, binding);
    run = new ProtocolRun(onTpm.protocol, { ...runOpts, given: onTpm.given, endpoints: { [role]: endpoint }, verifier: tpmAttestationVerifierFor(opts.suite ?? tpm2P256), ...(opts.inputs ? { inputs: opts.inputs } : {}), ...(opts.enrolment ? { enrolment: opts.enrolment } : {}), ...(opts.engine ? { engine: opts.engine } : {}) });
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
function unavailable(protocol: Protocol, failure: BridgeFailure, device: string): ProtocolRun {
  const { role } = bindingOf(protocol);
  const stub: PartyEndpoint = {
    party: `${device} (real TPM 2.0, via the TEE's TSS bridge)`,
    shownAs: `TPM (${device} via TSS)`,
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
    const ok = run.claims.some((c) => c.role === prop.commit && c.event === 'Commit' && c.tag === ev.claim.tag && valueEquals(c.data, ev.claim.data));
    const what =
      ev.kind === 'certify'
        ? `ECDSA(AK) over SHA-256(TPMS_ATTEST), magic, type certify, extraData = ${ev.nonce}, certified Name = Name of Q`
        : `ECDSA(AK) over SHA-256(TPMS_ATTEST), magic, type quote, extraData = ${ev.nonce}, SHA-256(TPMS_QUOTE_INFO) = the reference ${binding.longTerm.pcrReference ?? 'PCR state'}`;
    checks.push({ id: `${prop.commit}-${ev.kind}`, kind: `checked by the ${prop.commit} machine`, ok, detail: ok ? what : `not accepted${verifier?.failure ? `: ${verifier.failure.message} [${verifier.failure.label}]` : ''}` });
  }
  const mb = ops?.attestation?.measuredBoot;
  if (mb) {
    const ok = mb.problems.length === 0 && mb.logMatchesQuote === true;
    const why = mb.logMatchesQuote === false ? 'the event log does not replay to the quoted PCR digest (altered or incomplete)' : mb.logMatchesQuote === null ? 'no quote to replay the event log against' : '';
    const detail = ok ? `the event log (${mb.log.length} events) replays to the quoted PCRs and every event is the reference value` : [why, ...mb.problems].filter(Boolean).join('; ');
    checks.push({ id: 'TTP-boot', kind: 'checked by the verifier (measured boot)', ok, detail });
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
