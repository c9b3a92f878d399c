/**
 * The TSS bridge: the TEE's own TPM software stack. It replaces the runtime's TPM role instance
 * in `--tpm swtpm` mode: it receives the TEE machine's messages (our wire encoding), drives a
 * real TPM 2.0 (swtpm) through the impl/tpm2 backend, and answers the TEE machine by executing
 * the TPM party's own machine (`roleOf` + `executeTransition`): every pattern, check and message
 * comes from models/parties/tpm.ts. The real TPM supplies what a TPM decides itself — its key Q,
 * each nonceTPM, the session handle, the unsealed secret — through the evaluator's `override`
 * hook; what it computes with its private key (Z, the salt, the session key) is not visible to
 * the TSS, which takes the session key the TEE derived (the TPM accepting HMACs keyed with it
 * proves the two agree).
 *
 * Trust boundary: the bridge sits INSIDE the TEE (a TSS is part of its caller), so it reads the
 * TEE instance's environment — its session key `sKey` (to compute the real command HMACs), its
 * key `skT` (to sign the real PolicySigned aHash). Everything the real TPM checks is checked by
 * the TPM (TPM 2.0 Part 1 §19 HMACs, Part 3 §11.1 salt, §23.3 PolicySigned, §23.7 PolicyPCR,
 * §12.7 Unseal); what the bridge checks with our crypto (the TEE's model-format HMACs and
 * signature, the TTP token tokTEE — TPM2_VerifySignature is not implemented in impl/tpm2) is the
 * TSS's own translation and is reported as such.
 * @module
 */
import { G, type Term, exp, mapTerm, termEquals } from '../../models/terms.ts';
import type { RoleDecl } from '../../models/protocol.ts';
import { lt } from '../../models/protocol.ts';
import type { RoleContext } from '../../models/role.ts';
import { roleOf } from '../../models/role.ts';
import { type TransitionSpec, recvOf } from '../../models/steps.ts';
import { tpm2P256 } from '../crypto/index.ts';
import type { EvalDeps } from '../runtime/evaluate.ts';
import { executeTransition } from '../runtime/execute.ts';
import { matchPattern } from '../runtime/match.ts';
import { type LongTermStore, agentsOf, initialEnv } from '../runtime/setup.ts';
import { TpmSessionClient } from '../tpm2/session-client.ts';
import type { LoadedObject } from '../tpm2/commands-object.ts';
import type { TpmAuthSession } from '../tpm2/auth-session.ts';
import { TPM_ALG } from '../tpm2/spec-constants.ts';
import type { TpmTransport } from '../tpm2/transport.ts';
import { decode, DecodeError, encode } from '../wire/codec.ts';
import { type Value, bytesV, constV, valueEquals } from '../wire/value.ts';
import { encryptedFirstParameter, RecordingTransport, ScriptedRandom, sessionFor, startSessionWithSalt } from './tpm-io.ts';

/** The PCR the provisioning secret is bound to (PolicyPCR): PCR 16, the resettable debug PCR. */
export const BRIDGE_PCRS = [{ hashAlg: TPM_ALG.SHA256, pcrs: [16] }];

/** A check done by the bridge or by the TPM, for the report. */
export interface BridgeFact {
  readonly by: 'tpm' | 'tss';
  readonly what: string;
  readonly ok: boolean;
}

/** One real TPM command the bridge sent. */
export interface TpmCommandRecord {
  readonly command: string;
  /** for the TEE message it served */
  readonly forMessage: string;
  /** the TPM's response HMAC verified under the TEE's sKey (null: no session in the command) */
  readonly responseHmacVerified: boolean | null;
}

/** The run failed in the bridge: a TPM error code, a response HMAC that did not verify, a TSS check. */
export class BridgeFailure extends Error {
  constructor(
    readonly kind: 'tpm-rc' | 'response-auth' | 'tss-check' | 'transport',
    /** TPM2_Unseal, or the TEE message label for a TSS check */
    readonly command: string,
    /** the TPM response code name (TPM_RC_POLICY_FAIL) for kind 'tpm-rc' */
    readonly rc: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeFailure';
  }
}

