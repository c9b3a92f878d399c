/**
 * The hash-based part of a crypto suite — hash, HMAC, TPM 2.0 KDFa and KDFe — for one hash
 * function: the suites (tpm2-p256.ts over noble's SHA-256, tcm-sm2.ts over SM3, native-p256.ts
 * over OpenSSL's SHA-256) are this plus their curve and cipher. Input checks at the boundary as
 * every suite method does (assert.ts).
 * @module
 */
import { abytes } from './assert.ts';
import type { CryptoSuite } from './suite.ts';
import { type KdfHash, kdfa, kdfe } from './tpm-kdf.ts';

export function hashMethods(h: KdfHash): Pick<CryptoSuite, 'hash' | 'hmac' | 'kdfa' | 'kdfe'> {
  return {
    hash(data: Uint8Array): Uint8Array {
      abytes(data, 'hash data');
      return h.hash(data);
    },
    hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
      abytes(key, 'hmac key', undefined, 'bad-key');
      abytes(data, 'hmac data');
      return h.hmac(key, data);
    },
    // TPM 2.0 Part 1 §11.4.10.2 (KDFa) and §11.4.10.3 (KDFe), over this suite's hash
    kdfa: (key, label, contextU, contextV, bits) => kdfa(h, key, label, contextU, contextV, bits),
    kdfe: (z, label, partyUInfo, partyVInfo, bits) => kdfe(h, z, label, partyUInfo, partyVInfo, bits),
  };
}
