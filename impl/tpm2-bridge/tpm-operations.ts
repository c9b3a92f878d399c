/**
 * The real TPM 2.0 commands behind each operation of models/real-tpm.ts, over any TpmTransport
 * (swtpm, the TZTCM's engine, a hardware TPM). Each operation reads the machine variables its
 * binding names and returns what the TPM decided, by the binding's variable names — no protocol
 * variable is named here. What the TPM computes with its private key (Z, the salt, the session
 * key) is not visible to the TSS: the binding marks it `inside`, and the TSS adopts the session
 * key its caller derived (the TPM accepting HMACs keyed with it proves the two agree).
 *
 * Trust boundary: the TSS sits INSIDE its caller (the TEE), so it reads the caller's values the
 * binding names (its session key, to compute the real command HMACs; its signing key, to sign the
 * real PolicySigned aHash). Everything the real TPM checks is checked by the TPM (Part 1 §19
 * HMACs, Part 3 §11.1 salt, §23.3 PolicySigned, §23.7 PolicyPCR, §12.7 Unseal, §18.2/§18.4
 * Certify/Quote).
 * @module
 */
import type { RealTpmBinding, Tpm2Operation } from '../../models/real-tpm.ts';
import { tpm2P256, type CryptoSuite, type RandomSource } from '../crypto/index.ts';
import { quoteStateDigest } from '../tpm2/attested-statement.ts';
import type { TpmAuthSession } from '../tpm2/auth-session.ts';
import type { LoadedObject } from '../tpm2/commands-object.ts';
import type { PcrSelection } from '../tpm2/pcr-selection.ts';
import { pcrCompositeDigest } from '../tpm2/policy-digest.ts';
import { TpmSessionClient } from '../tpm2/session-client.ts';
import { TPM_ALG } from '../tpm2/spec-constants.ts';
import { attestedSig } from '../tpm2/value-forms.ts';
import type { TpmTransport } from '../tpm2/transport.ts';
import { decode, DecodeError, encode } from '../wire/codec.ts';
import { type Value, bytesV, constV, hex, valueEquals } from '../wire/value.ts';
import { type AttestationRecord, type BridgeFact, BridgeFailure, type TpmCommandRecord } from './bridge-records.ts';
import type { RealTpmValues } from './real-setup.ts';
import { compareWithReference, type MeasuredBoot, measuredSelection, quoteStateOf } from './measured-boot-check.ts';
import { encryptedFirstParameter, RecordingTransport, ScriptedRandom, sessionFor, startSessionWithSalt } from './tpm-io.ts';
import { firstCommandParameter, firstResponseParameter, NvRecords } from './nv-records.ts';

/** The PCR a sealed secret is bound to (PolicyPCR): PCR 16, the resettable debug PCR, in the
 * bank of the suite's hash (SHA-256; SM3_256 on a TCM). */
export const bridgePcrs = (suite: CryptoSuite = tpm2P256): PcrSelection => [{ hashAlg: suite.algorithms.tpm.hashAlg, pcrs: [16] }];
export const BRIDGE_PCRS = bridgePcrs();

/** The PCRs quoted for attestation: 0 (firmware), 7 (secure-boot state) and 16 (debug; a test
 * extends it to change the measured state), in the suite's bank. */
export const attestationPcrs = (suite: CryptoSuite = tpm2P256): PcrSelection => [{ hashAlg: suite.algorithms.tpm.hashAlg, pcrs: [0, 7, 16] }];
export const ATTESTATION_PCRS: PcrSelection = attestationPcrs();

type Env = Readonly<Record<string, Value>>;

/** What the TPM decided for one transition: values of its fresh/let variables, and values that
 * replace the machine's before it runs (the caller's session key, the unsealed secret). */
export interface Decided {
  readonly decided: Record<string, Value>;
  readonly patches: Record<string, Value>;
}

const bytesOf = (x: Value): Uint8Array => (x.k === 'tuple' || x.k === 'const' ? encode(x) : x.b);
const selectionText = (sel: PcrSelection) => sel.map((b) => `${b.hashAlg === TPM_ALG.SHA256 ? 'sha256' : b.hashAlg === TPM_ALG.SM3_256 ? 'sm3_256' : `alg 0x${b.hashAlg.toString(16)}`}:${b.pcrs.join(',')}`).join(' ');

/** A variable's value in an environment, or the TSS's typed refusal. */
function valueOf(env: Env, name: string, whose: string, forMessage: string): Value {
  const x = env[name];
  if (!x) throw new BridgeFailure('tss-check', forMessage, null, `${whose} has no value for ${name}`);
  return x;
}

