/**
 * The code-offset fuzzy extractor (Dodis, Reyzin, Smith, "Fuzzy extractors", EUROCRYPT 2004 §5.1)
 * over the concatenated repetition × BCH code — seed 002 Fig. 3: DataKA = BCH(KeyS) ⊕ PUF at the
 * factory; KeyS = BCH⁻¹(DataKA ⊕ PUF') at every boot.
 *
 * The helper data is public (seed 002 §2.2.1: "DataKA needs no special protection"). It reveals
 * at most length − k = 3577 − 277 = 3300 bits about the PUF read, so with full-entropy PUF bits
 * 277 ≥ 256 bits of entropy remain for KeyS; biased cells shrink that margin (no entropy
 * accounting for bias is done here — docs/tztcm-storage.md).
 * @module
 */
import { ConcatenatedCode } from './fec/concatenated-code.ts';
import { FE_PARAMS } from './fec/fe-parameters.ts';

export type Rebuild = { readonly ok: true; readonly keyS: Uint8Array; readonly corrected: number } | { readonly ok: false; readonly reason: string };

/** The code of the chosen parameters, built once (the generator polynomial takes a few ms). */
let shared: ConcatenatedCode | undefined;
export function feCode(): ConcatenatedCode {
  return (shared ??= new ConcatenatedCode(FE_PARAMS.m, FE_PARAMS.t, FE_PARAMS.r));
}

/** PUF bits the extractor reads */
export const PUF_BITS = (): number => feCode().length;

export function bytesToBits(b: Uint8Array, nbits = b.length * 8): Uint8Array {
  const out = new Uint8Array(nbits);
  for (let i = 0; i < nbits; i++) out[i] = (b[i >> 3]! >> (7 - (i & 7))) & 1;
  return out;
}

export function bitsToBytes(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

function xorBits(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Gen: helper data (as bits) for KeyS (32 bytes) and a PUF read. */
export function feGenerate(keyS: Uint8Array, pufBits: Uint8Array): Uint8Array {
  const code = feCode();
  if (keyS.length * 8 !== FE_PARAMS.keyBits) throw new RangeError(`KeyS must be ${FE_PARAMS.keyBits / 8} bytes, got ${keyS.length}`);
  if (pufBits.length !== code.length) throw new RangeError(`the fuzzy extractor reads ${code.length} PUF bits, got ${pufBits.length}`);
  const message = new Uint8Array(code.k);
  message.set(bytesToBits(keyS), 0); // the remaining k − 256 bits stay zero (checked by Rep)
  return xorBits(code.encode(message), pufBits);
}

/** Rep: KeyS from the helper data and a fresh, noisy PUF read — or why not. */
export function feRebuild(helperBits: Uint8Array, pufBits: Uint8Array): Rebuild {
  const code = feCode();
  if (helperBits.length !== code.length) return { ok: false, reason: `helper data has ${helperBits.length} bits, expected ${code.length}` };
  if (pufBits.length !== code.length) return { ok: false, reason: `PUF read has ${pufBits.length} bits, expected ${code.length}` };
  const d = code.decode(xorBits(helperBits, pufBits));
  if (!d.ok) return { ok: false, reason: `BCH decoding failed: ${d.reason}` };
  for (let i = FE_PARAMS.keyBits; i < code.k; i++) {
    if (d.message[i]) return { ok: false, reason: 'BCH decoded to a word whose padding bits are not zero (a miscorrection)' };
  }
  return { ok: true, keyS: bitsToBytes(d.message.subarray(0, FE_PARAMS.keyBits)), corrected: d.corrected };
}
