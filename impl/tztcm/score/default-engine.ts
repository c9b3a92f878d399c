/**
 * The project's TPM 2.0 engine, as the TEE side builds it (impl/tztcm/engine/, issue 15 part 1).
 * @module
 */
import type { EngineFactory } from './engine-spec.ts';

/** Until the engine lands: every command answers TPM_RC_COMMAND_CODE (TPM 2.0 Part 2 §6.6.3,
 * 0x143) with a TPM_ST_NO_SESSIONS header — a TPM that implements nothing, never an exception. */
export const defaultEngineFactory: EngineFactory = () => ({
  execute: () => Uint8Array.of(0x80, 0x01, 0, 0, 0, 10, 0, 0, 0x01, 0x43),
});
