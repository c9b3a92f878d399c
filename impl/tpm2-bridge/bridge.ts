/**
 * The TSS bridge: the TEE's own TPM software stack. It replaces the runtime's TPM role instance
 * in `--tpm swtpm` mode: it receives the messages to the TPM (our wire encoding), drives a
 * real TPM 2.0 (swtpm) through the impl/tpm2 backend, and answers the TEE machine by executing
 * the TPM party's own machine (`roleOf` + `executeTransition`): every pattern, check and message
 * comes from models/parties/tpm.ts. The real TPM supplies what a TPM decides itself — its key Q,
 * each nonceTPM, the session handle, the unsealed secret, its Certify and Quote (a signature
 * with the TPMS_ATTEST bytes it signs) — through the evaluator's `override`
 * hook; what it computes with its private key (Z, the salt, the session key) is not visible to
 * the TSS, which takes the session key the TEE derived (the TPM accepting HMACs keyed with it
 * proves the two agree).
 *
 * Trust boundary: the bridge sits INSIDE the TEE (a TSS is part of its caller), so it reads the
 * TEE instance's environment — its session key `sKey` (to compute the real command HMACs), its
 * key `skT` (to sign the real PolicySigned aHash). Everything the real TPM checks is checked by
 * the TPM (TPM 2.0 Part 1 §19 HMACs, Part 3 §11.1 salt, §23.3 PolicySigned, §23.7 PolicyPCR,
 * §12.7 Unseal, §18.2/§18.4 Certify/Quote), and so is every signature check of the TPM machine
 * (the TTP tokens tokTEE/tokTPM, the TEE's model-format policy signature): TPM2_VerifySignature
 * (§20.1), its verdict handed to the machine's check through the evaluator's `verifier` hook.
 * What the bridge checks with our crypto (the TEE's model-format command HMACs) is the TSS's own
 * translation and is reported as such.
 * @module
 */
import type { RoleDecl } from '../../models/protocol.ts';
import type { ClaimRecord, RoleContext } from '../../models/role.ts';
import { roleOf } from '../../models/role.ts';
import { type TransitionSpec, recvOf } from '../../models/steps.ts';
import { tpm2P256 } from '../crypto/index.ts';
import { type EvalDeps, EvalFailure, evaluate } from '../runtime/evaluate.ts';
import { executeTransition } from '../runtime/execute.ts';
import { matchPattern } from '../runtime/match.ts';
import { type LongTermStore, agentsOf, initialEnv } from '../runtime/setup.ts';
import { TpmSessionClient } from '../tpm2/session-client.ts';
import type { LoadedObject } from '../tpm2/commands-object.ts';
import type { TpmAuthSession } from '../tpm2/auth-session.ts';
import { quoteStateDigest } from '../tpm2/attested-statement.ts';
import type { PcrSelection } from '../tpm2/pcr-selection.ts';
import { TpmError } from '../tpm2/response-codes.ts';
import { pcrCompositeDigest } from '../tpm2/policy-digest.ts';
import { TPM_ALG } from '../tpm2/spec-constants.ts';
import type { TpmTransport } from '../tpm2/transport.ts';
import { decode, DecodeError, encode } from '../wire/codec.ts';
import { type Value, bytesV, constV, hex, valueEquals } from '../wire/value.ts';
import type { RealTpmValues } from './real-setup.ts';
import { encryptedFirstParameter, RecordingTransport, ScriptedRandom, sessionFor, startSessionWithSalt } from './tpm-io.ts';

/** The PCR the provisioning secret is bound to (PolicyPCR): PCR 16, the resettable debug PCR. */
export const BRIDGE_PCRS = [{ hashAlg: TPM_ALG.SHA256, pcrs: [16] }];

/** The PCRs quoted in protocol 1: 0 (firmware), 7 (secure-boot state) and 16 (debug; a test
 * extends it to change the measured state). */
export const ATTESTATION_PCRS: PcrSelection = [{ hashAlg: TPM_ALG.SHA256, pcrs: [0, 7, 16] }];

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

export type BridgeMode = 'key-exchange' | 'provisioning' | 'attestation';

export interface BridgeOptions {
  readonly transport: TpmTransport;
  /** which protocol's TPM role the bridge serves */
  readonly mode: BridgeMode;
  /** TEST ONLY: runs before the TPM commands for a message (e.g. PCR_Extend before Unseal) */
  readonly beforeMessage?: (label: string, client: TpmSessionClient) => Promise<void>;
}