export class TpmOperations {
  readonly recording: RecordingTransport;
  readonly client: TpmSessionClient;
  readonly facts: BridgeFact[] = [];
  readonly commands: TpmCommandRecord[] = [];
  /** the secret sealed into the TPM before the run (protocol 3) */
  sealedSecret: Uint8Array | null = null;
  /** protocol 1: the keys, the reference and the evidence */
  attestation: AttestationRecord | null = null;
  private readonly random = new ScriptedRandom();
  private storageKey: LoadedObject | null = null;
  private ak: LoadedObject | null = null;
  private sealed: LoadedObject | null = null;
  private session: TpmAuthSession | null = null;
  private sessionStart: { handle: number; nonceTPM: Uint8Array; nonceCaller: Uint8Array } | null = null;
  private lastUnseal: { real: Uint8Array; data: Uint8Array } | null = null;
  /** the PCRs quoted for attestation: ATTESTATION_PCRS, and the PCRs a measured boot extended */
  readonly quotePcrs: PcrSelection;

  private readonly pcrs: { readonly sealed: PcrSelection; readonly quoted: PcrSelection };

  /** the channel's records (an NV index), when the binding has them */
  readonly nv: NvRecords;
  private recordsDone = 0;

  constructor(
    transport: TpmTransport,
    private readonly binding: RealTpmBinding,
    /** the TPM's boot event log and the verifier's reference values, when the TPM has one */
    private readonly measuredBoot: MeasuredBoot | null = null,
    /** the algorithms asked of the TPM: the run's suite (tpm2 by default, tcm for a TCM 2.0) */
    private readonly suite: CryptoSuite = tpm2P256,
  ) {
    this.recording = new RecordingTransport(transport);
    this.client = new TpmSessionClient(this.recording, this.random, suite);
    this.pcrs = { sealed: bridgePcrs(suite), quoted: attestationPcrs(suite) };
    this.quotePcrs = measuredBoot ? measuredSelection(this.pcrs.quoted, measuredBoot) : this.pcrs.quoted;
    this.nv = new NvRecords(this.client.executor);
  }

  /** The binding moves data records (TPM2_NV_Write / NV_Read). */
  get hasRecords(): boolean {
    return Object.values(this.binding.transitions).some((o) => o.op === 'TPM2_NV_Write');
  }

  /** Define the records' NV index, `size` bytes (at most TPM_PT_NV_BUFFER_MAX). */
  async defineRecordIndex(size: number): Promise<void> {
    await this.nv.define(size);
    this.fact('tpm', `NV_DefineSpace: an ordinary ${size}-byte index (AUTHWRITE | AUTHREAD | NO_DA) for the records`);
  }

  fact(by: BridgeFact['by'], what: string, ok = true): void {
    this.facts.push({ by, what, ok });
  }

  /**
   * Set-up in the TPM, before the run exists: the ECC P-256 storage primary (CreatePrimary,
   * Part 3 §24.1) is the storage key Q; a binding with an attestation key adds the restricted
   * ECDSA-SHA256 signing primary AK and reads the quoted PCRs (PCR_Read, §22.4) for the verifier's
   * reference value. q and the AK's private key stay inside the TPM.
   */
  async prepare(): Promise<RealTpmValues> {
    this.storageKey = await this.client.createStorageKey();
    const Q = TpmSessionClient.publicPoint(this.storageKey);
    this.fact('tpm', `CreatePrimary: ECC ${this.suite.algorithms.curve} storage key Q created in the TPM`);
    if (!this.binding.longTerm.attestationKey) return { Q, ak: null, pcrReference: null };
    this.ak = await this.client.createAttestationKey();
    const ak = TpmSessionClient.publicPoint(this.ak);
    this.fact('tpm', `CreatePrimary: ECC ${this.suite.algorithms.curve} restricted signing key AK (${this.suite.algorithms.signature}) created in the TPM; the TTP enrols its public key`);
    const sel = this.quotePcrs;
    const read = await this.client.pcrRead(sel);
    if (selectionText(read.selection) !== selectionText(sel) || read.values.length !== sel[0]!.pcrs.length)
      throw new BridgeFailure('tss-check', 'set-up', null, `PCR_Read returned ${selectionText(read.selection)}, not ${selectionText(sel)}`);
    let pcrReference: Uint8Array;
    let measured: AttestationRecord['measuredBoot'] = null;
    if (this.measuredBoot) {
      // the TTP's reference from its reference values (an honest boot's event log), not from the device
      pcrReference = quoteStateOf(this.measuredBoot.reference, sel).quoteState;
      const problems = compareWithReference(this.measuredBoot);
      measured = { log: this.measuredBoot.log, problems, logPcrDigest: hex(quoteStateOf(this.measuredBoot.log, sel).pcrDigest), logMatchesQuote: null };
      this.fact('tss', `the TTP's reference pcr = SHA-256(TPMS_QUOTE_INFO) of PCR ${sel[0]!.pcrs.join(', ')} computed from its reference values (the images of an honest boot, the vendor's kernel), not read from the TPM`);
    } else {
      pcrReference = quoteStateDigest(sel, pcrCompositeDigest(read.values, this.suite), this.suite);
      this.fact('tss', `the TTP's reference pcr = ${this.suite.algorithms.hash}(TPMS_QUOTE_INFO) of PCR ${sel[0]!.pcrs.join(', ')} as PCR_Read reports them at set-up (enrolment)`);
    }
    this.attestation = {
      ak: { point: hex(ak), name: hex(this.ak.name) },
      q: { point: hex(Q), name: hex(this.storageKey.name) },
      pcrSelection: selectionText(sel),
      pcrReference: hex(pcrReference),
      certify: null,
      quote: null,
      measuredBoot: measured,
    };
    return { Q, ak, pcrReference };
  }

