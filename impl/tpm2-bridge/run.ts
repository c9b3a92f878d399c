/**
 * `tcv run key-exchange|provisioning --tpm swtpm`: the TEE machine of models/ runs unchanged in
 * a ProtocolRun; the TPM role instance is never started and its messages go to the TSS bridge,
 * which drives a real swtpm (TPM 2.0 Part 1 §19 sessions, Part 3 commands). The report has the
 * shape of an honest run's plus a `tpm` section: the real commands sent, whether every TPM
 * response HMAC verified, and (protocol 3) whether the TEE's stored S equals the secret sealed
 * in the TPM.
 * @module
 */
import type { Protocol } from '../../models/protocol.ts';
import { roleOf } from '../../models/role.ts';
import { EvalFailure } from '../runtime/evaluate.ts';
import type { RunReport } from '../runtime/report.ts';
import { ProtocolRun } from '../runtime/session.ts';
import { openSwtpmBackend, type SwtpmBackend } from '../tpm2/swtpm-backend.ts';
import { TpmError } from '../tpm2/response-codes.ts';
import { TpmResponseAuthError } from '../tpm2/command-executor.ts';
import type { TpmSessionClient } from '../tpm2/session-client.ts';
import { TpmTransportError } from '../tpm2/transport.ts';
import { hex, showValue, valueEquals, valueToJson, type Value } from '../wire/value.ts';
import { type BridgeFact, BridgeFailure, type TpmCommandRecord, TssBridge } from './bridge.ts';

export interface TpmRunOptions {
  /** connect to a running swtpm on this server port; otherwise start a private one */
  readonly port?: number;
  readonly seed?: number;
  readonly responseTimeoutMs?: number;
  /** TEST ONLY: see BridgeOptions.beforeMessage */
  readonly beforeMessage?: (label: string, client: TpmSessionClient) => Promise<void>;
  /** TEST ONLY: rewrite TPM responses on the wire (an attacker between TSS and TPM) */
  readonly rewriteResponse?: (cmd: Uint8Array, rsp: Uint8Array) => Uint8Array;
}

export interface TpmRunSection {
  readonly backend: string;
  readonly sessionEstablished: boolean;
  readonly commands: readonly TpmCommandRecord[];
  /** every TPM command sent in the session came back with a response HMAC that verified */
  readonly responseHmacsVerified: boolean;
  readonly facts: readonly BridgeFact[];
  /** protocol 3: the secret sealed in the TPM and the one the TEE stored */
  readonly secret: { readonly sealed: string; readonly teeStored: string | null; readonly equal: boolean } | null;
  readonly failure: { readonly kind: string; readonly command: string; readonly rc: string | null; readonly message: string } | null;
}

export type TpmRunReport = RunReport & { readonly tpm: TpmRunSection };

/** The TEE instance's environment: the TSS is inside the TEE's trust boundary. */
function teeEnvOf(run: ProtocolRun, instance: string): Readonly<Record<string, Value>> {
  return run.environmentOf(instance);
}

function asFailure(e: unknown): BridgeFailure {
  if (e instanceof BridgeFailure) return e;
  if (e instanceof TpmError) return new BridgeFailure('tpm-rc', e.command, e.name, e.message);
  if (e instanceof TpmResponseAuthError) return new BridgeFailure('response-auth', e.command, null, e.message);
  if (e instanceof TpmTransportError) return new BridgeFailure('transport', 'transport', null, e.message);
  if (e instanceof EvalFailure) return new BridgeFailure('tss-check', 'message', null, e.message);
  throw e;
}

export async function runWithSwtpm(protocol: Protocol, opts: TpmRunOptions = {}): Promise<TpmRunReport> {
  const unseal = protocol.name === 'provisioning';
  if (!unseal && protocol.name !== 'key-exchange') throw new Error(`--tpm swtpm runs key-exchange and provisioning, not ${protocol.name}`);
  const t0 = performance.now();
  const run = new ProtocolRun(protocol, opts.seed === undefined ? {} : { seed: opts.seed });
  const dep = protocol.deployment;
  let backend: SwtpmBackend | null = null;
  let bridge: TssBridge | null = null;
  let failure: BridgeFailure | null = null;
  try {
    backend = await openSwtpmBackend({ ...(opts.port === undefined ? {} : { port: opts.port }), responseTimeoutMs: opts.responseTimeoutMs ?? 10_000 });
    bridge = new TssBridge({
      transport: backend.client.transport,
      deps: run.deps,
      longTerm: run.longTerm,
      tpmRole: protocol.roles.find((r) => r.role === 'TPM')!,
      deployment: dep,
      unseal,
      teeEnv: () => teeEnvOf(run, 'TEE#1'),
      ...(opts.beforeMessage ? { beforeMessage: opts.beforeMessage } : {}),
    });
    if (opts.rewriteResponse) bridge.recording.rewriteResponse = opts.rewriteResponse;
    const first = await bridge.setUp();
    run.network.post('TPM', 'TEE', first.label, first.bytes, 'party', 1);
    for (let i = 0; i < 100; i++) {
      const next = run.network.pending()[0];
      if (!next) break;
      if (next.to !== 'TPM') {
        run.deliver(next.id);
        continue;
      }
      run.network.take(next.id);
      const reply = await bridge.handle(next.label, next.bytes);
      run.network.post('TPM', 'TEE', reply.label, reply.bytes, 'party', 1);
    }
  } catch (e) {
    failure = asFailure(e);
  } finally {
    try {
      if (bridge && !(failure?.kind === 'transport')) await bridge.cleanUp();
    } finally {
      await backend?.close();
      run.stop();
    }
  }
  return report(protocol, run, bridge, failure, opts, performance.now() - t0);
}

