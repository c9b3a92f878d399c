/**
 * The dispatcher table: command code → the command's handle/session/parameter layout and its
 * handler (one file per command family). A code not in this table is TPM_RC_COMMAND_CODE.
 * @module
 */
import type { CommandDef } from './command-def.ts';
import { getRandom, stirRandom } from './commands-random.ts';
import { getTestResult, selfTest, shutdown, startup } from './commands-startup.ts';

const ALL: readonly CommandDef[] = [startup, shutdown, selfTest, getTestResult, getRandom, stirRandom];

export const COMMANDS: ReadonlyMap<number, CommandDef> = new Map(ALL.map((d) => [d.code, d]));
