/**
 * SM3 (GB/T 32905-2016; GM/T 0004-2012; ISO/IEC 10118-3:2018), written to the standard on
 * noble's Merkle–Damgård core (`HashMD` from @noble/hashes/_md.js): 512-bit blocks, the same
 * big-endian length padding as SHA-256 (§5.2), so only the compression function (§5.3) and
 * the initial value (§4.1) are SM3's own. `sm3` is a noble-style hash: `sm3(msg)`,
 * `sm3.create().update(…).digest()`, `outputLen`/`blockLen`, usable with noble's `hmac`.
 * @module
 */
import { HashMD } from '@noble/hashes/_md.js';
import { clean, createHasher } from '@noble/hashes/utils.js';

/** GB/T 32905-2016 §4.1: IV = 7380166f 4914b2b9 172442d7 da8a0600 a96f30bc 163138aa e38dee4d b0fb0e4e. */
const SM3_IV = /* @__PURE__ */ Uint32Array.from([
  0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
]);

/** 32-bit left rotation, kept a signed 32-bit integer (V8 small integers; noble's rotl returns unsigned). */
const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));

/** §4.2 constants T_j, pre-rotated: T_j <<< (j mod 32) as used in SS1 (§5.3.3). */
const SM3_TJ = /* @__PURE__ */ Uint32Array.from({ length: 64 }, (_, j) => rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32));

/** §5.3.2 message expansion W_0..W_67 (W'_j = W_j ^ W_{j+4} is taken inline). */
const SM3_W = /* @__PURE__ */ new Uint32Array(68);

/** §4.4 permutation P0 (compression). */
const p0 = (x: number) => x ^ rotl(x, 9) ^ rotl(x, 17);
/** §4.4 permutation P1 (expansion). */
const p1 = (x: number) => x ^ rotl(x, 15) ^ rotl(x, 23);

/** The SM3 hash state; use {@link sm3}. */
export class _SM3 extends HashMD<_SM3> {
  protected A = 0;
  protected B = 0;
  protected C = 0;
  protected D = 0;
  protected E = 0;
  protected F = 0;
  protected G = 0;
  protected H = 0;

  constructor() {
    // §5.2 padding: 64-byte blocks, 32-byte digest, 8-byte big-endian bit length
    super(64, 32, 8, false);
    const iv = SM3_IV;
    this.set(iv[0]!, iv[1]!, iv[2]!, iv[3]!, iv[4]!, iv[5]!, iv[6]!, iv[7]!);
  }

  protected get(): [number, number, number, number, number, number, number, number] {
    const { A, B, C, D, E, F, G, H } = this;
    return [A, B, C, D, E, F, G, H];
  }

  // prettier-ignore
  protected set(A: number, B: number, C: number, D: number, E: number, F: number, G: number, H: number): void {
    this.A = A | 0; this.B = B | 0; this.C = C | 0; this.D = D | 0;
    this.E = E | 0; this.F = F | 0; this.G = G | 0; this.H = H | 0;
  }

  _cloneInto(to?: _SM3): _SM3 {
    (to ||= new _SM3()).set(...this.get());
    return this._cloneIntoMeta(to);
  }

  protected process(view: DataView, offset: number): void {
    const W = SM3_W;
    // §5.3.2 a), b): W_0..W_15 from the block, W_16..W_67 by the P1 recurrence
    for (let j = 0; j < 16; j++, offset += 4) W[j] = view.getUint32(offset, false);
    for (let j = 16; j < 68; j++) {
      W[j] = p1((W[j - 16]! ^ W[j - 9]! ^ rotl(W[j - 3]!, 15)) | 0) ^ rotl(W[j - 13]!, 7) ^ W[j - 6]!;
    }
    // §5.3.3 compression function CF(V_i, B_i)
    let { A, B, C, D, E, F, G, H } = this;
    for (let j = 0; j < 64; j++) {
      const a12 = rotl(A, 12);
      const ss1 = rotl((a12 + E + SM3_TJ[j]!) | 0, 7);
      const ss2 = ss1 ^ a12;
      const wj = W[j]!;
      // FF_j, GG_j of §4.3: XOR for j < 16, majority / choice for j ≥ 16
      const ff = j < 16 ? A ^ B ^ C : (A & B) | (A & C) | (B & C);
      const gg = j < 16 ? E ^ F ^ G : (E & F) | (~E & G);
      const tt1 = (ff + D + ss2 + (wj ^ W[j + 4]!)) | 0;
      const tt2 = (gg + H + ss1 + wj) | 0;
      D = C;
      C = rotl(B, 9);
      B = A;
      A = tt1;
      H = G;
      G = rotl(F, 19);
      F = E;
      E = p0(tt2);
    }
    // V_{i+1} = ABCDEFGH ⊕ V_i
    this.set(A ^ this.A, B ^ this.B, C ^ this.C, D ^ this.D, E ^ this.E, F ^ this.F, G ^ this.G, H ^ this.H);
  }

  protected roundClean(): void {
    clean(SM3_W);
  }

  destroy(): void {
    this.destroyed = true;
    this.set(0, 0, 0, 0, 0, 0, 0, 0);
    clean(this.buffer);
  }
}

/** SM3 of GB/T 32905-2016: 256-bit digest, 512-bit block. */
export const sm3 = /* @__PURE__ */ createHasher(() => new _SM3());
