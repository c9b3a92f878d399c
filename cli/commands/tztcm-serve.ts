/**
 * `tcv tztcm serve`: the TZTCM as a TPM that TSS stacks and tpm2-tools reach over loopback TCP
 * (the Microsoft simulator protocol of tpm2-tss's mssim TCTI, or swtpm's raw framing with
 * --raw). Every command goes TDDL → protocol-4 MAC under K_uuid → GP call → s-core → engine.
 * Runs until SIGINT or SIGTERM, then closes every connection and stops the s-core.
 * @module
 */
import { statSync } from 'node:fs';
import { type Command, intFlag, parseFlags, UsageError } from '../command.ts';
import { suiteFlag } from '../suite-flag.ts';
import { EXIT } from '../exit-codes.ts';
import { suiteId } from '../../impl/crypto/index.ts';
import { ListenError, startTpmServer } from '../../impl/tztcm/net/tpm-server.ts';
import { rebootingTransmit, startTztcmService } from '../../impl/tztcm/service.ts';
import { DirLockedError } from '../../impl/tztcm/storage/fs/dir-lock.ts';

const HELP = `usage: tcv tztcm serve [--port P] [--state DIR] [--sync] [--raw] [--suite ID]

The TZTCM (seed 002) as a TPM 2.0 on 127.0.0.1: the TDDL end of the UUID-keyed session
(protocol 4) as a TCP server. Loopback only.

  --port P      command port (default 2321); the platform port is P+1 (mssim)
  --state DIR   the TZTCM device in DIR: booted through the verified chain (provisioned on first
                use), the TPM's NV state (seeds, NV indices, persistent objects, lockout
                counters) in its secure storage (default: a device in memory, gone on exit).
                One server per DIR
  --sync        the passive service: the engine on the serving thread (default: the s-core worker)
  --raw         swtpm's raw framing on the command port instead of the simulator protocol
  --suite ID    tpm2 (TPM mode: P-256, SHA-1/256/384/512, AES, RSA; default) or tcm (TCM mode: TPM_ALG_SM2,
                TPM_ALG_SM3_256, TPM_ALG_SM4 on TPM_ECC_SM2_P256 only; docs/tztcm-engine.md)

  tpm2_startup -c -T mssim:host=127.0.0.1,port=2321
  tpm2_getrandom -T mssim:host=127.0.0.1,port=2321 16 | xxd

Stops on SIGINT / SIGTERM. Exit 1 when DIR is served by another process or the device's
boot stops; 2 on a usage error or when the port is in use.`;

export const tztcmServeCommand: Command = {
  name: 'serve',
  summary: 'serve the TZTCM as a TPM on loopback (mssim / swtpm raw protocol)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { port: { type: 'string' }, state: { type: 'string' }, sync: { type: 'boolean' }, raw: { type: 'boolean' }, suite: { type: 'string' } });
    const suite = suiteId(suiteFlag(values.suite));
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const port = intFlag('port', values.port, 2321);
    if (port < 1 || port > (values.raw ? 65535 : 65534)) throw new UsageError(`--port must be 1..${values.raw ? 65535 : 65534} (the platform port is P+1), got ${port}`);
    const stateDir = values.state;
    if (stateDir !== undefined) {
      let st;
      try {
        st = statSync(stateDir);
      } catch {
        st = undefined;
      }
      if (st && !st.isDirectory()) throw new UsageError(`--state ${stateDir} exists and is not a directory`);
    }
    let service;
    try {
      service = await startTztcmService({ mode: values.sync ? 'sync' : 'async', stateDir, engine: { suite } });
    } catch (e) {
      // another server on the directory, or the device's verified boot stopped: one line
      if (e instanceof DirLockedError || /did not start|TZTCM boot stopped/.test((e as Error).message)) {
        io.err(`tcv tztcm serve: ${(e as Error).message}`);
        return 1;
      }
      throw e;
    }
    const transmit = rebootingTransmit(service, (why) => io.err(`tcv tztcm serve: ${why}; restarting the s-core`));
    let server;
    try {
      server = await startTpmServer({ port, raw: values.raw, transmit, onEvent: (w) => process.env['TCV_DEBUG'] && io.err(`tztcm serve: ${w}`) });
    } catch (e) {
      await service.stop();
      // the environment, not a run that differs: exit 2 as the exit-code table says
      if (e instanceof ListenError) {
        io.err(`tcv tztcm serve: ${e.message}`);
        return EXIT.usage;
      }
      throw e;
    }
    const where = values.raw ? `127.0.0.1:${server.port} (swtpm raw framing)` : `127.0.0.1:${server.port} (mssim; platform port ${server.platformPort})`;
    io.out(`tcv tztcm serve: listening on ${where}; ${values.sync ? 'passive service' : 's-core worker'}; ${suite === 'tcm' ? 'TCM mode (SM2/SM3/SM4)' : 'TPM mode'}; state ${stateDir ?? 'in memory'}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await service.stop();
    io.out('tcv tztcm serve: stopped');
    return 0;
  },
};
