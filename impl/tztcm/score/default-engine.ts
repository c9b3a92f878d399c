/**
 * The project's TPM 2.0 engine (impl/tztcm/engine/, issue 15 part 1) as the TEE side builds it,
 * over the store the service was given, in TPM mode (the tpm2 suite, the default) or TCM mode
 * (the tcm suite: SM2/SM3/SM4, impl/tztcm/engine/algorithms.ts).
 * @module
 */
import { SUITES, type SuiteId } from '../../crypto/index.ts';
import { createTztcmEngine } from '../engine/tztcm-engine.ts';
import type { EngineFactory } from './engine-spec.ts';

export function engineFactoryFor(suite: SuiteId = 'tpm2'): EngineFactory {
  return (store) => createTztcmEngine({ ...(store ? { store } : {}), suite: SUITES[suite] });
}

export const defaultEngineFactory: EngineFactory = engineFactoryFor('tpm2');