export interface BridgeOptions {
  readonly transport: TpmTransport;
  readonly deps: EvalDeps;
  readonly longTerm: LongTermStore;
  /** the TPM role of the protocol: its machine is what the bridge executes */
  readonly tpmRole: RoleDecl;
  readonly deployment: Readonly<Record<string, string>>;
  /** protocol 3: seal a secret under PolicySigned(TEE key) + PolicyPCR and release it on Unseal */
  readonly unseal: boolean;
  /** reads the TEE instance's current environment (the TSS is inside the TEE) */
  readonly teeEnv: () => Readonly<Record<string, Value>>;
  /** TEST ONLY: runs before the TPM commands for a TEE message (e.g. PCR_Extend before Unseal) */
  readonly beforeMessage?: (label: string, client: TpmSessionClient) => Promise<void>;
}

export interface Reply {
  readonly label: string;
  readonly bytes: Uint8Array;
}

const bytesOf = (x: Value): Uint8Array => (x.k === 'tuple' || x.k === 'const' ? encode(x) : x.b);

export class TssBridge {
  readonly recording: RecordingTransport;
  readonly client: TpmSessionClient;
  readonly facts: BridgeFact[] = [];
  readonly commands: TpmCommandRecord[] = [];
  /** the secret sealed into the TPM before the run (protocol 3) */
  sealedSecret: Uint8Array | null = null;
  private readonly random = new ScriptedRandom();
  private readonly transitions: readonly TransitionSpec[];
  private ctx: RoleContext;
  private state: string;
  /** values the real TPM decided for the transition being executed */
  private decided: Record<string, Value> = {};
  private storageKey: LoadedObject | null = null;
  private sealed: LoadedObject | null = null;
  private session: TpmAuthSession | null = null;
  private sessionHandle = 0;

  constructor(private readonly o: BridgeOptions) {
    this.recording = new RecordingTransport(o.transport);
    this.client = new TpmSessionClient(this.recording, this.random);
    const def = roleOf(o.tpmRole.machine);
    this.transitions = def.transitions;
    this.state = def.initial;
    this.ctx = { role: def.role, env: {}, outbox: [], claims: [], stored: {}, failure: null };
  }

  private fact(by: BridgeFact['by'], what: string, ok = true): void {
    this.facts.push({ by, what, ok });
  }

  private env(name: string): Value {
    const x = this.ctx.env[name] as Value | undefined;
    if (!x) throw new BridgeFailure('tss-check', this.state, null, `the TPM machine has no value for ${name}`);
    return x;
  }

  /**
   * Run the TPM machine's transition from the current state for this trigger: decode and match
   * the message (the pattern is the machine's), let `real` do the TPM commands with the matched
   * values and return what the TPM decided, then execute the machine's steps with those values.
   * Returns the machine's outgoing message.
   */
  private async step(trigger: 'START' | 'MSG', msg: { label: string; bytes: Uint8Array } | null, real: (env: Readonly<Record<string, Value>>) => Promise<Record<string, Value>>): Promise<Reply> {
    const spec = this.transitions.find((t) => t.from === this.state && t.trigger === trigger && (msg === null || recvOf(t)?.label === msg.label));
    if (!spec) throw new BridgeFailure('tss-check', msg?.label ?? 'START', null, `the TPM machine takes no ${msg?.label ?? 'START'} in state ${this.state}`);
    let env = this.ctx.env as Record<string, Value>;
    const r = recvOf(spec);
    if (r && msg) {
      const value = decode(msg.bytes);
      if (value instanceof DecodeError) throw new BridgeFailure('tss-check', msg.label, null, `${msg.label}: ${value.message}`);
      env = matchPattern(r.pattern, value, env, this.o.deps, r.label) as Record<string, Value>;
    }
    this.decided = await real(env);
    const res = executeTransition(spec, { ...this.ctx, env: { ...this.ctx.env, ...this.patches } }, msg ? { from: 'TEE', ...msg } : null, {
      ...this.o.deps,
      override: (name) => this.decided[name],
    });
    this.patches = {};
    if (!res.ok) {
      this.fact('tss', `${res.failure.label}: ${res.failure.message}`, false);
      throw new BridgeFailure('tss-check', msg?.label ?? spec.label, null, `${res.failure.label}: ${res.failure.message}`);
    }
    for (const st of spec.steps) if (st.op === 'check') this.fact('tss', `TPM machine check '${st.label}' (${st.why}), with our crypto`);
    this.ctx = { ...this.ctx, env: res.env, claims: [...this.ctx.claims, ...res.claims], stored: res.stored };
    this.state = spec.to;
    const out = res.outbox[0];
    if (!out) throw new BridgeFailure('tss-check', spec.label, null, `${spec.label} sends nothing`);
    return { label: out.label, bytes: out.bytes };
  }