/** What the bridge needs of the run, once the real TPM's set-up values are in it. */
export interface BridgeRunContext {
  readonly deps: EvalDeps;
  readonly longTerm: LongTermStore;
  /** the TPM role of the protocol (its `knows` on the real TPM's values, see real-setup.ts):
   * its machine is what the bridge executes */
  readonly tpmRole: RoleDecl;
  readonly deployment: Readonly<Record<string, string>>;
  /** the TPM role's set-up values from the real TPM (initialEnv's `given`) */
  readonly given: Readonly<Record<string, Value>>;
  /** reads the TEE instance's current environment (the TSS is inside the TEE) */
  readonly teeEnv: () => Readonly<Record<string, Value>>;
  /** how many claims the run's own parties have made so far (to order the TPM machine's) */
  readonly claimsSoFar: () => number;
}

export interface Reply {
  readonly to: string;
  readonly label: string;
  readonly bytes: Uint8Array;
}

/** A claim of the TPM machine, made after `after` claims of the run's own parties. */
export interface BridgeClaim {
  readonly claim: ClaimRecord;
  readonly after: number;
}

/** Protocol 1: what the TPM attested, for the report. */
export interface AttestationRecord {
  readonly ak: { readonly point: string; readonly name: string };
  readonly q: { readonly point: string; readonly name: string };
  readonly pcrSelection: string;
  /** the TTP's reference `pcr`: SHA-256(TPMS_QUOTE_INFO) at set-up */
  readonly pcrReference: string;
  certify: { readonly extraData: string; readonly certifiedName: string; readonly attest: string } | null;
  quote: { readonly extraData: string; readonly pcrDigest: string; readonly quoteState: string; readonly attest: string } | null;
}

const bytesOf = (x: Value): Uint8Array => (x.k === 'tuple' || x.k === 'const' ? encode(x) : x.b);
const selectionText = (sel: PcrSelection) => sel.map((b) => `${b.hashAlg === TPM_ALG.SHA256 ? 'sha256' : `alg 0x${b.hashAlg.toString(16)}`}:${b.pcrs.join(',')}`).join(' ');

/** The TPM's signature verdicts for one transition, looked up by (signature, message, key). */
class TpmVerdicts {
  private readonly byKey = new Map<string, { ok: boolean; step: number }>();
  private readonly used = new Set<number>();
  private static key(sig: Value, message: Uint8Array, pk: Value): string {
    return `${hex(bytesOf(sig))}|${hex(tpm2P256.hash(message))}|${hex(bytesOf(pk))}`;
  }
  add(step: number, sig: Value, message: Uint8Array, pk: Value, ok: boolean): void {
    this.byKey.set(TpmVerdicts.key(sig, message, pk), { ok, step });
  }
  decide(sig: Value, message: Uint8Array, pk: Value): boolean | undefined {
    if (sig.k !== 'sig' || sig.attest) return undefined;
    const v = this.byKey.get(TpmVerdicts.key(sig, message, pk));
    if (v) this.used.add(v.step);
    return v?.ok;
  }
  /** did the machine's check at step `i` get the TPM's verdict? */
  usedFor(i: number): boolean {
    return this.used.has(i);
  }
}

export class TssBridge {
  readonly recording: RecordingTransport;
  readonly client: TpmSessionClient;
  readonly facts: BridgeFact[] = [];
  readonly commands: TpmCommandRecord[] = [];
  readonly claims: BridgeClaim[] = [];
  /** the secret sealed into the TPM before the run (protocol 3) */
  sealedSecret: Uint8Array | null = null;
  /** protocol 1: the keys, the reference and the evidence */
  attestation: AttestationRecord | null = null;
  private readonly random = new ScriptedRandom();
  private run: BridgeRunContext | null = null;
  private transitions: readonly TransitionSpec[] = [];
  private ctx: RoleContext = { role: 'TPM', env: {}, outbox: [], claims: [], stored: {}, failure: null };
  private state = 'set-up';
  /** values the real TPM decided for the transition being executed */
  private decided: Record<string, Value> = {};
  private storageKey: LoadedObject | null = null;
  private ak: LoadedObject | null = null;
  private sealed: LoadedObject | null = null;
  private session: TpmAuthSession | null = null;
  private sessionHandle = 0;

  constructor(private readonly o: BridgeOptions) {
    this.recording = new RecordingTransport(o.transport);
    this.client = new TpmSessionClient(this.recording, this.random);
  }

