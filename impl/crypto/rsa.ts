/**
 * RSA for the TZTCM engine (RSA-2048: TPM2_Create/CreatePrimary keys, TPM2_Sign and
 * TPM2_VerifySignature with RSASSA-PKCS1-v1_5 and RSASSA-PSS, RFC 8017 §8.1/§8.2). noble has no
 * RSA, so the RSA primitive itself (m^d mod n, s^e mod n) is Node's built-in OpenSSL
 * (`node:crypto` privateEncrypt / publicDecrypt without padding); the encodings EMSA-PKCS1-v1_5
 * (RFC 8017 §9.2) and EMSA-PSS (§9.1) are done here because a TPM signs a digest it is given,
 * which Node's sign/verify (they hash the message themselves) cannot take. Key generation draws
 * the primes from a byte stream (FIPS 186-5 §A.1.3 style: random odd candidates with the top two
 * bits set, a small-prime sieve, Miller–Rabin through OpenSSL's checkPrime), so a TPM primary key can be derived from its
 * seed and comes out the same after a restart.
 * @module
 */
import { checkPrimeSync, constants, createPrivateKey, createPublicKey, privateDecrypt, privateEncrypt, publicDecrypt, type KeyObject } from 'node:crypto';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';

export interface RsaKey {
  /** modulus, big-endian, bits/8 octets */
  readonly n: Uint8Array;
  /** the first prime: with n (and e = 65537) it determines the key (TPM 2.0 Part 2 §11.2.4.5) */
  readonly p: Uint8Array;
}

export const RSA_DEFAULT_EXPONENT = 65537n;

const toBig = (b: Uint8Array): bigint => {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
};
const toBytes = (x: bigint, len: number): Uint8Array => {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
};
const b64u = (x: bigint, len?: number) => {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const b = Buffer.from(hex, 'hex');
  return (len && b.length < len ? Buffer.concat([Buffer.alloc(len - b.length), b]) : b).toString('base64url');
};

function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('rsa: not invertible');
  return ((s0 % m) + m) % m;
}

const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = [];
  for (let i = 3; out.length < 400; i += 2) if (out.every((p) => i % Number(p) !== 0)) out.push(BigInt(i));
  return out;
})();

function primeFromStream(bits: number, next: (n: number) => Uint8Array): bigint {
  const bytes = bits / 8;
  const primes = SMALL_PRIMES.map(Number);
  for (;;) {
    const c = next(bytes);
    c[0] = (c[0] as number) | 0xc0; // top two bits: p·q has exactly 2·bits bits
    c[bytes - 1] = (c[bytes - 1] as number) | 1;
    const x0 = toBig(c);
    // incremental search x0, x0+2, … (FIPS 186-5 §B.3.6 style) with the residues mod the small
    // primes kept as numbers, so only survivors of the sieve reach the Miller–Rabin test
    const res = primes.map((p) => Number(x0 % BigInt(p)));
    const e1 = Number((x0 - 1n) % RSA_DEFAULT_EXPONENT);
    for (let step = 0; step < 4096; step += 2) {
      const ok = res.every((r, i) => (r + step) % primes[i]! !== 0) && (e1 + step) % 65537 !== 0;
      if (!ok) continue;
      const x = x0 + BigInt(step);
      if (x >> BigInt(bits) !== 0n) break;
      // OpenSSL's Miller–Rabin (BN_check_prime); FIPS 186-5 Table B.1 asks 5 rounds for the
      // 1024-bit primes of a 2048-bit key (error < 2^-100), we ask 8. The order of candidates is
      // the stream's, so the same stream gives the same prime.
      if (checkPrimeSync(x, { checks: 8 })) return x;
    }
  }
}

/** A `bits`-bit key (2048) whose primes come from `next(n)` (n fresh octets per call). */
export function rsaKeyFromStream(bits: number, next: (n: number) => Uint8Array): RsaKey {
  if (bits !== 2048 && bits !== 1024) throw new RangeError(`rsa: ${bits}-bit keys are not supported`);
  for (;;) {
    const p = primeFromStream(bits / 2, next);
    const q = primeFromStream(bits / 2, next);
    if (p === q) continue;
    return { n: toBytes(p * q, bits / 8), p: toBytes(p, bits / 16) };
  }
}

/** The private key object for OpenSSL, rebuilt from n and p (q = n/p, d = e^-1 mod λ). */
export function rsaPrivateKey(n: Uint8Array, p: Uint8Array, e: bigint = RSA_DEFAULT_EXPONENT): KeyObject {
  const N = toBig(n);
  const P = toBig(p);
  if (P <= 1n || N % P !== 0n) throw new RangeError('rsa: p does not divide n');
  const Q = N / P;
  const phi = (P - 1n) * (Q - 1n);
  const d = modInv(e, phi);
  const jwk = { kty: 'RSA', n: b64u(N), e: b64u(e), d: b64u(d), p: b64u(P), q: b64u(Q), dp: b64u(d % (P - 1n)), dq: b64u(d % (Q - 1n)), qi: b64u(modInv(Q, P)) };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

export function rsaPublicKey(n: Uint8Array, e: bigint = RSA_DEFAULT_EXPONENT): KeyObject {
  return createPublicKey({ key: { kty: 'RSA', n: b64u(toBig(n)), e: b64u(e) }, format: 'jwk' });
}

type Hash = { (m: Uint8Array): Uint8Array; outputLen: number };
/** RFC 8017 §9.2 note 1: the DER DigestInfo prefixes. */
const HASHES: Record<number, { h: Hash; prefix: string }> = {
  0x0004: { h: sha1, prefix: '3021300906052b0e03021a05000414' },
  0x000b: { h: sha256, prefix: '3031300d060960864801650304020105000420' },
  0x000c: { h: sha384, prefix: '3041300d060960864801650304020205000430' },
  0x000d: { h: sha512, prefix: '3051300d060960864801650304020305000440' },
};

function emsaPkcs1(digest: Uint8Array, hashAlg: number, k: number): Uint8Array {
  const hh = HASHES[hashAlg];
  if (!hh || digest.length !== hh.h.outputLen) throw new RangeError('rsa: digest does not fit the hash');
  const t = Buffer.concat([Buffer.from(hh.prefix, 'hex'), digest]);
  if (k < t.length + 11) throw new RangeError('rsa: key too short');
  return Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - t.length - 3, 0xff), Buffer.from([0]), t]);
}

