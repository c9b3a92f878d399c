/**
 * A crypto suite with every function call passed through `around` (the benches record the calls
 * or time them); non-function members are kept. One wrapper for the benches that measure what a
 * run spends in its suite (framework-overhead, kx-plain-tss).
 * @module
 */
import type { CryptoSuite } from '../impl/crypto/index.ts';

export function wrapSuite(suite: CryptoSuite, around: (method: keyof CryptoSuite, args: unknown[], call: () => unknown) => unknown): CryptoSuite {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(suite)) {
    out[k] = typeof v !== 'function' ? v : (...args: unknown[]) => around(k as keyof CryptoSuite, args, () => (v as (...a: unknown[]) => unknown).apply(suite, args));
  }
  return out as unknown as CryptoSuite;
}

/** `around` that adds each call's time to `add`. */
export const timing =
  (add: (ms: number) => void) =>
  (_m: keyof CryptoSuite, _a: unknown[], call: () => unknown): unknown => {
    const t0 = performance.now();
    try {
      return call();
    } finally {
      add(performance.now() - t0);
    }
  };
