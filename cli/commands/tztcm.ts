/**
 * `tcv tztcm <subcommand>`: the TZTCM of seed 002 — a TPM/TCM running as a trusted application in
 * a TrustZone TEE. Each subcommand lives in its own module under tztcm/ and is loaded only when
 * it runs.
 * @module
 */
import { type Command, UsageError } from '../command.ts';

interface Subcommand {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** Subcommands register here (one line each). */
const SUBCOMMANDS: readonly Subcommand[] = [
  { name: 'serve', summary: '[--port P] [--state DIR] [--sync] [--raw]: the TZTCM as a TPM on loopback (mssim / swtpm raw)', load: async () => (await import('./tztcm-serve.ts')).tztcmServeCommand },
  { name: 'monitor', summary: 'watch a running host: periodic measurement, attacks, interventions', load: async () => (await import('./tztcm-monitor.ts')).tztcmMonitorCommand },
  { name: 'boot', summary: 'boot the device: verified chain, K_rpmb from a noisy PUF read, RPMB counter', load: async () => (await import('./tztcm-boot.ts')).tztcmBootCommand },
];

function help(): string {
  const lines = SUBCOMMANDS.map((s) => `  ${s.name.padEnd(10)} ${s.summary}`);
  return `usage: tcv tztcm <subcommand> [flags]   (tcv tztcm <subcommand> --help)

The TZTCM (seed 002): a TPM 2.0 / TCM running as a trusted application in the TEE.

${lines.length ? lines.join('\n') : '  (no subcommands yet)'}`;
}

export const tztcmCommand: Command = {
  name: 'tztcm',
  summary: 'the TZTCM: a TPM/TCM in the TrustZone TEE (serve, boot, …)',
  get help() {
    return help();
  },
  async helpFor(args) {
    const sub = SUBCOMMANDS.find((s) => s.name === args[0]);
    return sub ? (await sub.load()).help : help();
  },
  async run(args, io) {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h') {
      io.out(help());
      return name === undefined ? 2 : 0;
    }
    const sub = SUBCOMMANDS.find((s) => s.name === name);
    if (!sub) throw new UsageError(`unknown tztcm subcommand '${name}' (known: ${SUBCOMMANDS.map((s) => s.name).join(', ') || 'none'})`);
    return (await sub.load()).run(rest, io);
  },
};
