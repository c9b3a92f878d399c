/**
 * Low-level TPM pieces the TSS bridge needs beyond TpmSessionClient, built from the impl/tpm2
 * building blocks without changing them:
 * - TPM2_StartAuthSession with a caller-supplied encryptedSalt and nonceCaller (TPM 2.0 Part 3
 *   §11.1): the salt's ephemeral key E and nC come from the TEE machine, so the TSS forwards them
 *   instead of generating its own (as `startSaltedSession` does);
 * - a RandomSource whose next values can be scripted: the executor draws each command's
 *   nonceCaller from it (Part 1 §19.6.2), so the TEE's nC1 / nC3 become the real nonceCaller;
 * - a transport that records every frame and lets tests tamper with commands and responses.
 * @module
 */
import { TssRefusal } from '../tpm2/tss-refusal.ts';
import { systemRandom, type RandomSource } from '../crypto/index.ts';
import { TpmAuthSession } from '../tpm2/auth-session.ts';
import type { TpmCommandExecutor } from '../tpm2/command-executor.ts';
import { TpmReader } from '../tpm2/marshal-reader.ts';
import { marshal } from '../tpm2/marshal-writer.ts';
import { SHA256_SIZE, TPM_ALG, TPM_CC, TPM_RH, TPM_SE } from '../tpm2/spec-constants.ts';
import { handleEntity } from '../tpm2/tpm-entity.ts';
import type { TpmTransport } from '../tpm2/transport.ts';

/** Random bytes, except that queued values are handed out first (each must fit the request). */
export class ScriptedRandom implements RandomSource {
  private readonly queue: Uint8Array[] = [];
  constructor(private readonly fallback: RandomSource = systemRandom()) {}

  /** The next `bytes(n)` returns `b` (the executor's next nonceCaller). */
  next(b: Uint8Array): void {
    this.queue.push(b);
  }

  bytes(n: number): Uint8Array {
    const b = this.queue.shift();
    if (!b) return this.fallback.bytes(n);
    if (b.length !== n) throw new TssRefusal(`scripted random value has ${b.length} bytes, ${n} requested`);
    return b;
  }
}

/** A transport that keeps the last command and response and may rewrite responses (tests). */
export class RecordingTransport implements TpmTransport {
  lastCommand: Uint8Array = new Uint8Array(0);
  lastResponse: Uint8Array = new Uint8Array(0);
  /** TEST ONLY: rewrite a response before the executor sees it (a network attacker on the TPM link). */
  rewriteResponse: ((cmd: Uint8Array, rsp: Uint8Array) => Uint8Array) | null = null;
  /** TEST ONLY: rewrite a command before the TPM sees it. */
  rewriteCommand: ((cmd: Uint8Array) => Uint8Array) | null = null;

  constructor(private readonly inner: TpmTransport) {}

  async send(command: Uint8Array): Promise<Uint8Array> {
    if (this.rewriteCommand) command = this.rewriteCommand(command);
    this.lastCommand = command;
    const rsp = await this.inner.send(command);
    this.lastResponse = rsp;
    return this.rewriteResponse ? this.rewriteResponse(command, rsp) : rsp;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * TPM2_StartAuthSession (Part 3 §11.1) of a policy session, unbound, salted with `tpmKey`:
 * encryptedSalt is the TPMS_ECC_POINT of the caller's ephemeral key E (Part 1 Annex C.6.1,
 * TPM2B_ENCRYPTED_SECRET), the executor's suite's symmetric (AES-128-CFB / SM4-CFB) and authHash
 * (SHA-256 / SM3_256). The TPM computes
 * salt = KDFe(Z.x, "SECRET", E.x, Q.x) with its private key and sessionKey = KDFa(salt, "ATH",
 * nonceTPM, nonceCaller) (Part 1 §19.6.8); the session key is not known here — the caller
 * supplies it when building the TpmAuthSession (see {@link sessionFor}).
 */
export async function startSessionWithSalt(
  x: TpmCommandExecutor,
  tpmKeyHandle: number,
  ephemeral: Uint8Array,
  nonceCaller: Uint8Array,
): Promise<{ handle: number; nonceTPM: Uint8Array }> {
  if (ephemeral.length !== 65 || ephemeral[0] !== 4) throw new TssRefusal('E must be an uncompressed 256-bit curve point');
  if (nonceCaller.length < 16 || nonceCaller.length > SHA256_SIZE) throw new TssRefusal('nonceCaller must be 16..32 bytes (Part 3 §11.1)');
  const encryptedSalt = marshal((w) => w.tpm2b(ephemeral.subarray(1, 33)).tpm2b(ephemeral.subarray(33, 65)));
  const res = await x.run({
    code: TPM_CC.StartAuthSession,
    handles: [handleEntity(tpmKeyHandle), handleEntity(TPM_RH.NULL)],
    params: marshal((w) => {
      w.tpm2b(nonceCaller).tpm2b(encryptedSalt).u8(TPM_SE.POLICY);
      w.u16(x.suite.algorithms.tpm.symAlg).u16(128).u16(TPM_ALG.CFB); // TPMT_SYM_DEF (Part 2 §11.1.6)
      w.u16(x.suite.algorithms.tpm.hashAlg);
    }),
    responseHandles: 1,
  });
  const r = new TpmReader(res.params, 'TPM2_StartAuthSession response');
  const nonceTPM = r.tpm2b('nonceTPM', 64);
  r.end();
  return { handle: res.handles[0] as number, nonceTPM };
}

/** The client-side state of the policy session, with the session key the TEE derived. */
export function sessionFor(handle: number, sessionKey: Uint8Array, nonceTPM: Uint8Array, nonceCaller: Uint8Array): TpmAuthSession {
  return new TpmAuthSession('policy', handle, sessionKey, nonceTPM, nonceCaller, true, true);
}

/**
 * The still-encrypted first response parameter of a TPM_ST_SESSIONS response (Part 1 §18.10:
 * header, handles, parameterSize, parameters; the first is a TPM2B).
 */
export function encryptedFirstParameter(rsp: Uint8Array, responseHandles = 0): Uint8Array {
  const r = new TpmReader(rsp, 'recorded response');
  r.u16('tag');
  r.u32('size');
  r.u32('rc');
  for (let i = 0; i < responseHandles; i++) r.u32('handle');
  r.u32('parameterSize');
  return r.tpm2b('first parameter', 1024);
}
