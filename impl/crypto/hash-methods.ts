/**
 * The hash-based part of a crypto suite — hash, HMAC, TPM 2.0 KDFa and KDFe — for one hash
 * function: both suites (tpm2-p256.ts over SHA-256, tcm-sm2.ts over SM3) are this plus their
 * curve and cipher. Input checks at the boundary as every suite method does (assert.ts).
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { abytes } from './assert.ts';
import type { CryptoSuite } from './suite.ts';
import type { CHash } from '@noble/hashes/utils.js';
import { kdfHash, kdfa, kdfe } from './tpm-kdf.ts';

export function hashMethods(h: CHash): Pick<CryptoSuite, 'hash' | 'hmac' | 'kdfa' | 'kdfe'> {
  const kdf = kdfHash(h);
  return {
    hash(data: Uint8Array): Uint8Array {
      abytes(data, 'hash data');
      return h(data);
    },
    hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
      abytes(key, 'hmac key', undefined, 'bad-key');
      abytes(data, 'hmac data');
      return hmac(h, key, data);
    },
    // TPM 2.0 Part 1 §11.4.10.2 (KDFa) and §11.4.10.3 (KDFe), over this suite's hash
    kdfa: (key, label, contextU, contextV, bits) => kdfa(kdf, key, label, contextU, contextV, bits),
    kdfe: (z, label, partyUInfo, partyVInfo, bits) => kdfe(kdf, z, label, partyUInfo, partyVInfo, bits),
  };
}
