/**
 * `tcv tztcm boot`: power the simulated TZTCM device up through the verified boot chain of seed
 * 002 §3.1 and show what each step found — the images verified, K_rpmb rebuilt from a fresh
 * noisy PUF read, the RPMB counter, the storage version, the boot measurements.
 * @module
 */
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, intFlag, parseFlags, UsageError } from '../command.ts';
import { powerUpDevice } from '../../impl/tztcm/boot/device.ts';
import { DEVICE_TAMPER } from '../../impl/tztcm/boot/tamper.ts';
import { nodeFs } from '../../impl/tztcm/storage/fs/storage-fs.ts';
import { DirLockedError, lockDir } from '../../impl/tztcm/storage/fs/dir-lock.ts';
import type { BootReport } from '../../impl/tztcm/boot/boot-rom.ts';

/** what --tamper can alter (in a temporary copy of the state) */
const TAMPER = DEVICE_TAMPER;

export const tztcmBootCommand: Command = {
  name: 'boot',
  summary: 'boot the TZTCM device: verified chain, K_rpmb from a noisy PUF read, RPMB counter',
  help: `usage: tcv tztcm boot [--state DIR] [--chip NAME] [--tamper WHAT] [--seed N]
                      [--temperature C] [--age YEARS] [--json]

Powers up the simulated TZTCM SoC (seed 002): the BootROM verifies the GRU image under the
manufacturer key in OTP, reads the SRAM PUF, rebuilds K_rpmb with GRU from the helper data,
verifies the secure-OS image, burns the PUF, checks K_rpmb against the RPMB with an
authenticated counter read and mounts the secure storage. Exit 0 when the chain completes,
1 when it stops (the step and reason are printed), 2 on a usage error.

  --state DIR      the device's state directory (REE files, helper data, RPMB image); an empty
                   or new directory is provisioned by the factory first. Without it, a fresh
                   device in a temporary directory, removed afterwards
  --chip NAME      the simulated chip (default chip-1); another chip cannot boot a device's files
  --tamper WHAT    alter one thing in a temporary copy of the state (DIR is left as it is):
                   ${Object.keys(TAMPER).join(', ')}
  --seed N         the noise seed of this power-up's PUF read (default: random)
  --temperature C  die temperature (default 25; raises the PUF error rate away from 25)
  --age YEARS      device age (default 0; raises the PUF error rate)
  --json           the boot report as JSON`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      state: { type: 'string' },
      chip: { type: 'string' },
      tamper: { type: 'string' },
      seed: { type: 'string' },
      temperature: { type: 'string' },
      age: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const tamper = values.tamper === undefined ? undefined : TAMPER[values.tamper];
    if (values.tamper !== undefined && !tamper) throw new UsageError(`--tamper wants one of ${Object.keys(TAMPER).join(', ')}, got '${values.tamper}'`);
    const chip = values.chip ?? 'chip-1';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(chip)) throw new UsageError(`--chip wants 1..64 characters of A-Z a-z 0-9 . _ -, got '${chip}'`);
    const temperatureC = numberFlag('temperature', values.temperature, 25, -60, 150);
    const ageYears = numberFlag('age', values.age, 0, 0, 50);
    const seed = values.seed === undefined ? undefined : String(intFlag('seed', values.seed, 0));
    if (values.state !== undefined && existsSync(values.state) && !statSync(values.state).isDirectory()) throw new UsageError(`--state: '${values.state}' is not a directory`);

    const temp: string[] = [];
    let release = () => {};
    try {
      let dir = values.state ?? mk(temp);
      try {
        nodeFs(dir); // creates it
        release = lockDir(dir).release;
      } catch (e) {
        if (e instanceof DirLockedError) throw new UsageError(e.message);
        const code = (e as NodeJS.ErrnoException).code;
        if (code) throw new UsageError(`--state: cannot use '${dir}' (${code})`);
        throw e;
      }
      if (tamper) {
        // provision the real directory first if it is new, so the tampered copy is a booted device's
        powerUpDevice(nodeFs(dir), { chip, noiseSeed: 'provision' });
        const copy = mk(temp);
        cpSync(dir, copy, { recursive: true });
        dir = copy;
        tamper.apply(nodeFs(dir));
      }
      const up = powerUpDevice(nodeFs(dir), { chip, ...(seed !== undefined && { noiseSeed: seed }), conditions: { temperatureC, ageYears } });
      const r = up.report;
      if (values.json) io.out(JSON.stringify(jsonReport(r, chip, values.state ?? null, up.provisioned, tamper?.what ?? null), null, 2));
      else printReport(io.out, r, chip, values.state, up.provisioned, tamper?.what);
      return r.ok ? 0 : 1;
    } finally {
      release();
      for (const d of temp) rmSync(d, { recursive: true, force: true });
    }
  },
};

function mk(temp: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'tcv-tztcm-'));
  temp.push(d);
  return d;
}

function numberFlag(name: string, v: string | undefined, dflt: number, lo: number, hi: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < lo || x > hi) throw new UsageError(`--${name} wants a number in ${lo}..${hi}, got '${v}'`);
  return x;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function jsonReport(r: BootReport, chip: string, state: string | null, provisioned: boolean, tampered: string | null) {
  return {
    ok: r.ok,
    chip,
    state,
    provisioned,
    tampered,
    reason: r.reason ?? null,
    steps: r.steps,
    measurements: r.measurements.map((m) => ({ pcr: m.pcr, image: m.image, version: m.version, sha256: hex(m.digest) })),
    puf: r.pufBits === undefined ? null : { bits: r.pufBits, bitErrors: r.pufBitErrors, bitErrorRate: +(r.pufBitErrors! / r.pufBits).toFixed(4), bchErrorsCorrected: r.pufErrorsCorrected ?? null },
    kRpmbFingerprint: r.kRpmbFingerprint ?? null,
    rpmbCounter: r.rpmbCounter ?? null,
    storageVersion: r.storageVersion ?? null,
    warnings: r.warnings,
  };
}

function printReport(out: (l: string) => void, r: BootReport, chip: string, state: string | undefined, provisioned: boolean, tampered: string | undefined): void {
  out(`TZTCM boot — chip ${chip}, ${state === undefined ? 'a fresh device (temporary directory)' : `state ${state}`}${provisioned ? ', provisioned by the factory now' : ''}`);
  if (tampered) out(`tampered (in a copy): ${tampered}`);
  for (const s of r.steps) out(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.step.padEnd(24)} ${s.detail}`);
  if (r.pufBits !== undefined) {
    const pct = ((100 * r.pufBitErrors!) / r.pufBits).toFixed(1);
    out(`PUF read: ${r.pufBits} bits, ${r.pufBitErrors} differ from the chip's reference (${pct} %)${r.pufErrorsCorrected !== undefined ? `; after majority voting BCH corrected ${r.pufErrorsCorrected} errors` : ''}`);
  }
  if (r.kRpmbFingerprint) out(`K_rpmb rebuilt: SHA-256(K_rpmb)[0..8] = ${r.kRpmbFingerprint} (the same in every boot of this device)`);
  if (r.rpmbCounter !== undefined) out(`RPMB write counter: ${r.rpmbCounter}${r.storageVersion !== undefined ? `; storage directory version ${r.storageVersion}` : ''}`);
  for (const m of r.measurements) out(`measurement PCR ${m.pcr}: ${m.image} v${m.version} sha256 ${hex(m.digest)}`);
  for (const w of r.warnings) out(`warning: ${w}`);
  out(r.ok ? 'boot chain complete' : `boot stopped — ${r.reason}`);
}
