/**
 * TPM 2.0 backend: speaks TPM 2.0 command bytes (Part 2/3 marshalling, Part 1 §19 sessions) to
 * a real TPM — swtpm over TCP today, a TCTI-style device transport later. The protocol runtime
 * uses {@link TpmSessionClient}; the lower layers are exported for tests and tools.
 * @module
 */
export { TpmSessionClient, type SaltedSession, type SealingPolicy, type UnsealResult } from './session-client.ts';
export { openSwtpmBackend, type SwtpmBackend, type SwtpmBackendOptions } from './swtpm-backend.ts';
export {
  SwtpmProcess,
  SwtpmNotFoundError,
  SwtpmStartError,
  SWTPM_INSTALL_HINT,
  findSwtpm,
  freeLoopbackPort,
  liveSwtpmCount,
  type SwtpmOptions,
} from './swtpm-process.ts';
export { TcpTpmTransport, type TcpTransportOptions } from './tcp-transport.ts';
export { TpmTransportError, type TpmTransport, type TpmTransportErrorKind } from './transport.ts';
export { TpmError, decodeResponseCode, type DecodedResponseCode } from './response-codes.ts';
export { TpmCommandExecutor, TpmResponseAuthError, type CommandResult, type CommandSpec, type SessionUse } from './command-executor.ts';
export { TpmMarshalError, TpmReader } from './marshal-reader.ts';
export { TpmWriter, marshal } from './marshal-writer.ts';
export { PASSWORD, TpmAuthSession, type Authorization, type SessionKind } from './auth-session.ts';
export { handleEntity, type TpmEntity } from './tpm-entity.ts';
export type { CreatedObject, LoadedObject, SensitiveCreate } from './commands-object.ts';
export type { AttestationResult } from './commands-attest.ts';
export type { PcrReadResult } from './commands-pcr.ts';
export type { RandomResult } from './commands-random.ts';
export { getAlgorithms, getEccCurves, TPM_CAP, type AlgProperty } from './commands-capability.ts';
export { loadSm2VerifyKey, sm2Point, sm2Sign, sm2SigningKeyTemplate, sm2VerifyInTpm } from './commands-sm2.ts';
export type { VerifiedTicket } from './commands-signature.ts';
export type { PolicySignedOptions, PolicySignedResult } from './commands-session.ts';
export { parseAttest, verifyAttestation, type AttestCheck, type TpmAttest } from './attest.ts';
export { certifiedKeyName, checkAttestedStatement, quoteStateDigest, type AttestedStatement, type StatementCheck } from './attested-statement.ts';
export { type EcdsaSignature } from './signature.ts';
export { type PcrSelection } from './pcr-selection.ts';
export { emptyPolicy, pcrCompositeDigest, policyPcrDigest, policySignedDigest, policySignedMessage } from './policy-digest.ts';
export { eccPoint, objectName, publicBytes, type TpmPublic } from './public-area.ts';
export * from './spec-constants.ts';
