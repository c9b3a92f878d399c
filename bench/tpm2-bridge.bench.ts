/**
 * End-to-end attestation, key-exchange and provisioning: the other parties' machines against a
 * real swtpm through the TSS bridge vs against our own TPM machine (honestRun), measured in one
 * run, interleaved, with medians and their ratio. The swtpm rows connect to one already running swtpm (as
 * `--tpm-port`); one row also includes starting and stopping swtpm (`--tpm swtpm`).
 * Writes bench/results/tpm2-bridge.json; skips (exit 0, no file) when swtpm is not installed.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { protocolByName } from '../models/protocols/index.ts';
import { honestRun } from '../impl/runtime/report.ts';
import { runWithSwtpm } from '../impl/tpm2-bridge/run.ts';
import { findSwtpm, SwtpmProcess, SWTPM_INSTALL_HINT } from '../impl/tpm2/index.ts';
import { targetOf } from '../models/target.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 21);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(samples: number[], f: () => Promise<{ ok: boolean }> | { ok: boolean }): Promise<void> {
  const t0 = performance.now();
  const r = await f();
  samples.push(performance.now() - t0);
  if (!r.ok) throw new Error('a benchmarked run did not complete');
}

async function main() {
  const binary = findSwtpm();
  if (!binary) {
    console.log(`tpm2-bridge bench skipped: swtpm not installed; ${SWTPM_INSTALL_HINT}`);
    return;
  }
  const att = protocolByName('attestation');
  const kx = protocolByName('key-exchange');
  const prov = protocolByName('provisioning');
  const s = { attModel: [] as number[], attSwtpm: [] as number[], kxModel: [] as number[], kxSwtpm: [] as number[], provModel: [] as number[], provSwtpm: [] as number[], provSwtpmSpawn: [] as number[] };
  const swtpm = await SwtpmProcess.start();
  try {
    const port = swtpm.serverPort;
    for (let i = 0; i < N + 1; i++) {
      const warm = i === 0;
      const pick = (xs: number[]) => (warm ? [] : xs);
      await time(pick(s.attModel), () => honestRun(targetOf(att)));
      await time(pick(s.attSwtpm), () => runWithSwtpm(att, { port }));
      await time(pick(s.kxModel), () => honestRun(targetOf(kx)));
      await time(pick(s.kxSwtpm), () => runWithSwtpm(kx, { port }));
      await time(pick(s.provModel), () => honestRun(targetOf(prov)));
      await time(pick(s.provSwtpm), () => runWithSwtpm(prov, { port }));
      if (i % 3 === 0) await time(pick(s.provSwtpmSpawn), () => runWithSwtpm(prov));
    }
  } finally {
    await swtpm.stop();
  }
  const row = (name: string, model: number[], real: number[]) => {
    const m = median(model);
    const r = median(real);
    return { run: name, ourTpmMachineMedianMs: +m.toFixed(3), swtpmMedianMs: +r.toFixed(3), ratio: +(r / m).toFixed(2), runs: real.length };
  };
  const rows = [
    row('attestation (swtpm already running)', s.attModel, s.attSwtpm),
    row('key-exchange (swtpm already running)', s.kxModel, s.kxSwtpm),
    row('provisioning (swtpm already running)', s.provModel, s.provSwtpm),
    row('provisioning (incl. swtpm start/stop)', s.provModel, s.provSwtpmSpawn),
  ];
  const out = {
    when: new Date().toISOString(),
    node: process.version,
    swtpm: binary,
    note: 'one process, interleaved; swtpm rows include CreatePrimary of Q per run (attestation: also of the AK, PCR_Read, Certify, Quote; provisioning: Create/Load of the sealed object), every TPM2_VerifySignature (LoadExternal + VerifySignature + FlushContext per signature check of the TPM machine), the TCP round trips and the TSS bridge; ratio = swtpm / our TPM machine',
    rows,
  };
  for (const r of rows) console.log(`${r.run.padEnd(40)} our TPM ${r.ourTpmMachineMedianMs.toFixed(2).padStart(8)} ms   swtpm ${r.swtpmMedianMs.toFixed(2).padStart(8)} ms   ×${r.ratio}  (n=${r.runs})`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/tpm2-bridge.json', JSON.stringify(out, null, 2) + '\n');
}

await main();