  /** The TPM machine's current state ('done' once it finished). */
  get machineState(): string {
    return this.state;
  }

  private fact(by: BridgeFact['by'], what: string, ok = true): void {
    this.facts.push({ by, what, ok });
  }

  private env(name: string): Value {
    const x = this.ctx.env[name] as Value | undefined;
    if (!x) throw new BridgeFailure('tss-check', this.state, null, `the TPM machine has no value for ${name}`);
    return x;
  }

  private get deps(): EvalDeps {
    if (!this.run) throw new Error('TssBridge: begin() first');
    return this.run.deps;
  }

  /**
   * Run the TPM machine's transition from the current state for this trigger: decode and match
   * the message (the pattern is the machine's), let `real` do the TPM commands with the matched
   * values and return what the TPM decided, then execute the machine's steps with those values.
   * Returns the machine's outgoing message, if it sends one.
   */
  private async step(
    trigger: 'START' | 'MSG',
    msg: { from: string; label: string; bytes: Uint8Array } | null,
    real: (env: Readonly<Record<string, Value>>) => Promise<Record<string, Value>>,
  ): Promise<Reply | null> {
    const spec = this.transitions.find((t) => t.from === this.state && t.trigger === trigger && (msg === null || recvOf(t)?.label === msg.label));
    if (!spec) throw new BridgeFailure('tss-check', msg?.label ?? 'START', null, `the TPM machine takes no ${msg?.label ?? 'START'} in state ${this.state}`);
    let env = this.ctx.env as Record<string, Value>;
    const r = recvOf(spec);
    if (r && msg) {
      const value = decode(msg.bytes);
      if (value instanceof DecodeError) throw new BridgeFailure('tss-check', msg.label, null, `${msg.label}: ${value.message}`);
      try {
        env = matchPattern(r.pattern, value, env, this.deps, r.label) as Record<string, Value>;
      } catch (e) {
        if (e instanceof EvalFailure) throw new BridgeFailure('tss-check', msg.label, null, `${spec.label}: ${e.message}`);
        throw e;
      }
    }
    const verdicts = await this.tpmSignatureChecks(spec, env, msg?.label ?? spec.label);
    this.decided = await real(env);
    const res = executeTransition(spec, { ...this.ctx, env: { ...this.ctx.env, ...this.patches } }, msg, {
      ...this.deps,
      override: (name) => this.decided[name],
      verifier: (sig, message, pk) => verdicts.decide(sig, message, pk),
    });
    this.patches = {};
    if (!res.ok) {
      this.fact('tss', `${res.failure.label}: ${res.failure.message}`, false);
      throw new BridgeFailure('tss-check', msg?.label ?? spec.label, null, `${res.failure.label}: ${res.failure.message}`);
    }
    spec.steps.forEach((st, i) => {
      if (st.op !== 'check') return;
      if (verdicts.usedFor(i))
        this.fact('tpm', `TPM machine check '${st.label}' (${st.why}): TPM2_VerifySignature of the signature over SHA-256 of the signed message, public key loaded with TPM2_LoadExternal`);
      else this.fact('tss', `TPM machine check '${st.label}' (${st.why}), with our crypto`);
    });
    const after = this.run!.claimsSoFar();
    for (const c of res.claims) this.claims.push({ claim: c, after });
    this.ctx = { ...this.ctx, env: res.env, claims: [...this.ctx.claims, ...res.claims], stored: res.stored };
    this.state = spec.to;
    const out = res.outbox[0];
    return out ? { to: out.to, label: out.label, bytes: out.bytes } : null;
  }

