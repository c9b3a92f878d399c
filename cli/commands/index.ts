/**
 * The `tcv` commands. Each is loaded only when it runs, so that a command does not pay for the
 * modules of the others (the explorer, the exporters, the crypto).
 * @module
 */
import type { Command } from '../command.ts';

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'list', summary: 'list protocols, parties, properties and variants', load: async () => (await import('./list.ts')).listCommand },
  { name: 'init', summary: 'write a starter protocol and its test into a directory', load: async () => (await import('./init.ts')).initCommand },
  { name: 'verify', summary: 'decide the security properties with the bounded Dolev–Yao explorer', load: async () => (await import('./verify.ts')).verifyCommand },
  { name: 'merge', summary: 'combine the JSON reports of verify shards into one verdict', load: async () => (await import('./merge.ts')).mergeCommand },
  { name: 'run', summary: 'run a protocol honestly with real cryptography', load: async () => (await import('./run.ts')).runCommand },
  { name: 'start', summary: 'the main job (npm start): real-crypto runs, then every verdict', load: async () => (await import('./start.ts')).startCommand },
  { name: 'attack', summary: 'replay a variant’s symbolic attack on the real implementation', load: async () => (await import('./attack.ts')).attackCommand },
  { name: 'diagram', summary: 'draw the party machines as state diagrams (SVG, DOT, Stately JSON)', load: async () => (await import('./diagram.ts')).diagramCommand },
  { name: 'report', summary: 'verify and write one self-contained HTML report with every diagram', load: async () => (await import('./report.ts')).reportCommand },
  { name: 'export', summary: 'export protocols as Tamarin theories (and ProVerif models)', load: async () => (await import('./export.ts')).exportCommand },
  { name: 'prove', summary: 'run a local Tamarin or ProVerif on exported files and compare with the expectations', load: async () => (await import('./prove.ts')).proveCommand },
  { name: 'tztcm', summary: 'the TZTCM: a TPM/TCM in the TrustZone TEE (serve, boot, …)', load: async () => (await import('./tztcm.ts')).tztcmCommand },
];
