/**
 * The two engines that run a local role instance, behind one interface: `compiled`
 * (compiled-machine.ts: the machine's definition compiled once into plain step functions, the
 * default) and `xstate` (local-role.ts: an XState actor of the machine, the reference). Both read
 * the same machine object of models/; the run (session.ts) and the party endpoints that keep a
 * local copy of their role's machine (impl/tpm2-bridge's TSS endpoint) pick one with the run's
 * `engine` option. An endpoint backed by something real stays the one other way to play a role.
 * @module
 */
import type { RoleDecl } from '../../models/protocol.ts';
import type { RoleEvent } from '../../models/role.ts';
import type { Value } from '../wire/value.ts';
import type { EvalDeps } from './evaluate.ts';
import { CompiledRole } from './compiled-machine.ts';
import { type ConcreteContext, LocalRole } from './local-role.ts';

export type RoleEngine = 'compiled' | 'xstate';
export const ROLE_ENGINES: readonly RoleEngine[] = ['compiled', 'xstate'];
export const DEFAULT_ENGINE: RoleEngine = 'compiled';

/** What a real party decided for the transition an event triggers. */
export interface EventOverlay {
  /** environment values replaced before the transition runs */
  readonly patches?: Readonly<Record<string, Value>>;
  readonly override?: EvalDeps['override'];
  /** consulted before the run's own verifier */
  readonly verifier?: EvalDeps['verifier'];
}

/** A local role instance, whichever engine runs it. */
export interface RoleInstance {
  /** deliver an event (START, or a message), with what a real party decided for it */
  send(event: RoleEvent, overlay?: EventOverlay): void;
  readonly context: ConcreteContext;
  /** the machine state it is in ('done', 'failed' once it stopped there) */
  readonly state: string;
  /** can it still take events */
  readonly active: boolean;
  stop(): void;
}

/** A local instance of `decl`'s machine with initial environment `env`, run by `engine`. */
export function localRole(decl: RoleDecl, env: Readonly<Record<string, Value>>, deps: () => EvalDeps, engine: RoleEngine = DEFAULT_ENGINE): RoleInstance {
  return engine === 'xstate' ? new LocalRole(decl, env, deps) : new CompiledRole(decl, env, deps);
}