  /**
   * The machine's signature checks in this transition — `check(verify(sig, m, pk), true)` — done
   * by the TPM: TPM2_LoadExternal of pk, TPM2_VerifySignature (Part 3 §20.1) over SHA-256(encode(m))
   * (what the model's sign signs: ECDSA-P256-SHA256 over the encoding), FlushContext. The
   * verdicts reach the machine's own check through the evaluator's `verifier` hook. A check whose
   * terms are not all bound before the transition runs, or whose key is not a valid point, stays
   * with our crypto (and is reported as the TSS's). A refusal (TPM_RC_SIGNATURE) ends the run as
   * the TPM's verdict, before any further TPM command for this message.
   */
  private async tpmSignatureChecks(spec: TransitionSpec, env: Readonly<Record<string, Value>>, forMessage: string): Promise<TpmVerdicts> {
    const verdicts = new TpmVerdicts();
    const refused: string[] = [];
    for (const [i, st] of spec.steps.entries()) {
      if (st.op !== 'check' || this.deps.skipChecks?.has(st.label)) continue;
      const t = st.left.t === 'app' && st.left.f === 'verify' ? st.left : st.right.t === 'app' && st.right.f === 'verify' ? st.right : null;
      if (!t) continue;
      let sig: Value, m: Value, pk: Value;
      try {
        [sig, m, pk] = t.args.map((a) => evaluate(a, { ...env, ...this.patches }, this.deps)) as [Value, Value, Value];
      } catch (e) {
        if (e instanceof EvalFailure) continue; // bound only inside the transition: our crypto decides
        throw e;
      }
      if (sig.k !== 'sig' || sig.attest || pk.k !== 'point' || !tpm2P256.isValidPoint(pk.b)) continue;
      const message = encode(m);
      let ok = true;
      try {
        await this.client.verifyWithExternalKey(pk.b, message, sig.b);
      } catch (e) {
        if (!(e instanceof TpmError && e.name === 'TPM_RC_SIGNATURE')) throw e;
        ok = false;
      }
      this.commands.push({ command: 'TPM2_VerifySignature', forMessage, responseHmacVerified: null });
      verdicts.add(i, sig, message, pk, ok);
      if (!ok) {
        refused.push(`check ${st.label} failed: ${st.why}`);
        this.fact('tpm', `TPM machine check '${st.label}' (${st.why}): TPM2_VerifySignature refused the signature (TPM_RC_SIGNATURE)`, false);
      }
    }
    if (refused.length) throw new BridgeFailure('tpm-rc', 'TPM2_VerifySignature', 'TPM_RC_SIGNATURE', `${spec.label}: ${refused.join('; ')} — refused by the TPM`);
    return verdicts;
  }

  /** environment values replaced before the next transition (the TEE's session key) */
  private patches: Record<string, Value> = {};

  /**
   * Set-up in the TPM, before the run exists: the ECC P-256 storage primary (CreatePrimary,
   * Part 3 §24.1) is the key-exchange key Q; protocol 1 adds the attestation key AK (a restricted
   * ECDSA-SHA256 signing primary) and reads the quoted PCRs (PCR_Read, §22.4) for the TTP's
   * reference value. q and the AK's private key stay inside the TPM.
   */
  async prepare(): Promise<RealTpmValues> {
    this.storageKey = await this.client.createStorageKey();
    const Q = TpmSessionClient.publicPoint(this.storageKey);
    this.fact('tpm', 'CreatePrimary: ECC P-256 storage key Q created in the TPM');
    if (this.o.mode !== 'attestation') return { Q, ak: null, pcrReference: null };
    this.ak = await this.client.createAttestationKey();
    const ak = TpmSessionClient.publicPoint(this.ak);
    this.fact('tpm', 'CreatePrimary: ECC P-256 restricted signing key AK (ECDSA-SHA256) created in the TPM; the TTP enrols its public key');
    const read = await this.client.pcrRead(ATTESTATION_PCRS);
    if (selectionText(read.selection) !== selectionText(ATTESTATION_PCRS) || read.values.length !== ATTESTATION_PCRS[0]!.pcrs.length)
      throw new BridgeFailure('tss-check', 'set-up', null, `PCR_Read returned ${selectionText(read.selection)}, not ${selectionText(ATTESTATION_PCRS)}`);
    const pcrReference = quoteStateDigest(ATTESTATION_PCRS, pcrCompositeDigest(read.values));
    this.fact('tss', `the TTP's reference pcr = SHA-256(TPMS_QUOTE_INFO) of PCR ${ATTESTATION_PCRS[0]!.pcrs.join(', ')} as PCR_Read reports them at set-up (enrolment)`);
    this.attestation = {
      ak: { point: hex(ak), name: hex(this.ak.name) },
      q: { point: hex(Q), name: hex(this.storageKey.name) },
      pcrSelection: selectionText(ATTESTATION_PCRS),
      pcrReference: hex(pcrReference),
      certify: null,
      quote: null,
    };
    return { Q, ak, pcrReference };
  }

