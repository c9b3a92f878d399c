/**
 * The project's TPM 2.0 engine (impl/tztcm/engine/, issue 15 part 1) as the TEE side builds it,
 * over the store the service was given.
 * @module
 */
import { createTztcmEngine } from '../engine/tztcm-engine.ts';
import type { EngineFactory } from './engine-spec.ts';

export const defaultEngineFactory: EngineFactory = (store) => createTztcmEngine(store ? { store } : {});
