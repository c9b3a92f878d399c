/**
 * TPM2_GetCapability (TPM 2.0 Part 3 §30.2) for the two lists that say which algorithm suites a
 * TPM can run: TPM_CAP_ALGS (the TPMS_ALG_PROPERTY list, Part 2 §10.8) and TPM_CAP_ECC_CURVES
 * (the TPML_ECC_CURVE list, §10.9.8). Reads until `moreData` is NO. Used to find out whether a
 * TPM (swtpm/libtpms, a hardware TPM) implements the TCM algorithms TPM_ALG_SM2, SM3_256, SM4
 * and the curve TPM_ECC_SM2_P256.
 * @module
 */
import type { TpmCommandExecutor } from './command-executor.ts';
import { TpmReader } from './marshal-reader.ts';
import { marshal } from './marshal-writer.ts';
import { TPM_CC } from './spec-constants.ts';

/** TPM 2.0 Part 2 §6.13 TPM_CAP. */
export const TPM_CAP = Object.freeze({ ALGS: 0x00000000, ECC_CURVES: 0x00000008 });

/** One entry of TPM_CAP_ALGS: the algorithm id and its TPMA_ALGORITHM bits (Part 2 §8.2). */
export interface AlgProperty {
  readonly alg: number;
  readonly attributes: number;
}

async function capabilityPages<T>(x: TpmCommandExecutor, cap: number, item: (r: TpmReader) => T, next: (last: T) => number): Promise<T[]> {
  const out: T[] = [];
  let property = 0;
  for (let page = 0; page < 64; page++) {
    const res = await x.run({ code: TPM_CC.GetCapability, params: marshal((w) => w.u32(cap).u32(property).u32(256)) });
    const r = new TpmReader(res.params, 'TPM2_GetCapability response');
    const more = r.u8('moreData');
    const got = r.u32('capability');
    if (got !== cap) throw new RangeError(`TPM2_GetCapability: asked for capability ${cap}, the TPM answered ${got}`);
    const n = r.u32('count');
    const items: T[] = [];
    for (let i = 0; i < n; i++) items.push(item(r));
    r.end();
    out.push(...items);
    if (!more || items.length === 0) break;
    property = next(items[items.length - 1]!) + 1;
  }
  return out;
}

/** Every algorithm the TPM implements (TPM_CAP_ALGS). */
export function getAlgorithms(x: TpmCommandExecutor): Promise<AlgProperty[]> {
  return capabilityPages(x, TPM_CAP.ALGS, (r) => ({ alg: r.u16('alg'), attributes: r.u32('algProperties') }), (a) => a.alg);
}

/** Every ECC curve the TPM implements (TPM_CAP_ECC_CURVES). */
export function getEccCurves(x: TpmCommandExecutor): Promise<number[]> {
  return capabilityPages(x, TPM_CAP.ECC_CURVES, (r) => r.u16('curve'), (c) => c);
}