  /**
   * The TPM machine's initial environment from its set-up terms on the real TPM's values (the
   * TTP's token tokTPM of protocols 2/3 is then the token the TTP would issue for the real Q).
   * For protocol 3 a random secret S is sealed under PolicySigned(pk(skT)) + PolicyPCR (Part 3
   * §12.1, §23.3, §23.7). Returns the machine's first message if it starts on its own
   * (PublicKeyQ), else null (protocol 1: it waits for the TTP's challenge).
   */
  async begin(run: BridgeRunContext): Promise<Reply | null> {
    this.run = run;
    const def = roleOf(run.tpmRole.machine);
    this.transitions = def.transitions;
    this.state = def.initial;
    const agents = agentsOf(run.tpmRole, run.deployment);
    this.ctx = { role: def.role, env: initialEnv(run.tpmRole, agents, run.longTerm, run.deps, run.given), outbox: [], claims: [], stored: {}, failure: null };
    if (this.o.mode === 'provisioning') {
      const skT = run.teeEnv()['skT'];
      if (!skT || skT.k !== 'scalar') throw new BridgeFailure('tss-check', 'set-up', null, 'the TEE has no key skT');
      const secret = tpm2P256.hash(run.deps.rng.bytes(32));
      const { sealed } = await this.client.sealUnderPolicy(this.storageKey!, secret, { authKeyPoint: tpm2P256.publicKey(bytesOf(skT)), pcrs: BRIDGE_PCRS });
      this.sealed = await this.client.load(this.storageKey!, sealed);
      this.sealedSecret = secret;
      this.fact('tpm', 'Create + Load: S sealed under PolicySigned(pk(skT)) + PolicyPCR(16), noDA, no password path');
    }
    if (!this.transitions.some((t) => t.from === this.state && t.trigger === 'START')) return null;
    const Q: Value = { k: 'point', b: TpmSessionClient.publicPoint(this.storageKey!) };
    return this.step('START', null, async () => ({ Q }));
  }

  /** The TPM commands for each message the TPM machine receives (none: only its own steps). */
  private commandsFor(label: string): ((env: Readonly<Record<string, Value>>) => Promise<Record<string, Value>>) | undefined {
    const none = async () => ({});
    const table: Record<string, (env: Readonly<Record<string, Value>>) => Promise<Record<string, Value>>> = {
      StartAuthSession: (env) => this.startAuthSession(env),
      ConfirmSession: (env) => this.confirmSession(env),
      PolicySigned: (env) => this.policySigned(env),
      Unseal: (env) => this.unseal(env),
      ChallengeTPM: (env) => this.certify(env),
      QuoteRequest: (env) => this.quote(env),
      TokenTPM: none,
      PeerTokenTEE: none,
    };
    return Object.hasOwn(table, label) ? table[label] : undefined;
  }

  /** Serve one message to the TPM: the real TPM commands for it, then the TPM machine's transition. */
  async handle(from: string, label: string, bytes: Uint8Array): Promise<Reply | null> {
    await this.o.beforeMessage?.(label, this.client);
    const real = this.commandsFor(label);
    if (!real) throw new BridgeFailure('tss-check', label, null, `the TSS bridge has no TPM commands for '${label}'`);
    const reply = await this.step('MSG', { from, label, bytes }, real);
    if (label === 'Unseal') this.checkModelCfbKey();
    return reply;
  }

  /**
   * Protocol 1, TPM2_Certify (Part 3 §18.2): the TPM signs with AK a TPMS_ATTEST of type
   * TPM_ST_ATTEST_CERTIFY naming Q's Name, extraData = qualifyingData = nB. The TPM machine's
   * `cert` is that signature together with the TPMS_ATTEST bytes it signs (the attestation-
   * signature value form): the TTP checks what they state, not our encoding of <'certify', Q, nB>.
   */
  private async certify(env: Readonly<Record<string, Value>>): Promise<Record<string, Value>> {
    const nB = bytesOf(env['nB']!);
    const r = await this.client.certify(this.storageKey!, this.ak!, nB);
    this.commands.push({ command: 'TPM2_Certify', forMessage: 'ChallengeTPM', responseHmacVerified: null });
    if (r.signature.hashAlg !== TPM_ALG.SHA256) throw new BridgeFailure('tss-check', 'ChallengeTPM', null, 'TPM2_Certify: the TPM signed with a hash other than SHA-256');
    this.fact('tpm', 'TPM2_Certify(Q, AK, qualifyingData = nB): the TPM signed a TPMS_ATTEST with the Name of Q, a key it holds');
    this.fact('tss', "the TPM machine's cert = the TPM's ECDSA signature with the TPMS_ATTEST bytes it signed (what they state is the TTP's check)");
    if (r.attest.type === 'certify' && this.attestation)
      this.attestation.certify = { extraData: hex(r.attest.extraData), certifiedName: hex(r.attest.name), attest: hex(r.attestBytes) };
    return { Q: { k: 'point', b: TpmSessionClient.publicPoint(this.storageKey!) }, cert: { k: 'sig', b: r.signature.rs, attest: r.attestBytes } };
  }

