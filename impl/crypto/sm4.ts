/**
 * The SM4 block cipher (GB/T 32907-2016; GM/T 0002-2012; ISO/IEC 18033-3:2010/Amd 1:2021),
 * written to the standard: 128-bit key and block, 32 rounds of the unbalanced Feistel
 * structure of §7.1, key expansion of §7.3. The round transformation T = L ∘ τ (§6.2) is
 * evaluated through one 256-entry table of L(S(x) ≪ 24) and rotations, which is valid because
 * L is linear over XOR and commutes with rotation.
 *
 * Low-level: {@link sm4KeySchedule} and {@link sm4Block} work on 32-bit words; the modes
 * (`sm4-modes.ts`) call them. Inputs are checked there.
 * @module
 */
/** 32-bit left rotation, kept a signed 32-bit integer (V8 small integers). */
const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));

/** GB/T 32907-2016 §6.2 (a) S-box, row-major as printed in Table 1. */
// prettier-ignore
const SBOX = /* @__PURE__ */ Uint8Array.from([
  0xd6, 0x90, 0xe9, 0xfe, 0xcc, 0xe1, 0x3d, 0xb7, 0x16, 0xb6, 0x14, 0xc2, 0x28, 0xfb, 0x2c, 0x05,
  0x2b, 0x67, 0x9a, 0x76, 0x2a, 0xbe, 0x04, 0xc3, 0xaa, 0x44, 0x13, 0x26, 0x49, 0x86, 0x06, 0x99,
  0x9c, 0x42, 0x50, 0xf4, 0x91, 0xef, 0x98, 0x7a, 0x33, 0x54, 0x0b, 0x43, 0xed, 0xcf, 0xac, 0x62,
  0xe4, 0xb3, 0x1c, 0xa9, 0xc9, 0x08, 0xe8, 0x95, 0x80, 0xdf, 0x94, 0xfa, 0x75, 0x8f, 0x3f, 0xa6,
  0x47, 0x07, 0xa7, 0xfc, 0xf3, 0x73, 0x17, 0xba, 0x83, 0x59, 0x3c, 0x19, 0xe6, 0x85, 0x4f, 0xa8,
  0x68, 0x6b, 0x81, 0xb2, 0x71, 0x64, 0xda, 0x8b, 0xf8, 0xeb, 0x0f, 0x4b, 0x70, 0x56, 0x9d, 0x35,
  0x1e, 0x24, 0x0e, 0x5e, 0x63, 0x58, 0xd1, 0xa2, 0x25, 0x22, 0x7c, 0x3b, 0x01, 0x21, 0x78, 0x87,
  0xd4, 0x00, 0x46, 0x57, 0x9f, 0xd3, 0x27, 0x52, 0x4c, 0x36, 0x02, 0xe7, 0xa0, 0xc4, 0xc8, 0x9e,
  0xea, 0xbf, 0x8a, 0xd2, 0x40, 0xc7, 0x38, 0xb5, 0xa3, 0xf7, 0xf2, 0xce, 0xf9, 0x61, 0x15, 0xa1,
  0xe0, 0xae, 0x5d, 0xa4, 0x9b, 0x34, 0x1a, 0x55, 0xad, 0x93, 0x32, 0x30, 0xf5, 0x8c, 0xb1, 0xe3,
  0x1d, 0xf6, 0xe2, 0x2e, 0x82, 0x66, 0xca, 0x60, 0xc0, 0x29, 0x23, 0xab, 0x0d, 0x53, 0x4e, 0x6f,
  0xd5, 0xdb, 0x37, 0x45, 0xde, 0xfd, 0x8e, 0x2f, 0x03, 0xff, 0x6a, 0x72, 0x6d, 0x6c, 0x5b, 0x51,
  0x8d, 0x1b, 0xaf, 0x92, 0xbb, 0xdd, 0xbc, 0x7f, 0x11, 0xd9, 0x5c, 0x41, 0x1f, 0x10, 0x5a, 0xd8,
  0x0a, 0xc1, 0x31, 0x88, 0xa5, 0xcd, 0x7b, 0xbd, 0x2d, 0x74, 0xd0, 0x12, 0xb8, 0xe5, 0xb4, 0xb0,
  0x89, 0x69, 0x97, 0x4a, 0x0c, 0x96, 0x77, 0x7e, 0x65, 0xb9, 0xf1, 0x09, 0xc5, 0x6e, 0xc6, 0x84,
  0x18, 0xf0, 0x7d, 0xec, 0x3a, 0xdc, 0x4d, 0x20, 0x79, 0xee, 0x5f, 0x3e, 0xd7, 0xcb, 0x39, 0x48,
]);

