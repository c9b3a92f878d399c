/**
 * An object the engine holds (TPM 2.0 Part 1 §23–§27): its public area and Name, the sensitive
 * part that never leaves the engine in clear (private key, sealed data, HMAC/AES key), its
 * authValue, the seedValue that protects its children when it is a storage parent (Part 1
 * §27.2: the symmetric and integrity keys of a child's private area derive from it), and the
 * hierarchy it belongs to.
 * @module
 */
import { marshal } from '../../tpm2/marshal-writer.ts';
import { objectName, publicBytes, type TpmPublic } from '../../tpm2/public-area.ts';
import { hashById } from '../../tpm2/hash-algorithms.ts';
import { TPMA_OBJECT } from '../../tpm2/spec-constants.ts';
import type { Hierarchy } from './state.ts';

export interface EngineObject {
  readonly public: TpmPublic;
  /** canonical TPMT_PUBLIC bytes (what the Name hashes) */
  readonly publicArea: Uint8Array;
  readonly name: Uint8Array;
  /** Part 1 §16.6 qualified Name: H(parent's QN || Name) with nameAlg prefix */
  readonly qualifiedName: Uint8Array;
  readonly hierarchy: Hierarchy;
  authValue: Uint8Array;
  /** ECC: the 32-byte scalar; RSA: the PKCS#8 DER private key; KEYEDHASH: the data or HMAC key;
   * SYMCIPHER: the AES key; empty for a public-only object */
  readonly sensitive: Uint8Array;
  /** seedValue of a storage parent (Part 1 §27.2) or the obfuscation value of a KEYEDHASH */
  readonly seedValue: Uint8Array;
  /** loaded with TPM2_LoadExternal without a sensitive part */
  readonly publicOnly: boolean;
  /** created by TPM2_CreatePrimary (a primary's parent is its hierarchy) */
  readonly primary: boolean;
  /** the persistent handle when it came from NV (TPM2_EvictControl), else 0 */
  persistentHandle: number;
}

export const hasAttr = (o: { public: TpmPublic }, bit: number): boolean => (o.public.objectAttributes & bit) !== 0;

/** A restricted decrypt key: a storage parent (Part 1 §27.1). */
export const isStorageParent = (o: EngineObject): boolean =>
  hasAttr(o, TPMA_OBJECT.restricted) && hasAttr(o, TPMA_OBJECT.decrypt) && !hasAttr(o, TPMA_OBJECT.sign) && !o.publicOnly;

/** The Name and qualified Name of `pub` under a parent whose qualified Name is `parentQN`. */
export function namesOf(pub: TpmPublic, parentQN: Uint8Array): { name: Uint8Array; qualifiedName: Uint8Array; publicArea: Uint8Array } {
  const name = objectName(pub);
  const qualifiedName = marshal((w) => w.u16(pub.nameAlg).bytes(hashById(pub.nameAlg)!(marshal((x) => x.bytes(parentQN).bytes(name)))));
  return { name, qualifiedName, publicArea: publicBytes(pub) };
}

/** The qualified Name of a hierarchy: its handle (Part 1 §16.6). */
export function hierarchyQN(handle: number): Uint8Array {
  return marshal((w) => w.u32(handle));
}
