/**
 * What `tcv export --all` exports: every built-in protocol and each of its variants, and the
 * classic corpus (models/catalog.ts) when that module exists. The classic corpus is loaded by
 * path at run time so that this file does not depend on it being there.
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Protocol } from '../models/protocol.ts';
import { PROTOCOLS } from '../models/protocols/index.ts';

export interface ExportTarget {
  readonly protocol: Protocol;
  readonly variant?: string;
}

function isProtocol(x: unknown): x is Protocol {
  const p = x as Protocol;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && Array.isArray(p.roles) && Array.isArray(p.properties) && Array.isArray(p.variants);
}

/** The protocols of models/catalog.ts (any exported protocol or array of protocols), if any. */
export async function classicProtocols(): Promise<Protocol[]> {
  const url = new URL('../models/catalog.ts', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return [];
  const mod = (await import(url.href)) as Record<string, unknown>;
  const found: Protocol[] = [];
  for (const key of Object.keys(mod).sort()) {
    const val = mod[key];
    for (const x of Array.isArray(val) ? val : [val]) if (isProtocol(x) && !found.some((f) => f.name === x.name)) found.push(x);
  }
  return found;
}

/** The protocols to export: the built-in ones, then classic ones not already among them. */
export async function exportCorpus(): Promise<Protocol[]> {
  const classic = await classicProtocols();
  return [...PROTOCOLS, ...classic.filter((c) => !PROTOCOLS.some((p) => p.name === c.name))];
}

/** Each protocol, then each of its variants. */
export function targetsOf(protocols: readonly Protocol[]): ExportTarget[] {
  return protocols.flatMap((p) => [{ protocol: p }, ...p.variants.map((v) => ({ protocol: p, variant: v.id }))]);
}
