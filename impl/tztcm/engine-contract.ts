/**
 * The contracts between the parts of the TZTCM (seed 002): the TPM 2.0 command engine (the
 * trusted application's core), the s-core service that runs it (NUCAA, §2.1), and the secure
 * storage that keeps its state across restarts (§2.2). Each part is built against these types
 * only, so the engine runs in-process, in the s-core worker or behind the TDDL unchanged.
 * @module
 */

/**
 * A TPM 2.0 that takes one complete command frame and returns one complete response frame
 * (TPM 2.0 Part 1 §18: tag, size, code, then the body). `execute` never throws: malformed or
 * unsupported input is answered with the response code Part 3 gives (e.g. TPM_RC_COMMAND_CODE).
 */
export interface TpmEngine {
  execute(command: Uint8Array): Uint8Array;
}

/**
 * Where an engine keeps what must survive a restart (TPM 2.0 Part 1 §37 "NV memory": the primary
 * seeds, NV indices, persistent objects, the lockout counter, clock). `load` returns the last
 * saved image or undefined on first boot; `save` replaces it atomically (a power loss leaves the
 * old image or the new one). The engine owns the image's format; the store only keeps bytes.
 */
export interface PersistentStateStore {
  load(): Uint8Array | undefined;
  save(image: Uint8Array): void;
}