/** §7.3 system parameter FK. */
const FK = [0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc] as const;

/** §7.3 fixed parameters CK_i: byte j of CK_i is (4i + j)·7 mod 256. */
const CK = /* @__PURE__ */ Uint32Array.from({ length: 32 }, (_, i) => {
  let w = 0;
  for (let j = 0; j < 4; j++) w = (w << 8) | (((4 * i + j) * 7) & 0xff);
  return w >>> 0;
});

/** τ: the S-box on each byte of a word (§6.2 (a)). */
function tau(a: number): number {
  return (
    (SBOX[a >>> 24]! << 24) | (SBOX[(a >>> 16) & 0xff]! << 16) | (SBOX[(a >>> 8) & 0xff]! << 8) | SBOX[a & 0xff]!
  );
}

/** §6.2 (b) linear transformation L of the round function. */
const L = (b: number) => b ^ rotl(b, 2) ^ rotl(b, 10) ^ rotl(b, 18) ^ rotl(b, 24);
/** §7.3 linear transformation L' of the key expansion. */
const L_KEY = (b: number) => b ^ rotl(b, 13) ^ rotl(b, 23);

/** T0[x] = L(S(x) ≪ 24); T(a) = T0[a₀] ⊕ (T0[a₁] ⋙ 8) ⊕ (T0[a₂] ⋙ 16) ⊕ (T0[a₃] ⋙ 24). */
const T0 = /* @__PURE__ */ Int32Array.from({ length: 256 }, (_, x) => L(SBOX[x]! << 24));

function roundT(a: number): number {
  return T0[a >>> 24]! ^ rotl(T0[(a >>> 16) & 0xff]!, 24) ^ rotl(T0[(a >>> 8) & 0xff]!, 16) ^ rotl(T0[a & 0xff]!, 8);
}

/** §7.3 key expansion: the 32 round keys rk_0..rk_31 of a 16-byte key. */
export function sm4KeySchedule(key: Uint8Array): Uint32Array {
  const v = new DataView(key.buffer, key.byteOffset, 16);
  let k0 = v.getUint32(0) ^ FK[0];
  let k1 = v.getUint32(4) ^ FK[1];
  let k2 = v.getUint32(8) ^ FK[2];
  let k3 = v.getUint32(12) ^ FK[3];
  const rk = new Uint32Array(32);
  for (let i = 0; i < 32; i++) {
    const k4 = k0 ^ L_KEY(tau(k1 ^ k2 ^ k3 ^ CK[i]!));
    rk[i] = k4;
    k0 = k1;
    k1 = k2;
    k2 = k3;
    k3 = k4;
  }
  return rk;
}

/** Round keys in reverse order: decryption is the same structure with rk_31..rk_0 (§7.2). */
export function sm4DecryptSchedule(rk: Uint32Array): Uint32Array {
  return rk.slice().reverse();
}

/**
 * One block (§7.1): 16 bytes of `src` at `si` to `dst` at `di` (may alias), under round keys
 * `rk` (the encryption schedule to encrypt, {@link sm4DecryptSchedule} to decrypt).
 */
export function sm4Block(rk: Uint32Array, src: Uint8Array, si: number, dst: Uint8Array, di: number): void {
  let x0 = (src[si]! << 24) | (src[si + 1]! << 16) | (src[si + 2]! << 8) | src[si + 3]!;
  let x1 = (src[si + 4]! << 24) | (src[si + 5]! << 16) | (src[si + 6]! << 8) | src[si + 7]!;
  let x2 = (src[si + 8]! << 24) | (src[si + 9]! << 16) | (src[si + 10]! << 8) | src[si + 11]!;
  let x3 = (src[si + 12]! << 24) | (src[si + 13]! << 16) | (src[si + 14]! << 8) | src[si + 15]!;
  for (let i = 0; i < 32; i += 4) {
    x0 ^= roundT(x1 ^ x2 ^ x3 ^ rk[i]!);
    x1 ^= roundT(x2 ^ x3 ^ x0 ^ rk[i + 1]!);
    x2 ^= roundT(x3 ^ x0 ^ x1 ^ rk[i + 2]!);
    x3 ^= roundT(x0 ^ x1 ^ x2 ^ rk[i + 3]!);
  }
  // §7.1 reverse transformation R: (X35, X34, X33, X32)
  for (const [w, o] of [
    [x3, 0],
    [x2, 4],
    [x1, 8],
    [x0, 12],
  ] as const) {
    dst[di + o] = w >>> 24;
    dst[di + o + 1] = w >>> 16;
    dst[di + o + 2] = w >>> 8;
    dst[di + o + 3] = w;
  }
}
