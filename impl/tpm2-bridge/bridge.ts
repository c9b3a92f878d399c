/**
 * The TSS bridge: the TEE's own TPM software stack. It replaces the runtime's TPM role instance
 * in `--tpm swtpm` mode: it receives the TEE machine's messages (our wire encoding), drives a
 * real TPM 2.0 (swtpm) through the impl/tpm2 backend, and answers the TEE machine in the
 * model's message formats.
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
import type { Term } from '../../models/terms.ts';
import { c, h, hmac, kdfa, senc, sign, tup, v, verify } from '../../models/terms.ts';
import { K } from '../../models/parties/vocabulary.ts';
import { tpm2P256 } from '../crypto/index.ts';
import { type EvalDeps, evaluate, TRUE_V } from '../runtime/evaluate.ts';
import { matchPattern } from '../runtime/match.ts';
import type { LongTermStore } from '../runtime/setup.ts';
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
  /** the TPM's agent (node) and the TTP's agent of the deployment */
  readonly tpmAgent: string;
  readonly ttpAgent: string;
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
  private env: Record<string, Value> = {};
  private storageKey: LoadedObject | null = null;
  private sealed: LoadedObject | null = null;
  private session: TpmAuthSession | null = null;
  private sessionHandle = 0;

  constructor(private readonly o: BridgeOptions) {
    this.recording = new RecordingTransport(o.transport);
    this.client = new TpmSessionClient(this.recording, this.random);
  }

  private ev(t: Term): Value {
    return evaluate(t, this.env, this.o.deps);
  }

  private fact(by: BridgeFact['by'], what: string, ok = true): void {
    this.facts.push({ by, what, ok });
  }

  /** A TSS-side check of a TEE message with our crypto; failure ends the run. */
  private tssCheck(label: string, what: string, got: Value, want: Value): void {
    const ok = valueEquals(got, want);
    this.fact('tss', what, ok);
    if (!ok) throw new BridgeFailure('tss-check', label, null, `${label}: ${what} does not hold`);
  }

  /**
   * Set-up: the TPM's ECC P-256 storage primary (CreatePrimary, Part 3 §24.1) is the salt key Q;
   * its token tokTPM = sign(<'tok_tpm', idTPM, node, Q>, skTTP) is what the TTP would issue for
   * this real key (the TTP's key comes from the run's long-term store). For protocol 3 a random
   * secret S is sealed under PolicySigned(pk(skT)) + PolicyPCR (Part 3 §12.1 Create, §23.3, §23.7).
   * Returns the PublicKeyQ message for the TEE.
   */
  async setUp(): Promise<Reply> {
    this.storageKey = await this.client.createStorageKey();
    const Q: Value = { k: 'point', b: TpmSessionClient.publicPoint(this.storageKey) };
    this.env = {
      self: constV(this.o.tpmAgent),
      idTPM: this.o.longTerm.get('idTPM', this.o.tpmAgent),
      skTTP: this.o.longTerm.get('skTTP', this.o.ttpAgent),
      Q,
    };
    this.env['pkTTP'] = { k: 'point', b: tpm2P256.publicKey(bytesOf(this.env['skTTP']!)) };
    this.env['tokTPM'] = this.ev(sign(tup(c('tok_tpm'), K.idTPM, K.self, K.Q), K.skTTP));
    this.fact('tpm', 'CreatePrimary: ECC P-256 storage key Q created in the TPM');
    if (this.o.unseal) {
      const skT = this.o.teeEnv()['skT'];
      if (!skT || skT.k !== 'scalar') throw new BridgeFailure('tss-check', 'set-up', null, 'the TEE has no key skT');
      const secret = tpm2P256.hash(this.o.deps.rng.bytes(32));
      const { sealed } = await this.client.sealUnderPolicy(this.storageKey, secret, { authKeyPoint: tpm2P256.publicKey(bytesOf(skT)), pcrs: BRIDGE_PCRS });
      this.sealed = await this.client.load(this.storageKey, sealed);
      this.sealedSecret = secret;
      this.fact('tpm', 'Create + Load: S sealed under PolicySigned(pk(skT)) + PolicyPCR(16), noDA, no password path');
    }
    return { label: 'PublicKeyQ', bytes: encode(this.ev(tup(K.tokTPM, K.idTPM, K.Q))) };
  }

  private match(label: string, pattern: Term, bytes: Uint8Array): void {
    const value = decode(bytes);
    if (value instanceof DecodeError) throw new BridgeFailure('tss-check', label, null, `${label}: ${value.message}`);
    this.env = matchPattern(pattern, value, this.env, this.o.deps, label) as Record<string, Value>;
  }

  /** Serve one TEE message: real TPM commands, then the model-format answer. */
  async handle(label: string, bytes: Uint8Array): Promise<Reply> {
    await this.o.beforeMessage?.(label, this.client);
    switch (label) {
      case 'StartAuthSession':
        return this.startAuthSession(bytes);
      case 'ConfirmSession':
        return this.confirmSession(bytes);
      case 'PolicySigned':
        return this.policySigned(bytes);
      case 'Unseal':
        return this.unseal(bytes);
      default:
        throw new BridgeFailure('tss-check', label, null, `the TSS bridge has no mapping for '${label}'`);
    }
  }

  /**
   * TPM2_StartAuthSession(tpmKey = Q, encryptedSalt = E, nonceCaller = nC) — Part 3 §11.1.
   * Answer AuthSession <sh, nT>: nT the real nonceTPM, sh = H(handle) (32 bytes naming the session).
   */
  private async startAuthSession(bytes: Uint8Array): Promise<Reply> {
    this.match('StartAuthSession', tup(c('StartAuthSession'), K.E, K.nC), bytes);
    const s = await startSessionWithSalt(this.client.executor, this.storageKey!.handle, bytesOf(this.env['E']!), bytesOf(this.env['nC']!));
    this.sessionHandle = s.handle;
    this.commands.push({ command: 'TPM2_StartAuthSession', forMessage: 'StartAuthSession', responseHmacVerified: null });
    const hb = new Uint8Array(4);
    new DataView(hb.buffer).setUint32(0, s.handle, false);
    this.env['nT'] = bytesV(s.nonceTPM);
    this.env['sh'] = bytesV(tpm2P256.hash(hb));
    return { label: 'AuthSession', bytes: encode(this.ev(tup(K.sh, K.nT))) };
  }

  /**
   * ConfirmSession: the TEE derived sKey = kdfa(kdfe(Q^e, 'SECRET', E, Q), 'ATH', nT, nC) with the
   * model's evaluation. The TSS reads it and sends TPM2_GetRandom in the session with the TEE's
   * nC1 as nonceCaller and the encrypt attribute; its command HMAC (Part 1 §19.6.5) is keyed
   * with that sKey, so the TPM accepting it proves the model's derivation equals the TPM's
   * (Part 1 §19.6.8, Annex C.6.1). The response HMAC (§19.6.6) is verified by the executor.
   */
  private async confirmSession(bytes: Uint8Array): Promise<Reply> {
    const mac1 = v('mac1', 'digest');
    this.match('ConfirmSession', tup(c('GetTime'), K.nC1, mac1), bytes);
    const sKey = this.o.teeEnv()['sKey'];
    if (!sKey) throw new BridgeFailure('tss-check', 'ConfirmSession', null, 'the TEE has no session key');
    this.env['sKey'] = sKey;
    this.tssCheck('ConfirmSession', "the TEE's model-format command HMAC under sKey", this.env['mac1']!, this.ev(hmac(K.sKey, tup(h(c('GetTime')), K.nC1, K.nT))));
    this.session = sessionFor(this.sessionHandle, bytesOf(sKey), bytesOf(this.env['nT']!), bytesOf(this.env['nC']!));
    this.random.next(bytesOf(this.env['nC1']!));
    const r = await this.client.confirmSession(this.session);
    this.commands.push({ command: 'TPM2_GetRandom', forMessage: 'ConfirmSession', responseHmacVerified: r.verifiedSessions === 1 });
    this.fact('tpm', "TPM2_GetRandom in the salted session: the TPM accepted the command HMAC keyed with the TEE's sKey (salt/KDFe/KDFa agree)");
    this.fact('tss', 'GetRandom response HMAC verified under sKey (rpHash, rolling nonces)', r.verifiedSessions === 1);
    this.env['nT1'] = bytesV(this.session.nonceTPM);
    return { label: 'ConfirmResponse', bytes: encode(this.ev(tup(K.nT1, hmac(K.sKey, tup(h(c('GetTime-rsp')), K.nT1, K.nC1))))) };
  }

  /**
   * PolicySigned. The TEE's model signature over <'policy', nT1, sh> is in our encoding, which a
   * TPM cannot verify; the TSS checks it, the TEE's token tokTEE (the TPM-side
   * TPM2_VerifySignature is not implemented in impl/tpm2, so the TSS verifies it with our
   * crypto), and the command HMAC. Then it signs the real aHash = H(nonceTPM || expiration ||
   * cpHashA || policyRef) (Part 3 §23.3) with the TEE's skT and runs TPM2_PolicySigned, and for
   * protocol 3 TPM2_PolicyPCR (§23.7). Both have no authorization area (Auth Index: None), so
   * the TPM rolls no nonce and returns no response HMAC: nT2 is the unchanged nonceTPM, and the
   * model-format response HMAC is the TSS's.
   */
  private async policySigned(bytes: Uint8Array): Promise<Reply> {
    const mac2 = v('mac2', 'digest');
    this.match('PolicySigned', tup(K.tokTEE, K.idTEE, K.pkT, K.pol, K.nC2, mac2), bytes);
    this.tssCheck('PolicySigned', "the TEE's model-format command HMAC under sKey", this.env['mac2']!, this.ev(hmac(K.sKey, tup(h(tup(c('PolicySigned'), K.pol)), K.nC2, K.nT1))));
    this.tssCheck('PolicySigned', 'tokTEE: the TTP token of the TEE for this node (TSS-side, not TPM2_VerifySignature)', this.ev(verify(K.tokTEE, tup(c('tok_tee'), K.idTEE, K.self, K.pkT), K.pkTTP)), TRUE_V);
    this.tssCheck('PolicySigned', "the TEE's model signature over <'policy', nT1, sh>", this.ev(verify(K.pol, tup(c('policy'), K.nT1, K.sh), K.pkT)), TRUE_V);
    const skT = this.o.teeEnv()['skT'];
    if (!skT || skT.k !== 'scalar') throw new BridgeFailure('tss-check', 'PolicySigned', null, 'the TEE has no key skT');
    const authKey = await this.client.loadExternalVerifyKey(bytesOf(this.env['pkT']!));
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
    this.env['nT2'] = bytesV(this.session!.nonceTPM);
    return { label: 'PolicySignedResponse', bytes: encode(this.ev(tup(K.nT2, hmac(K.sKey, tup(h(c('PolicySigned-rsp')), K.nT2, K.nC2))))) };
  }

  /**
   * TPM2_Unseal (Part 3 §12.7) in the policy session (the TPM checks the policy digest against
   * the object's authPolicy), nonceCaller = the TEE's nC3, encrypt attribute: outData is
   * AES-128-CFB encrypted with KDFa(sKey, "CFB", nonceTPM, nonceCaller) (Part 1 §21.3). The
   * executor verifies the response HMAC, then the TSS checks that the model's key
   * kdfa(sKey, 'CFB', nT3, nC3) decrypts the TPM's real ciphertext, and re-encrypts S in the
   * model's format (the model encrypts the encoded value, not raw octets).
   */
  private async unseal(bytes: Uint8Array): Promise<Reply> {
    const mac3 = v('mac3', 'digest');
    this.match('Unseal', tup(c('Unseal'), K.nC3, mac3), bytes);
    this.tssCheck('Unseal', "the TEE's model-format command HMAC under sKey", this.env['mac3']!, this.ev(hmac(K.sKey, tup(h(c('Unseal')), K.nC3, K.nT2))));
    this.random.next(bytesOf(this.env['nC3']!));
    const u = await this.client.unseal(this.sealed!, this.session!, { continueSession: false });
    this.commands.push({ command: 'TPM2_Unseal', forMessage: 'Unseal', responseHmacVerified: u.responseHmacVerified });
    this.fact('tss', 'Unseal response HMAC verified under sKey', u.responseHmacVerified);
    this.env['nT3'] = bytesV(u.nonceTPM);
    const kE = this.ev(kdfa(K.sKey, 'CFB', K.nT3, K.nC3));
    const kb = bytesOf(kE);
    const real = encryptedFirstParameter(this.recording.lastResponse);
    const viaModelKey = tpm2P256.aesCfbDecrypt(kb.slice(0, 16), kb.slice(16, 32), real);
    this.tssCheck('Unseal', "the model's kdfa(sKey, 'CFB', nT3, nC3) decrypts the TPM's real CFB ciphertext", bytesV(viaModelKey), bytesV(u.data));
    this.fact('tpm', 'TPM2_Unseal: policy (PolicySigned + PolicyPCR) satisfied, outData returned CFB-encrypted');
    this.env['S'] = bytesV(u.data);
    this.env['kE'] = kE;
    this.env['ct'] = this.ev(senc(K.S, K.kE));
    return { label: 'UnsealResponse', bytes: encode(this.ev(tup(K.ct, K.nT3, hmac(K.sKey, tup(h(K.ct), K.nT3, K.nC3))))) };
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