function mgf1(h: Hash, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let c = 0, off = 0; off < len; c++) {
    const cb = Uint8Array.of(c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff);
    const block = h(Buffer.concat([seed, cb]));
    out.set(block.subarray(0, Math.min(block.length, len - off)), off);
    off += block.length;
  }
  return out;
}

/** RFC 8017 §9.1.1 EMSA-PSS-ENCODE of an already computed digest, salt of the hash's length. */
function emsaPss(digest: Uint8Array, hashAlg: number, modBits: number, salt: Uint8Array): Uint8Array {
  const hh = HASHES[hashAlg];
  if (!hh || digest.length !== hh.h.outputLen) throw new RangeError('rsa: digest does not fit the hash');
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = hh.h.outputLen;
  const H = hh.h(Buffer.concat([Buffer.alloc(8), digest, salt]));
  const db = Buffer.concat([Buffer.alloc(emLen - salt.length - hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(hh.h, H, emLen - hLen - 1);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([db, H, Buffer.from([0xbc])]);
  return emLen < modBits / 8 ? Buffer.concat([Buffer.alloc(1), em]) : em;
}

/** RFC 8017 §9.1.2 EMSA-PSS-VERIFY with any salt length. */
function pssVerify(em: Uint8Array, digest: Uint8Array, hashAlg: number, modBits: number): boolean {
  const hh = HASHES[hashAlg];
  if (!hh || digest.length !== hh.h.outputLen) return false;
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const e = em.length > emLen ? em.subarray(em.length - emLen) : em;
  if (em.length > emLen && em[0] !== 0) return false;
  const hLen = hh.h.outputLen;
  if (e[emLen - 1] !== 0xbc || emLen < hLen + 2) return false;
  const db = Uint8Array.from(e.subarray(0, emLen - hLen - 1));
  const H = e.subarray(emLen - hLen - 1, emLen - 1);
  const mask = mgf1(hh.h, H, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  const one = db.indexOf(1);
  if (one < 0 || db.subarray(0, one).some((b) => b !== 0)) return false;
  const salt = db.subarray(one + 1);
  const H2 = hh.h(Buffer.concat([Buffer.alloc(8), digest, salt]));
  return Buffer.from(H2).equals(Buffer.from(H));
}

export type RsaScheme = 'rsassa' | 'rsapss';

/** Sign `digest` (of `hashAlg`, a TPM_ALG_ID) with the key (n, p). */
export function rsaSignDigest(n: Uint8Array, p: Uint8Array, scheme: RsaScheme, hashAlg: number, digest: Uint8Array, salt: () => Uint8Array): Uint8Array {
  const key = rsaPrivateKey(n, p);
  const k = n.length;
  const em = scheme === 'rsassa' ? emsaPkcs1(digest, hashAlg, k) : emsaPss(digest, hashAlg, k * 8, salt());
  return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em));
}

/** Verify; false (never throws) for a malformed signature or key. */
export function rsaVerifyDigest(n: Uint8Array, scheme: RsaScheme, hashAlg: number, digest: Uint8Array, sig: Uint8Array, e: bigint = RSA_DEFAULT_EXPONENT): boolean {
  try {
    if (sig.length !== n.length || toBig(sig) >= toBig(n)) return false;
    const em = new Uint8Array(publicDecrypt({ key: rsaPublicKey(n, e), padding: constants.RSA_NO_PADDING }, sig));
    if (scheme === 'rsassa') return Buffer.from(em).equals(Buffer.from(emsaPkcs1(digest, hashAlg, n.length)));
    return pssVerify(em, digest, hashAlg, n.length * 8);
  } catch {
    return false;
  }
}

/** The hash length of a TPM_ALG_ID this file knows, else undefined. */
export const rsaHashLen = (alg: number): number | undefined => HASHES[alg]?.h.outputLen;

/** RSAES-OAEP decryption (RFC 8017 §7.1.2) with `label` (TPM 2.0 Part 1 Annex B.4: the label
 * includes its terminating NUL), SHA-256 or SHA-1; null (never throws) when it does not decrypt. */
export function rsaOaepDecrypt(n: Uint8Array, p: Uint8Array, hashAlg: number, label: Uint8Array, ciphertext: Uint8Array): Uint8Array | null {
  try {
    const oaepHash = hashAlg === 0x0004 ? 'sha1' : hashAlg === 0x000b ? 'sha256' : null;
    if (!oaepHash || ciphertext.length !== n.length) return null;
    return new Uint8Array(privateDecrypt({ key: rsaPrivateKey(n, p), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash, oaepLabel: label }, ciphertext));
  } catch {
    return null;
  }
}
