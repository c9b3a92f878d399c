/**
 * The `--suite ID` flag every command that computes with real crypto shares: `tpm2` (P-256,
 * SHA-256, AES by noble; the default), `tcm` (SM2, SM3, SM4) or `native` (tpm2's algorithms by
 * Node's OpenSSL, docs/native-suite.md). An unknown id is a usage error naming
 * the accepted ones.
 * @module
 */
import { type CryptoSuite, SUITE_IDS, suiteByName, tpm2P256 } from '../impl/crypto/index.ts';
import { UsageError } from './command.ts';

/** One line for a command's --help. */
export const SUITE_HELP = `--suite ID    the crypto suite: tpm2 (P-256, SHA-256, AES; default), tcm (SM2, SM3, SM4)
                or native (tpm2's algorithms by Node's OpenSSL)`;

/** The suite named by `--suite`, the tpm2 suite when absent, or a UsageError. */
export function suiteFlag(value: string | undefined): CryptoSuite {
  if (value === undefined) return tpm2P256;
  const s = suiteByName(value);
  if (!s) throw new UsageError(`--suite takes ${SUITE_IDS.slice(0, -1).join(', ')} or ${SUITE_IDS.at(-1)}, got '${value}'`);
  return s;
}
