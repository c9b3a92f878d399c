/**
 * The dispatcher table: command code → the command's handle/session/parameter layout and its
 * handler (one file per command family). A code not in this table is TPM_RC_COMMAND_CODE.
 * @module
 */
import type { CommandDef } from './command-def.ts';
import { certify, quote } from './commands-attest.ts';
import { getCapability } from './commands-capability.ts';
import { hash } from './commands-hash.ts';
import { contextLoad, contextSave, evictControl, flushContext } from './commands-context.ts';
import { create, createPrimary, load, loadExternal, readPublicCmd, unseal } from './commands-object.ts';
import { clear, dictionaryAttackLockReset, dictionaryAttackParameters, hierarchyChangeAuth } from './commands-hierarchy.ts';
import { nvDefineSpace, nvRead, nvReadPublic, nvUndefineSpace, nvWrite } from './commands-nv.ts';
import { pcrExtend, pcrRead, pcrReset } from './commands-pcr.ts';
import { policyAuthValue, policyCommandCode, policyGetDigest, policyPassword, policyPCR, policyRestart, policySigned } from './commands-policy.ts';
import { getRandom, stirRandom } from './commands-random.ts';
import { startAuthSession } from './commands-session.ts';
import { sign, verifySignature } from './commands-signature.ts';
import { getTestResult, selfTest, shutdown, startup } from './commands-startup.ts';

export const ALL_COMMANDS: readonly CommandDef[] = [
  startup, shutdown, selfTest, getTestResult,
  getRandom, stirRandom,
  pcrRead, pcrExtend, pcrReset,
  createPrimary, create, load, loadExternal, readPublicCmd, unseal,
  flushContext, contextSave, contextLoad, evictControl,
  startAuthSession,
  policySigned, policyPCR, policyAuthValue, policyPassword, policyCommandCode, policyGetDigest, policyRestart,
  certify, quote,
  sign, verifySignature, hash,
  nvDefineSpace, nvUndefineSpace, nvWrite, nvRead, nvReadPublic,
  hierarchyChangeAuth, clear, dictionaryAttackLockReset, dictionaryAttackParameters,
  getCapability(() => ALL_COMMANDS),
];

export const COMMANDS: ReadonlyMap<number, CommandDef> = new Map(ALL_COMMANDS.map((d) => [d.code, d]));