function report(protocol: Protocol, run: ProtocolRun, bridge: TssBridge | null, failure: BridgeFailure | null, opts: TpmRunOptions, ms: number): TpmRunReport {
  const delivered = new Set(run.network.log.filter((e) => e.kind === 'delivered').map((e) => e.env.id));
  const messages = run.network.observed.map((e) => ({
    id: e.id,
    from: e.from === 'TPM' ? 'TPM (swtpm via TSS)' : e.from,
    to: e.to === 'TPM' ? 'TPM (swtpm via TSS)' : e.to,
    label: e.label,
    size: e.bytes.length,
    hex: hex(e.bytes),
    status: delivered.has(e.id) ? 'delivered' : 'pending',
  }));
  const tee = run.partyStates().find((s) => s.role === 'TEE')!;
  const teeStored = tee.stored['tee-secure-storage'] ?? null;
  const sealed = bridge?.sealedSecret ?? null;
  const secret = sealed
    ? { sealed: hex(sealed), teeStored: teeStored && teeStored.k === 'bytes' ? hex(teeStored.b) : null, equal: !!teeStored && valueEquals(teeStored, { k: 'bytes', b: sealed }) }
    : null;
  const commands = bridge?.commands ?? [];
  const inSession = commands.filter((c) => c.responseHmacVerified !== null);
  const responseHmacsVerified = failure === null && inSession.length > 0 && inSession.every((c) => c.responseHmacVerified === true);
  const fail = failure ? { kind: failure.kind, command: failure.command, rc: failure.rc, message: failure.message } : null;
  const parties = [
    { role: 'TEE', party: roleOf(protocol.roles.find((r) => r.role === 'TEE')!.machine).party, agent: tee.agent, state: tee.state, failure: tee.failure, stored: Object.fromEntries(Object.entries(tee.stored).map(([k, v]) => [k, showValue(v, true)])) },
    { role: 'TPM', party: 'swtpm (real TPM 2.0, via the TEE\'s TSS bridge)', agent: protocol.deployment['TPM']!, state: fail ? 'failed' : 'served', failure: fail ? { label: fail.command, code: fail.rc ?? fail.kind, message: fail.message } : null, stored: {} },
  ];
  const claims = run.claims.map((c) => ({ seq: c.seq, role: c.role, agent: c.agent, event: c.event, tag: c.tag, data: valueToJson(c.data), show: showValue(c.data) }));
  const secrets = [...new Set(run.claims.filter((c) => c.event === 'Secret').map((c) => c.tag))].map((tag) => {
    const cs = run.claims.filter((c) => c.event === 'Secret' && c.tag === tag);
    return { tag, values: cs.map((c) => ({ role: c.role, hex: c.data.k === 'tuple' || c.data.k === 'const' ? showValue(c.data, true) : hex(c.data.b) })), equal: true };
  });
  const facts = bridge?.facts ?? [];
  const checks = facts.map((f, i) => ({ id: `${f.by.toUpperCase()}${i + 1}`, kind: f.by === 'tpm' ? 'checked by the TPM' : 'checked by the TSS', ok: f.ok, detail: f.what }));
  if (secret) checks.push({ id: 'S', kind: 'secret delivered', ok: secret.equal, detail: "the TEE's stored S equals the secret sealed in swtpm" });
  const sessionEstablished = commands.some((c) => c.command === 'TPM2_GetRandom' && c.responseHmacVerified === true);
  const ok = tee.state === 'done' && fail === null && checks.every((c) => c.ok) && responseHmacsVerified && (secret?.equal ?? !unsealOf(protocol));
  const backendName = opts.port === undefined ? 'swtpm (started for this run)' : `swtpm at 127.0.0.1:${opts.port}`;
  return {
    protocol: protocol.name,
    variant: null,
    seed: opts.seed ?? null,
    ms,
    messages,
    parties,
    claims,
    secrets,
    checks,
    ok,
    tpm: { backend: backendName, sessionEstablished, commands, responseHmacsVerified, facts, secret, failure: fail },
  };
}

const unsealOf = (p: Protocol) => p.name === 'provisioning';