  /** environment values replaced before the next transition (the TEE's session key) */
  private patches: Record<string, Value> = {};

  /**
   * Set-up: the TPM's ECC P-256 storage primary (CreatePrimary, Part 3 §24.1) is the salt key Q;
   * the machine's set-up values are evaluated with Q for 'g'^q (the TTP's token tokTPM is then the
   * token the TTP would issue for this real key); q itself stays inside the TPM. For protocol 3 a
   * random secret S is sealed under PolicySigned(pk(skT)) + PolicyPCR (Part 3 §12.1, §23.3, §23.7).
   * Returns the machine's first message (PublicKeyQ).
   */
  async setUp(): Promise<Reply> {
    this.storageKey = await this.client.createStorageKey();
    const Q: Value = { k: 'point', b: TpmSessionClient.publicPoint(this.storageKey) };
    this.fact('tpm', 'CreatePrimary: ECC P-256 storage key Q created in the TPM');
    const heldByTpm = constV('held inside the TPM');
    const qPublic = exp(G, lt('q', 'self'));
    const Qreal = lt('Q', 'real', 'point');
    const knows = Object.fromEntries(Object.entries(this.o.tpmRole.knows).map(([k, t]) => [k, mapTerm(t, (u: Term) => (termEquals(u, qPublic) ? Qreal : u))]));
    const agents = agentsOf(this.o.tpmRole, this.o.deployment);
    const env = initialEnv({ ...this.o.tpmRole, knows }, agents, this.o.longTerm, this.o.deps, { [Qreal.name]: Q, 'q@self': heldByTpm });
    this.ctx = { ...this.ctx, env };
    if (this.o.unseal) {
      const skT = this.o.teeEnv()['skT'];
      if (!skT || skT.k !== 'scalar') throw new BridgeFailure('tss-check', 'set-up', null, 'the TEE has no key skT');
      const secret = tpm2P256.hash(this.o.deps.rng.bytes(32));
      const { sealed } = await this.client.sealUnderPolicy(this.storageKey, secret, { authKeyPoint: tpm2P256.publicKey(bytesOf(skT)), pcrs: BRIDGE_PCRS });
      this.sealed = await this.client.load(this.storageKey, sealed);
      this.sealedSecret = secret;
      this.fact('tpm', 'Create + Load: S sealed under PolicySigned(pk(skT)) + PolicyPCR(16), noDA, no password path');
    }
    return this.step('START', null, async () => ({ Q }));
  }

