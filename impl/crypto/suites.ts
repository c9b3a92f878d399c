/**
 * The crypto suites by name: `tpm2` (P-256, SHA-256, AES by noble; tpm2-p256.ts), `tcm` (SM2,
 * SM3, SM4; tcm-sm2.ts) and `native` (the tpm2 algorithms by Node's OpenSSL; native-p256.ts).
 * One place resolves a user's `--suite` word, so every interpreter and command accepts the
 * same names and refuses an unknown one with the same message.
 * @module
 */
import { nativeP256 } from './native-p256.ts';
import type { CryptoSuite } from './suite.ts';
import { tcmSm2 } from './tcm-sm2.ts';
import { tpm2P256 } from './tpm2-p256.ts';

/** Short suite ids in display order; the default first. */
export const SUITE_IDS = ['tpm2', 'tcm', 'native'] as const;
export type SuiteId = (typeof SUITE_IDS)[number];

export const SUITES: Readonly<Record<SuiteId, CryptoSuite>> = Object.freeze({ tpm2: tpm2P256, tcm: tcmSm2, native: nativeP256 });

/**
 * The suites of distinct algorithms (`tcv start` runs each protocol once per entry): `native`
 * computes exactly the bytes of `tpm2` (test/impl/crypto/native-differential.test.ts), so a row of
 * it would repeat tpm2's row with another time; `--suite native` selects it.
 */
export const ALGORITHM_SUITE_IDS: readonly SuiteId[] = ['tpm2', 'tcm'];

/** The suite named by its short id or its full name ('tpm2-p256', 'tcm-sm2', 'native-p256'); undefined if none. */
export function suiteByName(name: string): CryptoSuite | undefined {
  if ((SUITE_IDS as readonly string[]).includes(name)) return SUITES[name as SuiteId];
  return Object.values(SUITES).find((s) => s.name === name);
}

/** The short id of a suite (the inverse of {@link suiteByName}). */
export function suiteId(suite: CryptoSuite): SuiteId {
  const id = SUITE_IDS.find((i) => SUITES[i] === suite || SUITES[i].name === suite.name);
  if (id === undefined) throw new RangeError(`suiteId: unknown suite '${suite.name}'`);
  return id;
}
