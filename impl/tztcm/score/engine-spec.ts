/**
 * Which TPM engine the TEE side runs, as data that can cross into the s-core worker (a worker
 * cannot be handed a function): the project's engine by default, or — for tests and the
 * benchmark — the named export of a module, a factory `(store) => TpmEngine`. A module spec
 * needs the TypeScript loader when it names a .ts file (not available in the bundle, where only
 * the default engine is built in).
 * @module
 */
import type { SuiteId } from '../../crypto/index.ts';
import type { PersistentStateStore, TpmEngine } from '../engine-contract.ts';

export type EngineFactory = (store: PersistentStateStore | undefined) => TpmEngine;

export interface EngineSpec {
  /** a file: URL of an ES module; absent: the project's engine */
  readonly module?: string;
  /** the factory's export name (default `createEngine`) */
  readonly export?: string;
  /** the project's engine only: its algorithms, 'tpm2' (TPM mode, default) or 'tcm' (TCM mode) */
  readonly suite?: SuiteId;
}

/** The factory a spec names; throws a one-line Error when the module or export is missing. */
export async function resolveEngine(spec: EngineSpec | undefined): Promise<EngineFactory> {
  if (!spec?.module) return (await import('./default-engine.ts')).engineFactoryFor(spec?.suite);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec.module)) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`cannot load the engine module ${spec.module}: ${(e as Error).message.split('\n')[0]}`);
  }
  const name = spec.export ?? 'createEngine';
  const f = mod[name];
  if (typeof f !== 'function') throw new Error(`the engine module ${spec.module} has no function export '${name}'`);
  return f as EngineFactory;
}