  /** Serve one TEE message: the real TPM commands for it, then the TPM machine's transition. */
  async handle(label: string, bytes: Uint8Array): Promise<Reply> {
    await this.o.beforeMessage?.(label, this.client);
    const msg = { label, bytes };
    switch (label) {
      case 'StartAuthSession':
        return this.step('MSG', msg, (env) => this.startAuthSession(env));
      case 'ConfirmSession':
        return this.step('MSG', msg, (env) => this.confirmSession(env));
      case 'PolicySigned':
        return this.step('MSG', msg, (env) => this.policySigned(env));
      case 'Unseal': {
        const reply = await this.step('MSG', msg, (env) => this.unseal(env));
        this.checkModelCfbKey();
        return reply;
      }
      default:
        throw new BridgeFailure('tss-check', label, null, `the TSS bridge has no TPM commands for '${label}'`);
    }
  }

  /**
   * TPM2_StartAuthSession(tpmKey = Q, encryptedSalt = E, nonceCaller = nC) — Part 3 §11.1. The
   * TPM decides nonceTPM (nT) and the handle (sh = H(handle), 32 bytes naming the session); Z,
   * the salt and the session key are computed inside it with q.
   */
  private async startAuthSession(env: Readonly<Record<string, Value>>): Promise<Record<string, Value>> {
    const s = await startSessionWithSalt(this.client.executor, this.storageKey!.handle, bytesOf(env['E']!), bytesOf(env['nC']!));
    this.sessionHandle = s.handle;
    this.commands.push({ command: 'TPM2_StartAuthSession', forMessage: 'StartAuthSession', responseHmacVerified: null });
    const hb = new Uint8Array(4);
    new DataView(hb.buffer).setUint32(0, s.handle, false);
    const inside = constV('computed inside the TPM');
    return { nT: bytesV(s.nonceTPM), sh: bytesV(tpm2P256.hash(hb)), Z: inside, seed: inside, sKey: inside };
  }

  /**
   * ConfirmSession: the TEE derived sKey with the model's evaluation; the TSS sends TPM2_GetRandom
   * in the session with the TEE's nC1 as nonceCaller, its command HMAC (Part 1 §19.6.5) keyed
   * with that sKey, so the TPM accepting it proves the model's derivation equals the TPM's
   * (Part 1 §19.6.8, Annex C.6.1); the executor verifies the response HMAC (§19.6.6). The TPM
   * machine then runs with that sKey and the TPM's new nonceTPM as nT1.
   */
  private async confirmSession(env: Readonly<Record<string, Value>>): Promise<Record<string, Value>> {
    const sKey = this.o.teeEnv()['sKey'];
    if (!sKey) throw new BridgeFailure('tss-check', 'ConfirmSession', null, 'the TEE has no session key');
    this.patches = { sKey };
    this.session = sessionFor(this.sessionHandle, bytesOf(sKey), bytesOf(this.env('nT')), bytesOf(this.env('nC')));
    this.random.next(bytesOf(env['nC1']!));
    const r = await this.client.confirmSession(this.session);
    this.commands.push({ command: 'TPM2_GetRandom', forMessage: 'ConfirmSession', responseHmacVerified: r.verifiedSessions === 1 });
    this.fact('tpm', "TPM2_GetRandom in the salted session: the TPM accepted the command HMAC keyed with the TEE's sKey (salt/KDFe/KDFa agree)");
    this.fact('tss', 'GetRandom response HMAC verified under sKey (rpHash, rolling nonces)', r.verifiedSessions === 1);
    return { nT1: bytesV(this.session.nonceTPM) };
  }

