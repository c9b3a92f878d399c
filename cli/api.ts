/**
 * The public API of tcv (`import … from 'tee-tpm-channel-verifier'`): the modelling vocabulary a
 * protocol file uses, and the interpreters that read it. Everything here is re-exported from the
 * layer that owns it; this module adds nothing of its own, so a protocol written against it is
 * exactly what the CLI verifies, runs and exports. See docs/protocol-files.md for worked examples.
 * @module
 */

// modelling: terms, steps, machines, protocols, variant edits, validation
export { type Term, type Var, type Sort, v, c, name, tup, pk, sign, verify, TRUE, h, hmac, senc, sdec, aenc, adec, kdfa, kdfe, G, exp, show } from '../models/terms.ts';
export { recv, fresh, let_, match, check, send, claim, store, type Step, type TransitionSpec } from '../models/steps.ts';
export { roleMachine, roleOf, type RoleDef, type RoleMachine } from '../models/role.ts';
export { type Protocol, type PropertyDecl, type VariantDecl, type RoleDecl, type LongTermDecl, agent, lt, expectedVerdict } from '../models/protocol.ts';
export { type Target, type BoundRequest, targetOf, resolveTarget, allTargets } from '../models/target.ts';
export * as edits from '../models/edits.ts';
export { protocolProblems, assertWellFormed, ModelError } from '../models/validate.ts';

// interpreters: the explorer, the real-crypto runtime, the attack replay, the exporters
export { verifyTarget, asExpected, type VerifyReport, type VerifyOptions, type PropertyReport } from '../properties/explorer/verify.ts';
export { honestRun, type RunReport } from '../impl/runtime/report.ts';
export { replayAttack, type ReplayResult } from '../properties/attack-replay.ts';
export { exportTamarin, type TamarinExport } from '../proofs-export/tamarin/theory.ts';
export { exportProverif, type ProverifExport } from '../proofs-export/proverif/model.ts';