  /** Protocol 1, TPM2_Quote (Part 3 §18.4) of ATTESTATION_PCRS with qualifyingData = nB. */
  private async quote(env: Readonly<Record<string, Value>>): Promise<Record<string, Value>> {
    const nB = bytesOf(env['nB']!);
    const r = await this.client.quote(this.ak!, nB, ATTESTATION_PCRS);
    this.commands.push({ command: 'TPM2_Quote', forMessage: 'QuoteRequest', responseHmacVerified: null });
    if (r.signature.hashAlg !== TPM_ALG.SHA256) throw new BridgeFailure('tss-check', 'QuoteRequest', null, 'TPM2_Quote: the TPM signed with a hash other than SHA-256');
    this.fact('tpm', `TPM2_Quote(AK, qualifyingData = nB, PCR ${ATTESTATION_PCRS[0]!.pcrs.join(', ')}): the TPM signed a TPMS_ATTEST with the digest of its current PCR values`);
    this.fact('tss', "the TPM machine's quote = the TPM's ECDSA signature with the TPMS_ATTEST bytes it signed");
    if (r.attest.type === 'quote' && this.attestation)
      this.attestation.quote = {
        extraData: hex(r.attest.extraData),
        pcrDigest: hex(r.attest.pcrDigest),
        quoteState: hex(quoteStateDigest(r.attest.pcrSelect, r.attest.pcrDigest)),
        attest: hex(r.attestBytes),
      };
    return { quote: { k: 'sig', b: r.signature.rs, attest: r.attestBytes } };
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
    const sKey = this.run!.teeEnv()['sKey'];
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
   * PolicySigned. The machine's signature checks (the TTP token tokTEE, the TEE's signature over
   * <'policy', nT1, sh> in our encoding) were done by the TPM (TPM2_VerifySignature, see
   * tpmSignatureChecks); its command HMAC check runs with our crypto. The TSS signs the real aHash = H(nonceTPM || expiration || cpHashA ||
   * policyRef) (Part 3 §23.3) with the TEE's skT and runs TPM2_PolicySigned, and for protocol 3
   * TPM2_PolicyPCR (§23.7). Both have no authorization area, so the TPM rolls no nonce and
   * returns no response HMAC: nT2 is the unchanged nonceTPM.
   */
  private async policySigned(env: Readonly<Record<string, Value>>): Promise<Record<string, Value>> {
    const skT = this.run!.teeEnv()['skT'];
    if (!skT || skT.k !== 'scalar') throw new BridgeFailure('tss-check', 'PolicySigned', null, 'the TEE has no key skT');
    const authKey = await this.client.loadExternalVerifyKey(bytesOf(env['pkT']!));
    try {
      await this.client.policySignedWithKey(this.session!, authKey, skT.b);
      this.commands.push({ command: 'TPM2_PolicySigned', forMessage: 'PolicySigned', responseHmacVerified: null });
      this.fact('tpm', 'TPM2_PolicySigned: the TPM verified the TEE key signature over the session nonceTPM');
    } finally {
      await this.client.flush(authKey.handle);
    }
    if (this.o.mode === 'provisioning') {
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
    const ok = valueEquals(bytesV(tpm2P256.cfbDecrypt(kE.slice(0, 16), kE.slice(16, 32), real)), bytesV(data));
    this.fact('tss', "the machine's kdfa(sKey, 'CFB', nT3, nC3) decrypts the TPM's real CFB ciphertext", ok);
    if (!ok) throw new BridgeFailure('tss-check', 'Unseal', null, "the model's CFB key does not decrypt the TPM's response");
  }

  /** Flush what the bridge loaded (swtpm holds 3 objects and 3 sessions without a resource manager). */
  async cleanUp(): Promise<void> {
    const handles = [this.session?.open ? this.session.handle : this.session ? 0 : this.sessionHandle, this.sealed?.handle, this.ak?.handle, this.storageKey?.handle];
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