  /** A random secret S sealed under PolicySigned(the caller's key) + PolicyPCR (Part 3 §12.1,
   * §23.3, §23.7), when the binding has one. */
  async sealSecret(callerEnv: Env, rng: RandomSource): Promise<void> {
    const sealed = this.binding.sealed;
    if (!sealed) return;
    const sk = callerEnv[sealed.authKey.name];
    if (!sk || sk.k !== 'scalar') throw new BridgeFailure('tss-check', 'set-up', null, `the ${this.binding.caller} has no key ${sealed.authKey.name}`);
    const secret = this.suite.hash(rng.bytes(32));
    const { sealed: obj } = await this.client.sealUnderPolicy(this.storageKey!, secret, { authKeyPoint: this.suite.publicKey(bytesOf(sk)), pcrs: this.pcrs.sealed });
    this.sealed = await this.client.load(this.storageKey!, obj);
    this.sealedSecret = secret;
    this.fact('tpm', 'Create + Load: S sealed under PolicySigned(pk(skT)) + PolicyPCR(16), noDA, no password path');
  }

  /** The TPM commands of one operation, with the machine's values after its receive. */
  async run(o: Tpm2Operation, env: Env, callerEnv: () => Env, forMessage: string): Promise<Decided> {
    const read = (x: { name: string }) => bytesOf(valueOf(env, x.name, 'the TPM machine', forMessage));
    const point = (): Value => ({ k: 'point', b: TpmSessionClient.publicPoint(this.storageKey!) });
    switch (o.op) {
      case 'none':
        return { decided: {}, patches: {} };
      case 'PublicKey':
        return { decided: { [o.decides.key.name]: point() }, patches: {} };
      case 'TPM2_Certify': {
        // Part 3 §18.2: AK signs a TPMS_ATTEST of type TPM_ST_ATTEST_CERTIFY naming Q's Name,
        // extraData = qualifyingData; the machine's signature is that signature with the bytes it
        // signs (the attestation-signature value form): the verifier checks what they state
        const nonce = read(o.reads.qualifyingData);
        const r = await this.client.certify(this.storageKey!, this.ak!, nonce);
        this.commands.push({ command: 'TPM2_Certify', forMessage, responseHmacVerified: null });
        if (r.signature.hashAlg !== this.suite.algorithms.tpm.hashAlg) throw new BridgeFailure('tss-check', forMessage, null, `TPM2_Certify: the TPM signed with a hash other than ${this.suite.algorithms.hash}`);
        this.fact('tpm', `TPM2_Certify(Q, AK, qualifyingData = ${o.reads.qualifyingData.name}): the TPM signed a TPMS_ATTEST with the Name of Q, a key it holds`);
        this.fact('tss', `the TPM machine's ${o.decides.signature.name} = the TPM's signature with the TPMS_ATTEST bytes it signed (what they state is the TTP's check)`);
        if (r.attest.type === 'certify' && this.attestation)
          this.attestation.certify = { extraData: hex(r.attest.extraData), certifiedName: hex(r.attest.name), attest: hex(r.attestBytes) };
        return { decided: { [o.decides.certifiedKey.name]: point(), [o.decides.signature.name]: attestedSig(r.signature.rs, r.attestBytes) }, patches: {} };
      }
      case 'TPM2_Quote': {
        // Part 3 §18.4, of ATTESTATION_PCRS with qualifyingData
        const r = await this.client.quote(this.ak!, read(o.reads.qualifyingData), this.quotePcrs);
        this.commands.push({ command: 'TPM2_Quote', forMessage, responseHmacVerified: null });
        if (r.signature.hashAlg !== this.suite.algorithms.tpm.hashAlg) throw new BridgeFailure('tss-check', forMessage, null, `TPM2_Quote: the TPM signed with a hash other than ${this.suite.algorithms.hash}`);
        this.fact('tpm', `TPM2_Quote(AK, qualifyingData = ${o.reads.qualifyingData.name}, PCR ${this.quotePcrs[0]!.pcrs.join(', ')}): the TPM signed a TPMS_ATTEST with the digest of its current PCR values`);
        this.fact('tss', `the TPM machine's ${o.decides.signature.name} = the TPM's signature with the TPMS_ATTEST bytes it signed`);
        if (r.attest.type === 'quote' && this.attestation)
          this.attestation.quote = {
            extraData: hex(r.attest.extraData),
            pcrDigest: hex(r.attest.pcrDigest),
            quoteState: hex(quoteStateDigest(r.attest.pcrSelect, r.attest.pcrDigest, this.suite)),
            attest: hex(r.attestBytes),
          };
        // the verifier's replay of the device's event log against what the TPM signed
        const mb = this.attestation?.measuredBoot;
        if (mb && r.attest.type === 'quote') mb.logMatchesQuote = hex(r.attest.pcrDigest) === mb.logPcrDigest;
        return { decided: { [o.decides.signature.name]: attestedSig(r.signature.rs, r.attestBytes) }, patches: {} };
      }
      case 'TPM2_StartAuthSession': {
        // Part 3 §11.1: the TPM decides nonceTPM and the handle (named by H(handle), 32 bytes);
        // Z, the salt and the session key are computed inside it with q
        const nonceCaller = read(o.reads.nonceCaller);
        const s = await startSessionWithSalt(this.client.executor, this.storageKey!.handle, read(o.reads.encryptedSalt), nonceCaller);
        this.sessionStart = { handle: s.handle, nonceTPM: s.nonceTPM, nonceCaller };
        this.commands.push({ command: 'TPM2_StartAuthSession', forMessage, responseHmacVerified: null });
        const hb = new Uint8Array(4);
        new DataView(hb.buffer).setUint32(0, s.handle, false);
        const inside = constV('computed inside the TPM');
        return {
          decided: { [o.decides.nonceTPM.name]: bytesV(s.nonceTPM), [o.decides.sessionHandle.name]: bytesV(this.suite.hash(hb)), ...Object.fromEntries(o.inside.map((x) => [x.name, inside])) },
          patches: {},
        };
      }
      case 'TPM2_GetRandom': {
        if (!o.caller || !o.adopts) {
          // a later command in the session the TSS holds (nonces rolled by the executor); the
          // executor verifies the response HMAC (§19.6.6)
          if (!this.session) throw new BridgeFailure('tss-check', forMessage, null, 'TPM2_GetRandom in the session before the session was confirmed');
          this.random.next(read(o.reads.nonceCaller));
          const r = await this.client.confirmSession(this.session);
          this.commands.push({ command: 'TPM2_GetRandom', forMessage, responseHmacVerified: r.verifiedSessions === 1 });
          if (r.verifiedSessions !== 1) throw new BridgeFailure('response-auth', forMessage, null, 'GetRandom response HMAC did not verify');
          this.fact('tss', 'a later TPM2_GetRandom in the authorised session: response HMAC verified under sKey (nonces rolled)', true);
          return { decided: { [o.decides.nonceTPM.name]: bytesV(this.session.nonceTPM) }, patches: {} };
        }
        // the caller derived the session key with the model's evaluation; a command in the
        // session with its command HMAC (Part 1 §19.6.5) keyed with it: the TPM accepting it
        // proves the model's derivation equals the TPM's (§19.6.8, Annex C.6.1); the executor
        // verifies the response HMAC (§19.6.6)
        const sKey = valueOf(callerEnv(), o.caller.sessionKey.name, `the ${this.binding.caller}`, forMessage);
        const start = this.sessionStart!;
        this.session = sessionFor(start.handle, bytesOf(sKey), start.nonceTPM, start.nonceCaller);
        this.random.next(read(o.reads.nonceCaller));
        const r = await this.client.confirmSession(this.session);
        this.commands.push({ command: 'TPM2_GetRandom', forMessage, responseHmacVerified: r.verifiedSessions === 1 });
        this.fact('tpm', "TPM2_GetRandom in the salted session: the TPM accepted the command HMAC keyed with the TEE's sKey (salt/KDFe/KDFa agree)");
        this.fact('tss', 'GetRandom response HMAC verified under sKey (rpHash, rolling nonces)', r.verifiedSessions === 1);
        return { decided: { [o.decides.nonceTPM.name]: bytesV(this.session.nonceTPM) }, patches: { [o.adopts.sessionKey.name]: sKey } };
      }
      case 'TPM2_PolicySigned': {
        // the TSS signs the real aHash = H(nonceTPM || expiration || cpHashA || policyRef) (Part 3
        // §23.3) with the caller's key; with a sealed secret also TPM2_PolicyPCR (§23.7). Neither
        // has an authorization area: the TPM rolls no nonce, so the next nonceTPM is unchanged
        const sk = valueOf(callerEnv(), o.caller.signingKey.name, `the ${this.binding.caller}`, forMessage);
        if (sk.k !== 'scalar') throw new BridgeFailure('tss-check', forMessage, null, `the ${this.binding.caller} has no key ${o.caller.signingKey.name}`);
        const authKey = await this.client.loadExternalVerifyKey(read(o.reads.authKey));
        try {
          await this.client.policySignedWithKey(this.session!, authKey, sk.b);
          this.commands.push({ command: 'TPM2_PolicySigned', forMessage, responseHmacVerified: null });
          this.fact('tpm', 'TPM2_PolicySigned: the TPM verified the TEE key signature over the session nonceTPM');
        } finally {
          await this.client.flush(authKey.handle);
        }
        if (this.binding.sealed) {
          await this.client.policyPCR(this.session!, this.pcrs.sealed);
          this.commands.push({ command: 'TPM2_PolicyPCR', forMessage, responseHmacVerified: null });
          this.fact('tpm', 'TPM2_PolicyPCR(16) added to the policy digest');
        }
        return { decided: { [o.decides.nonceTPM.name]: bytesV(this.session!.nonceTPM) }, patches: {} };
      }
      case 'TPM2_Unseal': {
        // Part 3 §12.7 in the policy session, encrypt attribute: outData AES-128-CFB encrypted with
        // KDFa(sKey, "CFB", nonceTPM, nonceCaller) (Part 1 §21.3); the executor verifies the
        // response HMAC. The machine then releases the secret the TPM unsealed
        this.random.next(read(o.reads.nonceCaller));
        const u = await this.client.unseal(this.sealed!, this.session!, { continueSession: false });
        this.commands.push({ command: 'TPM2_Unseal', forMessage, responseHmacVerified: u.responseHmacVerified });
        this.fact('tss', 'Unseal response HMAC verified under sKey', u.responseHmacVerified);
        this.fact('tpm', 'TPM2_Unseal: policy (PolicySigned + PolicyPCR) satisfied, outData returned CFB-encrypted');
        this.lastUnseal = { real: encryptedFirstParameter(this.recording.lastResponse), data: u.data };
        return { decided: { [o.decides.nonceTPM.name]: bytesV(u.nonceTPM) }, patches: { [o.adopts.secret.name]: bytesV(u.data) } };
      }
      case 'TPM2_NV_Write': {
        // Part 3 §31.7 with the data parameter AES-128-CFB encrypted by the session (decrypt,
        // Part 1 §21.2; nonceCaller = the TEE's nCw); the TEE machine's ciphertext must be the
        // bytes that went to the TPM. The record on the TPM is the value as the machines encrypt
        // it: its canonical encoding (impl/wire, 5 bytes more than the data)
        const data = encode(valueOf(callerEnv(), o.caller.data.name, `the ${this.binding.caller}`, forMessage));
        this.random.next(read(o.reads.nonceCaller));
        const w = await this.nv.write(data, this.session!);
        this.commands.push({ command: 'TPM2_NV_Write', forMessage, responseHmacVerified: w.responseHmacVerified });
        const same = valueEquals(bytesV(firstCommandParameter(this.recording.lastCommand, 2)), bytesV(read(o.reads.ciphertext)));
        if (!same) throw new BridgeFailure('tss-check', forMessage, null, "the TEE machine's NV_Write ciphertext is not the parameter the TSS encrypted for the TPM");
        if (!w.responseHmacVerified) throw new BridgeFailure('response-auth', forMessage, null, 'NV_Write response HMAC did not verify');
        if (this.recordsDone === 0) {
          this.fact('tpm', `TPM2_NV_Write in the session, decrypt attribute: the TPM decrypted the data (AES-128-CFB, KDFa(sKey, 'CFB', nonceCaller, nonceTPM)) and wrote it (every record alike)`);
          this.fact('tss', `the TEE machine's ${o.reads.ciphertext.name} equals the encrypted NV_Write parameter on the wire; the response HMAC verified (every record alike)`);
        }
        return { decided: { [o.decides.nonceTPM.name]: bytesV(this.session!.nonceTPM) }, patches: {} };
      }
      case 'TPM2_NV_Read': {
        // Part 3 §31.13, the data returned encrypted (encrypt, Part 1 §21.3); the TPM machine's copy
        // of the record takes what the TPM read
        const size = encode(valueOf(env, o.adopts.data.name, 'the TPM machine', forMessage)).length;
        this.random.next(read(o.reads.nonceCaller));
        const r = await this.nv.read(size, this.session!);
        this.commands.push({ command: 'TPM2_NV_Read', forMessage, responseHmacVerified: r.responseHmacVerified });
        if (!r.responseHmacVerified) throw new BridgeFailure('response-auth', forMessage, null, 'NV_Read response HMAC did not verify');
        const value = decode(r.data);
        if (value instanceof DecodeError) throw new BridgeFailure('tss-check', forMessage, null, `the record read back: ${value.message}`);
        this.lastUnseal = { real: firstResponseParameter(this.recording.lastResponse), data: r.data };
        return { decided: { [o.decides.nonceTPM.name]: bytesV(this.session!.nonceTPM) }, patches: { [o.adopts.data.name]: value } };
      }
    }
  }

