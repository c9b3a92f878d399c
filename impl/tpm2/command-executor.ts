/**
 * Builds a TPM 2.0 command frame with its authorization area, sends it, and checks the response
 * (TPM 2.0 Part 1 §18 "Command/Response Structure", §19 "Authorizations and Acknowledgments"):
 * - command: tag || commandSize || commandCode || handles || [authorizationSize || TPMS_AUTH_COMMAND*]
 *   || parameters, with the first parameter CFB-encrypted when a session has `decrypt`;
 * - every HMAC/policy session gets a fresh nonceCaller and HMAC(sessionKey || authValue, cpHash ||
 *   nonceCaller || nonceTPM || attributes) (Part 1 §19.6.5);
 * - response: a non-zero responseCode becomes a TpmError; otherwise each TPMS_AUTH_RESPONSE HMAC
 *   is checked over rpHash (computed over the parameters as received, i.e. still encrypted,
 *   Part 1 §21.1) before the first parameter is decrypted; the session's nonceTPM rolls.
 * @module
 */
import { TssRefusal } from './tss-refusal.ts';
import { systemRandom, tpm2P256, type CryptoSuite, type RandomSource } from '../crypto/index.ts';
import type { Authorization, TpmAuthSession } from './auth-session.ts';
import { TpmMarshalError, TpmReader } from './marshal-reader.ts';
import { TpmWriter } from './marshal-writer.ts';
import { TpmError } from './response-codes.ts';
import { cfbParameterCrypt, concat, cpHash, rpHash, sessionHmac, stripTrailingZeros } from './session-crypto.ts';
import { SHA256_SIZE, TPMA_SESSION, TPM_ST, commandName } from './spec-constants.ts';
import type { TpmEntity } from './tpm-entity.ts';
import type { TpmTransport } from './transport.ts';

/** One entry of a command's authorization area. */
export interface SessionUse {
  readonly auth: Authorization;
  /** Keep the session open after this command (default true). */
  readonly continueSession?: boolean;
  /** TPMA_SESSION.encrypt: the TPM encrypts the first response parameter. */
  readonly encrypt?: boolean;
  /** TPMA_SESSION.decrypt: we encrypt the first command parameter. */
  readonly decrypt?: boolean;
}

export interface CommandSpec {
  readonly code: number;
  /** The handle area, in order. */
  readonly handles?: readonly TpmEntity[];
  /** `sessions[i]` authorizes `handles[i]` for i < authHandles; later sessions only encrypt/decrypt. */
  readonly authHandles?: number;
  readonly sessions?: readonly SessionUse[];
  /** Marshalled parameters (plaintext). */
  readonly params?: Uint8Array;
  /** How many handles precede the response parameters (e.g. 1 for Load). */
  readonly responseHandles?: number;
}

export interface CommandResult {
  readonly handles: readonly number[];
  /** Response parameters, first parameter decrypted if a session had `encrypt`. */
  readonly params: Uint8Array;
  /** Number of HMAC/policy sessions whose response HMAC was verified. */
  readonly verifiedSessions: number;
  /** Per session of the command, the nonces this exchange used (empty for a password session). */
  readonly nonces: readonly { readonly nonceCaller: Uint8Array; readonly nonceTPM: Uint8Array }[];
}

/** The response authorization area is missing, malformed, or an HMAC does not verify. */
export class TpmResponseAuthError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(`${command}: ${message}`);
    this.name = 'TpmResponseAuthError';
  }
}

/** TPM_RC_YIELDED, TPM_RC_TESTING, TPM_RC_RETRY (Part 2 §6.6.3 warnings). */
const RESEND_CODES = new Set([0x908, 0x90a, 0x922]);
const MAX_RESENDS = 5;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

/** The first parameter as a TPM2B: its data range inside `params`. */
function firstTpm2b(params: Uint8Array, what: string): { start: number; end: number } {
  if (params.length < 2) throw new TpmMarshalError(`${what}: no TPM2B first parameter to encrypt`);
  const size = ((params[0] as number) << 8) | (params[1] as number);
  if (2 + size > params.length) throw new TpmMarshalError(`${what}: first parameter size ${size} exceeds the parameters`);
  return { start: 2, end: 2 + size };
}

function cryptFirst(params: Uint8Array, keyMaterial: Uint8Array, newer: Uint8Array, older: Uint8Array, dir: 'encrypt' | 'decrypt', what: string, suite: CryptoSuite): Uint8Array {
  const { start, end } = firstTpm2b(params, what);
  const out = params.slice();
  out.set(cfbParameterCrypt(keyMaterial, newer, older, params.subarray(start, end), dir, suite), start);
  return out;
}

