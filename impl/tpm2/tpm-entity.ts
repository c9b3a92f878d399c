/**
 * What a command's handle area refers to: the handle, its Name (which cpHash covers, TPM 2.0
 * Part 1 §16 / §18.7) and, when the caller knows it, its authValue (used by password and HMAC
 * authorizations and by parameter-encryption keys).
 * @module
 */
import { marshal } from './marshal-writer.ts';

export interface TpmEntity {
  readonly handle: number;
  /** Part 1 §16: an object's Name is nameAlg || H(public); any other handle's Name is the handle. */
  readonly name: Uint8Array;
  /** The entity's authValue (empty if none). */
  readonly authValue?: Uint8Array;
}

/** A permanent handle, PCR, NV-less session or hierarchy: its Name is its 4-byte handle. */
export function handleEntity(handle: number, authValue?: Uint8Array): TpmEntity {
  const name = marshal((w) => w.u32(handle));
  return authValue === undefined ? { handle, name } : { handle, name, authValue };
}
