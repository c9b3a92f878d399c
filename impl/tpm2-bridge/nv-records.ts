/**
 * The channel's records on a real TPM (models/parties/channel-records.ts): the NV index the TSS
 * defines for them at set-up, TPM2_NV_Write of the TEE's data with the session's `decrypt`
 * attribute and TPM2_NV_Read with `encrypt` (impl/tpm2/commands-nv.ts), and the checks that tie
 * the machines to the real bytes: the TEE machine's NV_Write ciphertext is the encrypted
 * parameter the TSS sent (the model's KDFa/CFB is the TPM's, Part 1 §21.2), and the TPM machine's
 * NV_Read ciphertext is the TPM's encrypted response parameter (§21.3).
 * @module
 */
import type { TpmAuthSession } from '../tpm2/auth-session.ts';
import type { TpmCommandExecutor } from '../tpm2/command-executor.ts';
import { nvBufferMax, nvDefine, type NvIndex, nvRead, nvUndefine, nvWrite } from '../tpm2/commands-nv.ts';
import { TpmReader } from '../tpm2/marshal-reader.ts';

/** The index the channel's records go to: an owner index handle (Part 2 §7.2, TPM_HT_NV_INDEX). */
export const CHANNEL_NV_INDEX = 0x01500c20;

/** The data octets of the first parameter (a TPM2B) of a TPM_ST_SESSIONS command with `handles`
 * handles (Part 1 §18.7: header, handles, authorizationSize, authorization area, parameters). */
export function firstCommandParameter(cmd: Uint8Array, handles: number): Uint8Array {
  const r = new TpmReader(cmd, 'recorded command');
  r.u16('tag');
  r.u32('size');
  r.u32('commandCode');
  for (let i = 0; i < handles; i++) r.u32('handle');
  const authSize = r.u32('authorizationSize');
  r.bytes(authSize, 'authorization area');
  return r.tpm2b('first parameter', 0xffff);
}

/** The data octets of the first parameter of a TPM_ST_SESSIONS response without handles. */
export function firstResponseParameter(rsp: Uint8Array): Uint8Array {
  const r = new TpmReader(rsp, 'recorded response');
  r.u16('tag');
  r.u32('size');
  r.u32('rc');
  r.u32('parameterSize');
  return r.tpm2b('first parameter', 0xffff);
}

export class NvRecords {
  private index: NvIndex | null = null;

  constructor(private readonly x: TpmCommandExecutor) {}

  /** TPM_PT_NV_BUFFER_MAX: the largest record one command carries. */
  bufferMax(): Promise<number> {
    return nvBufferMax(this.x);
  }

  /** Define the index (`size` bytes); an index left at the handle by an interrupted run goes first. */
  async define(size: number): Promise<void> {
    try {
      await nvUndefine(this.x, CHANNEL_NV_INDEX);
    } catch {
      // none there: the usual case
    }
    this.index = await nvDefine(this.x, CHANNEL_NV_INDEX, size);
  }

  write(data: Uint8Array, session: TpmAuthSession) {
    return nvWrite(this.x, this.index!, data, session);
  }

  read(size: number, session: TpmAuthSession) {
    return nvRead(this.x, this.index!, size, session);
  }

  get defined(): boolean {
    return this.index !== null;
  }

  async undefine(): Promise<void> {
    if (!this.index) return;
    this.index = null;
    await nvUndefine(this.x, CHANNEL_NV_INDEX);
  }
}
