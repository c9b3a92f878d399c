/**
 * tcv against Scyther on the classic corpus, at the same bound: `tcv verify --runs 4` (N role
 * instances in all, any role, any agent: `properties/explorer/runs.ts`) beside Scyther's
 * `--max-runs=4` on Scyther's own model of the same protocol. tcv is timed inside the process
 * (verifyTarget, the goal's measure) and as a whole process (`node bin/tcv.js verify`);
 * Scyther as a whole process. Wall medians and CPU time (this process's own for tcv in process;
 * `/usr/bin/time` for the child processes where it exists) with the load average: the machine is
 * shared, and under load wall times say more about the neighbours than about the tools.
 *
 * Scyther is not part of this repository: when `scyther-linux` is on the PATH (build it from its
 * public sources, github.com/cascremers/scyther), its models are read from the `protocols/`
 * directory beside the binary or from $SCYTHER_PROTOCOLS (Scyther's gui/Protocols). Without it
 * the bench still writes tcv's own figures. Writes bench/results/scyther.json.
 * Run: node --import tsx bench/scyther.bench.ts   (BENCH_RUNS, BENCH_TIMEOUT_S, BENCH_MAX_RUNS)
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { CLASSIC_PROTOCOLS } from '../models/classic/index.ts';
import { verifyTarget } from '../properties/explorer/verify.ts';
import { targetOf } from '../models/target.ts';

const REPS = Number(process.env['BENCH_RUNS'] ?? 3);
const TIMEOUT = Number(process.env['BENCH_TIMEOUT_S'] ?? 600) * 1000;
const MAX_RUNS = Number(process.env['BENCH_MAX_RUNS'] ?? 4);

/** Scyther's own model of each classic protocol (paths in Scyther's gui/Protocols). The
 * signed Diffie–Hellman protocols have none: Scyther has no DH theory (its DH models use helper
 * roles), so there is nothing to compare at the same semantics. */
const SCYTHER_MODEL: Readonly<Record<string, string>> = {
  nspk: 'Demo/ns3.spdl',
  nsl: 'Demo/nsl3.spdl',
  nssk: 'needham-schroeder-sk.spdl',
  'ccitt-x509': 'ccitt509-1.spdl',
  'andrew-rpc': 'andrew.spdl',
};

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const round = (x: number) => Math.round(x * 10) / 10;

function onPath(exe: string): string | null {
  for (const d of (process.env['PATH'] ?? '').split(delimiter)) if (d && existsSync(join(d, exe))) return join(d, exe);
  return null;
}
const scyther = onPath('scyther-linux');
const models = process.env['SCYTHER_PROTOCOLS'] ?? (scyther ? join(dirname(realpathSync(scyther)), 'protocols') : '');
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** A whole process: wall ms, and user+system ms where /usr/bin/time can tell. */
function processRun(cmd: string, args: readonly string[]): { wallMs: number; cpuMs: number | null; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = gnuTime ? spawnSync(gnuTime, ['-f', 'TIME %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }) : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallMs = performance.now() - t0;
  const m = /TIME ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  return { wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : null, stdout: r.stdout ?? '', status: r.status };
}

const rows = CLASSIC_PROTOCOLS.map((p) => {
  // tcv in the process, at the runs bound
  const wall: number[] = [];
  const cpu: number[] = [];
  let last;
  for (let i = 0; i < REPS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = verifyTarget(targetOf(p, undefined, { runs: MAX_RUNS }), { timeoutMs: TIMEOUT });
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (last.stats.cut || wall[i]! > 60_000) break; // long or cut runs are not repeated
  }
  const tcv = {
    states: last!.stats.states,
    medianMs: round(median(wall)),
    medianCpuMs: round(median(cpu)),
    cut: last!.stats.cut ?? null,
    verdicts: Object.fromEntries(last!.properties.map((x) => [x.id, x.verdict])),
    expected: Object.fromEntries(last!.properties.map((x) => [x.id, x.expected])),
    // an attack the model expects only from a larger runs bound (`attackFromRuns`)
    attackFromRuns: Object.fromEntries(last!.properties.flatMap((x) => (x.expectedAttackFromRuns !== undefined ? [[x.id, x.expectedAttackFromRuns]] : []))),
  };
  // tcv as a whole process (the bin: the bundle when built)
  const whole = tcv.cut || tcv.medianMs > 60_000 ? null : Array.from({ length: REPS }, () => processRun(process.execPath, ['bin/tcv.js', 'verify', p.name, '--runs', String(MAX_RUNS), '--json']));
  const model = SCYTHER_MODEL[p.name];
  let sc: { model: string; medianMs: number; medianCpuMs: number | null; claims: string[] } | null = null;
  if (scyther && model && existsSync(join(models, model))) {
    const runs = Array.from({ length: Math.max(REPS, 5) }, () => processRun(scyther, [`--max-runs=${MAX_RUNS}`, join(models, model)]));
    const cpus = runs.map((r) => r.cpuMs).filter((x): x is number => x !== null);
    sc = {
      model,
      medianMs: round(median(runs.map((r) => r.wallMs))),
      medianCpuMs: cpus.length ? round(median(cpus)) : null,
      // "claim  ns3,R  Secret_r1  ni  Fail  [at least 1 attack]", colours stripped
      claims: runs[0]!.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.startsWith('claim')).map((l) => l.split('\t').filter(Boolean).slice(1).join(' ')),
    };
  }
  const row = {
    protocol: p.name,
    bound: last!.bound,
    tcv,
    tcvProcess: whole ? { medianMs: round(median(whole.map((r) => r.wallMs))), medianCpuMs: whole.every((r) => r.cpuMs !== null) ? round(median(whole.map((r) => r.cpuMs!))) : null } : null,
    scyther: sc ?? (model ? (scyther ? `model ${model} not found under ${models}` : 'scyther-linux not on the PATH') : 'no Scyther model (no DH theory in Scyther)'),
    // the goal's ratios: tcv in the process over Scyther's whole process (≤ 1), and tcv's whole
    // process over Scyther's (≤ 2); wall and CPU
    ratio: sc ? round(tcv.medianMs / sc.medianMs) : null,
    // /usr/bin/time counts in 10 ms: a Scyther run below that shows 0, and no CPU ratio is given
    ratioCpu: sc && sc.medianCpuMs ? round(tcv.medianCpuMs / sc.medianCpuMs) : null,
    processRatio: sc && whole ? round(median(whole.map((r) => r.wallMs)) / sc.medianMs) : null,
  };
  process.stderr.write(`${p.name}: tcv ${tcv.states} states ${tcv.medianMs} ms (cpu ${tcv.medianCpuMs})${sc ? `, scyther ${sc.medianMs} ms (cpu ${sc.medianCpuMs}), ratio ${row.ratio}` : ''}\n`);
  return row;
});

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const scytherVersion = scyther ? (spawnSync(scyther, ['--version'], { encoding: 'utf8' }).stdout || '').trim().split('\n')[0] : null;
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
writeFileSync(
  new URL('./results/scyther.json', import.meta.url),
  JSON.stringify({ date: new Date().toISOString(), commit, node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, loadavg: loadavg().map(round), maxRuns: MAX_RUNS, reps: REPS, scyther: scytherVersion, rows }, null, 2) + '\n',
);