interface PreparedSession {
  readonly use: SessionUse;
  readonly entity: TpmEntity | null;
  readonly attributes: number;
  readonly nonceCaller: Uint8Array;
}

export class TpmCommandExecutor {
  constructor(
    readonly transport: TpmTransport,
    /** Source of nonceCaller values and session salts. */
    readonly random: RandomSource = systemRandom(),
    /** The sessions' algorithms: SHA-256 / AES-CFB (tpm2, default) or SM3 / SM4-CFB (tcm, a TCM 2.0's). */
    readonly suite: CryptoSuite = tpm2P256,
  ) {}

  /** The HMAC key (Part 1 §19.6.5): sessionKey, plus the entity's authValue when it is included. */
  private static hmacKey(s: TpmAuthSession, entity: TpmEntity | null): Uint8Array {
    // an unbound HMAC session always includes the authValue; a policy session only after
    // PolicyAuthValue (isAuthValueNeeded); a session with no associated entity never
    const include = entity !== null && (s.kind === 'hmac' || s.authValueNeeded);
    return include ? concat(s.sessionKey, stripTrailingZeros(entity.authValue ?? new Uint8Array(0))) : s.sessionKey;
  }

  /** Parameter-encryption key material (Part 1 §21.1): sessionKey || authValue of the authorized entity. */
  private static cryptKey(s: TpmAuthSession, entity: TpmEntity | null): Uint8Array {
    return entity === null ? s.sessionKey : concat(s.sessionKey, stripTrailingZeros(entity.authValue ?? new Uint8Array(0)));
  }

  async run(spec: CommandSpec): Promise<CommandResult> {
    const what = commandName(spec.code);
    const handles = spec.handles ?? [];
    const uses = spec.sessions ?? [];
    const authHandles = spec.authHandles ?? 0;
    if (uses.length < authHandles) throw new TssRefusal(`${what}: ${authHandles} handles need authorization, ${uses.length} sessions given`);

    const prepared: PreparedSession[] = uses.map((use, i) => {
      const a = use.auth;
      if (a.kind !== 'password') {
        if (!a.open) throw new TssRefusal(`${what}: session 0x${a.handle.toString(16)} is closed`);
        if ((use.encrypt || use.decrypt) && !a.cfb) throw new TssRefusal(`${what}: session has no symmetric algorithm for parameter encryption`);
      } else if (use.encrypt || use.decrypt) {
        throw new TssRefusal(`${what}: a password session cannot encrypt parameters (Part 1 §19.8.4)`);
      }
      const attributes =
        (use.continueSession === false ? 0 : TPMA_SESSION.continueSession) |
        (use.encrypt ? TPMA_SESSION.encrypt : 0) |
        (use.decrypt ? TPMA_SESSION.decrypt : 0);
      return {
        use,
        entity: i < authHandles ? (handles[i] ?? null) : null,
        attributes,
        nonceCaller: a.kind === 'password' ? new Uint8Array(0) : this.random.bytes(SHA256_SIZE),
      };
    });

    // Part 1 §21.2: command parameter encryption happens before cpHash is computed
    let params = spec.params ?? new Uint8Array(0);
    const dec = prepared.find((p) => p.use.decrypt);
    if (dec && dec.use.auth.kind !== 'password') {
      const s = dec.use.auth;
      params = cryptFirst(params, TpmCommandExecutor.cryptKey(s, dec.entity), dec.nonceCaller, s.nonceTPM, 'encrypt', what, this.suite);
    }

    const cp = cpHash(spec.code, handles.map((h) => h.name), params, this.suite);
    const w = new TpmWriter();
    w.u16(prepared.length > 0 ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS).u32(0).u32(spec.code);
    for (const h of handles) w.u32(h.handle);
    if (prepared.length > 0) {
      const auth = new TpmWriter();
      for (const p of prepared) {
        const a = p.use.auth;
        // TPMS_AUTH_COMMAND (Part 2 §10.13.2): sessionHandle, nonce, sessionAttributes, hmac
        auth.u32(a.handle).tpm2b(p.nonceCaller).u8(p.attributes);
        if (a.kind === 'password') auth.tpm2b(p.entity?.authValue ?? new Uint8Array(0));
        else auth.tpm2b(sessionHmac(TpmCommandExecutor.hmacKey(a, p.entity), cp, p.nonceCaller, a.nonceTPM, p.attributes, this.suite));
      }
      const area = auth.finish();
      w.u32(area.length).bytes(area);
    }
    w.bytes(params);
    return this.exchange(spec, what, patchSize(w.finish()), prepared);
  }