  /**
   * PolicySigned. The machine's checks (command HMAC, the TTP token tokTEE, the TEE's signature
   * over <'policy', nT1, sh> in our encoding) run with our crypto — TPM2_VerifySignature is not
   * implemented in impl/tpm2. The TSS signs the real aHash = H(nonceTPM || expiration || cpHashA ||
   * policyRef) (Part 3 §23.3) with the TEE's skT and runs TPM2_PolicySigned, and for protocol 3
   * TPM2_PolicyPCR (§23.7). Both have no authorization area, so the TPM rolls no nonce and
   * returns no response HMAC: nT2 is the unchanged nonceTPM.
   */
  private async policySigned(env: Readonly<Record<string, Value>>): Promise<Record<string, Value>> {
    const skT = this.o.teeEnv()['skT'];
    if (!skT || skT.k !== 'scalar') throw new BridgeFailure('tss-check', 'PolicySigned', null, 'the TEE has no key skT');
    const authKey = await this.client.loadExternalVerifyKey(bytesOf(env['pkT']!));
    try {
      await this.client.policySignedWithKey(this.session!, authKey, skT.b);
      this.commands.push({ command: 'TPM2_PolicySigned', forMessage: 'PolicySigned', responseHmacVerified: null });
      this.fact('tpm', 'TPM2_PolicySigned: the TPM verified the TEE key signature over the session nonceTPM');
    } finally {
      await this.client.flush(authKey.handle);
    }
    if (this.o.unseal) {
      await this.client.policyPCR(this.session!, BRIDGE_PCRS);
      this.commands.push({ command: 'TPM2_PolicyPCR', forMessage: 'PolicySigned', responseHmacVerified: null });
      this.fact('tpm', 'TPM2_PolicyPCR(16) added to the policy digest');
    }
    return { nT2: bytesV(this.session!.nonceTPM) };
  }

  /**
   * TPM2_Unseal (Part 3 §12.7) in the policy session, nonceCaller = the TEE's nC3, encrypt
   * attribute: outData AES-128-CFB encrypted with KDFa(sKey, "CFB", nonceTPM, nonceCaller)
   * (Part 1 §21.3); the executor verifies the response HMAC. The TPM machine then releases the
   * secret the TPM unsealed, under its nT3; the TSS checks that the machine's key
   * kdfa(sKey, 'CFB', nT3, nC3) decrypts the TPM's real ciphertext.
   */
  private async unseal(env: Readonly<Record<string, Value>>): Promise<Record<string, Value>> {
    this.random.next(bytesOf(env['nC3']!));
    const u = await this.client.unseal(this.sealed!, this.session!, { continueSession: false });
    this.commands.push({ command: 'TPM2_Unseal', forMessage: 'Unseal', responseHmacVerified: u.responseHmacVerified });
    this.fact('tss', 'Unseal response HMAC verified under sKey', u.responseHmacVerified);
    this.fact('tpm', 'TPM2_Unseal: policy (PolicySigned + PolicyPCR) satisfied, outData returned CFB-encrypted');
    this.patches = { S: bytesV(u.data) };
    this.lastUnsealCiphertext = { real: encryptedFirstParameter(this.recording.lastResponse), data: u.data };
    return { nT3: bytesV(u.nonceTPM) };
  }

  private lastUnsealCiphertext: { real: Uint8Array; data: Uint8Array } | null = null;

  /** After the Unseal transition: the key the machine derived, kdfa(sKey, 'CFB', nT3, nC3),
   * decrypts the TPM's real CFB ciphertext to the secret it unsealed. */
  private checkModelCfbKey(): void {
    const kE = bytesOf(this.env('kE'));
    const { real, data } = this.lastUnsealCiphertext!;
    const ok = valueEquals(bytesV(tpm2P256.aesCfbDecrypt(kE.slice(0, 16), kE.slice(16, 32), real)), bytesV(data));
    this.fact('tss', "the machine's kdfa(sKey, 'CFB', nT3, nC3) decrypts the TPM's real CFB ciphertext", ok);
    if (!ok) throw new BridgeFailure('tss-check', 'Unseal', null, "the model's CFB key does not decrypt the TPM's response");
  }

  /** Flush what the bridge loaded (swtpm holds 3 objects and 3 sessions without a resource manager). */
  async cleanUp(): Promise<void> {
    const handles = [this.session?.open ? this.session.handle : this.session ? 0 : this.sessionHandle, this.sealed?.handle, this.storageKey?.handle];
    for (const hnd of handles) {
      if (!hnd) continue;
      try {
        await this.client.flush(hnd);
      } catch {
        // already gone (session closed by the TPM, or the connection failed): nothing to free
      }
    }
  }
}