  /** After the machine's transition: what the TSS checks of the values it computed. For TPM2_Unseal,
   * the machine's response key (kdfa(sKey, 'CFB', nonceTPM, nonceCaller)) decrypts the TPM's real
   * CFB ciphertext to the secret it unsealed. */
  afterTransition(o: Tpm2Operation, env: Env, forMessage: string): void {
    if (o.op === 'TPM2_NV_Read') {
      // the TPM machine's NV_Read ciphertext (its own KDFa/CFB over the data the TPM read) is the
      // TPM's encrypted response parameter
      const ok = valueEquals(bytesV(bytesOf(valueOf(env, o.checks.ciphertext.name, 'the TPM machine', forMessage))), bytesV(this.lastUnseal!.real));
      if (this.recordsDone++ === 0) this.fact('tss', `the TPM machine's ${o.checks.ciphertext.name} equals the TPM's encrypted NV_Read response parameter (every record alike)`, ok);
      if (!ok) throw new BridgeFailure('tss-check', forMessage, null, "the model's CFB encryption of the record is not the TPM's response");
      return;
    }
    if (o.op !== 'TPM2_Unseal') return;
    const kE = bytesOf(valueOf(env, o.checks.responseKey.name, 'the TPM machine', forMessage));
    const { real, data } = this.lastUnseal!;
    const ok = valueEquals(bytesV(this.suite.cfbDecrypt(kE.slice(0, 16), kE.slice(16, 32), real)), bytesV(data));
    this.fact('tss', `the machine's ${o.checks.responseKey.name} decrypts the TPM's real CFB ciphertext`, ok);
    if (!ok) throw new BridgeFailure('tss-check', forMessage, null, "the model's CFB key does not decrypt the TPM's response");
  }

  /** Flush what was loaded (swtpm holds 3 objects and 3 sessions without a resource manager). */
  async cleanUp(): Promise<void> {
    try {
      await this.nv.undefine();
    } catch {
      // the connection failed: the next run's define removes it
    }
    const sessionHandle = this.session?.open ? this.session.handle : this.session ? 0 : (this.sessionStart?.handle ?? 0);
    for (const hnd of [sessionHandle, this.sealed?.handle, this.ak?.handle, this.storageKey?.handle]) {
      if (!hnd) continue;
      try {
        await this.client.flush(hnd);
      } catch {
        // already gone (session closed by the TPM, or the connection failed): nothing to free
      }
    }
  }
}
