/**
 * Policy digests computed offline, as a policy author does before sealing (TPM 2.0 Part 1
 * §19.7.2; Part 3 §23): a policy starts as a zero digest and each assertion extends it. The TPM
 * computes the same values in a policy session; TPM2_PolicyGetDigest on a trial session lets a
 * test compare the two. H is the session's hash: SHA-256 by default, SM3 with the tcm suite.
 * @module
 */
import { tpm2P256, type CryptoSuite } from '../crypto/index.ts';
import { marshal } from './marshal-writer.ts';
import { writePcrSelection, type PcrSelection } from './pcr-selection.ts';
import { SHA256_SIZE, TPM_CC } from './spec-constants.ts';

/** The initial policyDigest of a SHA-256 policy session: 32 zero octets (Part 1 §19.7.2). */
export function emptyPolicy(): Uint8Array {
  return new Uint8Array(SHA256_SIZE);
}

/**
 * Part 3 §23.2.4 PolicyUpdate for TPM2_PolicySigned:
 *   d' = H(d || TPM_CC_PolicySigned || authObject.Name);  d'' = H(d' || policyRef)
 */
export function policySignedDigest(old: Uint8Array, authObjectName: Uint8Array, policyRef: Uint8Array = new Uint8Array(0), suite: CryptoSuite = tpm2P256): Uint8Array {
  const d1 = suite.hash(marshal((w) => w.bytes(old).u32(TPM_CC.PolicySigned).bytes(authObjectName)));
  return suite.hash(marshal((w) => w.bytes(d1).bytes(policyRef)));
}

/**
 * Part 3 §23.7 TPM2_PolicyPCR: d' = H(d || TPM_CC_PolicyPCR || pcrs || digestTPM), where
 * digestTPM = H(PCR values in selection order) (Part 3 §23.7.1).
 */
export function policyPcrDigest(old: Uint8Array, pcrs: PcrSelection, pcrValues: readonly Uint8Array[], suite: CryptoSuite = tpm2P256): Uint8Array {
  const digestTPM = pcrCompositeDigest(pcrValues, suite);
  return suite.hash(marshal((w) => {
    w.bytes(old).u32(TPM_CC.PolicyPCR);
    writePcrSelection(w, pcrs);
    w.bytes(digestTPM);
  }));
}

/** H(value_1 || … || value_n): the PCR composite digest of PolicyPCR and of a quote's pcrDigest. */
export function pcrCompositeDigest(pcrValues: readonly Uint8Array[], suite: CryptoSuite = tpm2P256): Uint8Array {
  return suite.hash(marshal((w) => pcrValues.forEach((v) => w.bytes(v))));
}

/**
 * Part 3 §23.3.1 TPM2_PolicySigned: the authorizing party signs
 *   aHash = H(nonceTPM || expiration || cpHashA || policyRef)
 * This returns the preimage; ECDSA in the crypto suite hashes it with SHA-256 itself.
 */
export function policySignedMessage(
  nonceTPM: Uint8Array,
  expiration: number,
  cpHashA: Uint8Array = new Uint8Array(0),
  policyRef: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return marshal((w) => w.bytes(nonceTPM).i32(expiration).bytes(cpHashA).bytes(policyRef));
}
