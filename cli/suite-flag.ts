/**
 * The `--suite ID` flag every command that computes with real crypto shares: `tpm2` (P-256,
 * SHA-256, AES; the default) or `tcm` (SM2, SM3, SM4). An unknown id is a usage error naming
 * the accepted ones.
 * @module
 */
import { type CryptoSuite, SUITE_IDS, suiteByName, tpm2P256 } from '../impl/crypto/index.ts';
import { UsageError } from './command.ts';

/** One line for a command's --help. */
export const SUITE_HELP = `--suite ID    the crypto suite: tpm2 (P-256, SHA-256, AES; default) or tcm (SM2, SM3, SM4)`;

/** The suite named by `--suite`, the tpm2 suite when absent, or a UsageError. */
export function suiteFlag(value: string | undefined): CryptoSuite {
  if (value === undefined) return tpm2P256;
  const s = suiteByName(value);
  if (!s) throw new UsageError(`--suite takes ${SUITE_IDS.join(' or ')}, got '${value}'`);
  return s;
}