  private async exchange(spec: CommandSpec, what: string, frame: Uint8Array, prepared: PreparedSession[]): Promise<CommandResult> {
    let response: Uint8Array;
    let tag: number;
    let r: TpmReader;
    for (let attempt = 1; ; attempt++) {
      response = await this.transport.send(frame);
      r = new TpmReader(response, `${what} response`);
      tag = r.u16('tag');
      const size = r.u32('responseSize');
      const rc = r.u32('responseCode');
      if (size !== response.length) throw new TpmMarshalError(`${what} response: responseSize ${size} but ${response.length} bytes`);
      if (rc === 0) break;
      // Part 2 §6.6.3: TPM_RC_RETRY / TPM_RC_YIELDED / TPM_RC_TESTING ask the caller to resend the
      // same command (libtpms answers RETRY to the first DA-relevant authorization after startup);
      // the TPM has not used our nonces, so resending the identical frame is sound
      if (RESEND_CODES.has(rc) && attempt < MAX_RESENDS) continue;
      throw new TpmError(spec.code, rc);
    }
    const handles: number[] = [];
    for (let i = 0; i < (spec.responseHandles ?? 0); i++) handles.push(r.u32('handle'));

    if (prepared.length === 0) {
      if (tag !== TPM_ST.NO_SESSIONS) throw new TpmResponseAuthError(what, 'sessions tag on a command sent without sessions');
      return { handles, params: r.rest(), verifiedSessions: 0, nonces: [] };
    }
    // Part 1 §18.10: a successful command with sessions answers TPM_ST_SESSIONS and parameterSize
    if (tag !== TPM_ST.SESSIONS) throw new TpmResponseAuthError(what, 'response has no authorization area (tag TPM_ST_NO_SESSIONS)');
    let params = r.bytes(r.u32('parameterSize'), 'parameters');
    const rp = rpHash(spec.code, params, this.suite);
    let verified = 0;
    const nonces: { nonceCaller: Uint8Array; nonceTPM: Uint8Array }[] = [];
    for (const p of prepared) {
      // TPMS_AUTH_RESPONSE (Part 2 §10.13.3): nonce, sessionAttributes, hmac
      const nonceTPM = r.tpm2b('nonceTPM', 64);
      const attributes = r.u8('sessionAttributes');
      const hmac = r.tpm2b('hmac', 64);
      const a = p.use.auth;
      nonces.push({ nonceCaller: p.nonceCaller, nonceTPM });
      if (a.kind === 'password') {
        if (nonceTPM.length !== 0 || hmac.length !== 0) throw new TpmResponseAuthError(what, 'password session answered with a nonce or HMAC');
        continue;
      }
      // the TPM echoes our attributes; accepting others would let a forger flip continueSession/encrypt
      if ((attributes & ~TPMA_SESSION.auditExclusive) !== p.attributes) throw new TpmResponseAuthError(what, `session attributes changed to 0x${attributes.toString(16)}`);
      const expected = sessionHmac(TpmCommandExecutor.hmacKey(a, p.entity), rp, nonceTPM, p.nonceCaller, attributes, this.suite);
      if (!equalBytes(hmac, expected)) {
        // we can no longer tell which nonceTPM the TPM holds: the session is unusable (flush it)
        a.open = false;
        throw new TpmResponseAuthError(what, `response HMAC of session 0x${a.handle.toString(16)} does not verify`);
      }
      if (nonceTPM.length < 16) throw new TpmResponseAuthError(what, 'nonceTPM shorter than 16 bytes');
      a.nonceTPM = nonceTPM;
      if (!(p.attributes & TPMA_SESSION.continueSession)) a.open = false;
      verified++;
    }
    r.end();
    const enc = prepared.find((p) => p.use.encrypt);
    if (enc && enc.use.auth.kind !== 'password') {
      const s = enc.use.auth;
      params = cryptFirst(params, TpmCommandExecutor.cryptKey(s, enc.entity), s.nonceTPM, enc.nonceCaller, 'decrypt', what, this.suite);
    }
    return { handles, params, verifiedSessions: verified, nonces };
  }
}

/** Write commandSize (bytes 2..5) once the frame is complete. */
function patchSize(frame: Uint8Array): Uint8Array {
  new DataView(frame.buffer, frame.byteOffset, frame.length).setUint32(2, frame.length, false);
  return frame;
}

