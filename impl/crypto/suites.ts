/**
 * The crypto suites by name: `tpm2` (P-256, SHA-256, AES; tpm2-p256.ts) and `tcm` (SM2, SM3,
 * SM4; tcm-sm2.ts). One place resolves a user's `--suite` word, so every interpreter and
 * command accepts the same names and refuses an unknown one with the same message.
 * @module
 */
import type { CryptoSuite } from './suite.ts';
import { tcmSm2 } from './tcm-sm2.ts';
import { tpm2P256 } from './tpm2-p256.ts';

/** Short suite ids in display order; the default first. */
export const SUITE_IDS = ['tpm2', 'tcm'] as const;
export type SuiteId = (typeof SUITE_IDS)[number];

export const SUITES: Readonly<Record<SuiteId, CryptoSuite>> = Object.freeze({ tpm2: tpm2P256, tcm: tcmSm2 });

/** The suite named by its short id or its full name ('tpm2-p256', 'tcm-sm2'); undefined if none. */
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
