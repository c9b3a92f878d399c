/**
 * Report benchmark: what drawing costs. Every built-in target is verified once (as `tcv start`
 * does, attacks on variants replayed with real crypto), then, in this process:
 * - per attack trace (grouped as printed), the median time of its SVG, its Mermaid text and its
 *   terminal text (goal: a diagram under 50 ms);
 * - per protocol, an honest run's sequence diagram; per protocol and variant, the state
 *   diagrams through Graphviz (WebAssembly loaded once: its load time is given apart);
 * - what the report adds to `npm start` (goal: under 2 s): the replays (one per distinct trace
 *   of a variant, timed in the workers) and the protocols' parts (state diagrams, honest runs,
 *   drawn in the main thread while the workers search), both shared by the two cores, plus
 *   writing the report after the last verdict.
 * Writes bench/results/report.json. Medians of N runs (the machines are shared and noisy).
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_PROTOCOLS } from '../models/catalog.ts';
import { applyVariant } from '../models/protocol.ts';
import { allTargets, targetOf } from '../models/target.ts';
import { verifyMany } from '../properties/explorer/verify-pool.ts';
import { groupSequences } from '../impl/report/group-traces.ts';
import { svgSequence } from '../impl/report/svg-sequence.ts';
import { mermaidSequence } from '../impl/report/mermaid-sequence.ts';
import { textTrace } from '../impl/report/text-trace.ts';
import { honestSequence } from '../impl/report/honest-sequence.ts';
import { dotMachines } from '../impl/report/dot-machine.ts';
import { graphviz, svgFromDot } from '../impl/report/svg-machine.ts';
import { honestRun } from '../impl/runtime/report.ts';
import { protocolParts, writeReport } from '../cli/report-build.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 9);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (f: () => unknown) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const med = (f: () => unknown) => {
  f(); // warm-up
  return +median(Array.from({ length: N }, () => time(f))).toFixed(2);
};

export async function benchReport() {
  const t0 = performance.now();
  const reports = await verifyMany(allTargets(ALL_PROTOCOLS).map((t) => ({ target: targetOf(t.protocol, t.variant), opts: { replay: true } })), availableParallelism());
  const verifyS = (performance.now() - t0) / 1000;

  const traces = reports.flatMap((r) =>
    groupSequences(r.properties.flatMap((x) => (x.trace ? [x.trace.sequence] : []))).map((s) => ({
      target: `${r.protocol}${r.variant ? ' ' + r.variant : ''}`,
      properties: s.violations.map((v) => v.property).join(','),
      steps: s.events.filter((e) => e.kind === 'step').length,
      svgMs: med(() => svgSequence(s)),
      mermaidMs: med(() => mermaidSequence(s)),
      textMs: med(() => textTrace(s)),
    })),
  );
  const honest = ALL_PROTOCOLS.map((p) => {
    const run = honestRun(targetOf(p), { seed: 1 });
    return { protocol: p.name, sequenceAndSvgMs: med(() => svgSequence(honestSequence(p, run))) };
  });
  const tLoad = performance.now();
  await graphviz();
  const graphvizLoadMs = +(performance.now() - tLoad).toFixed(1);
  const state: { target: string; ms: number }[] = [];
  for (const p of ALL_PROTOCOLS) {
    for (const v of [undefined, ...p.variants.map((x) => x.id)]) {
      const q = applyVariant(p, v).protocol;
      const dot = dotMachines(q.roles.map((r) => ({ role: r.role, machine: r.machine, ...(v ? { base: p.roles.find((b) => b.role === r.role)!.machine } : {}) })), v ? { variant: v } : {});
      const xs: number[] = [];
      for (let i = 0; i < Math.max(3, Math.floor(N / 3)); i++) {
        const t = performance.now();
        await svgFromDot(dot, 'x');
        xs.push(performance.now() - t);
      }
      state.push({ target: `${p.name}${v ? ' ' + v : ''}`, ms: +median(xs).toFixed(1) });
    }
  }
  // as tcv start does it: the protocols' parts (machines, honest runs) drawn while the workers
  // search, then the report written from the verdicts (Graphviz already loaded here: its load
  // time is added to the parts)
  const dir = mkdtempSync(join(tmpdir(), 'tcv-bench-report-'));
  const partsXs: number[] = [];
  const writes: number[] = [];
  for (let i = 0; i < 3; i++) {
    let t = performance.now();
    const parts = await protocolParts(ALL_PROTOCOLS);
    partsXs.push(performance.now() - t);
    t = performance.now();
    await writeReport(dir, reports, ALL_PROTOCOLS, 'bench', parts);
    writes.push(performance.now() - t);
  }
  rmSync(dir, { recursive: true, force: true });
  const replays = reports.flatMap((r) => r.properties.flatMap((x) => (x.replay ? [x.replay.ms] : [])));
  const replayMs = replays.reduce((a, b) => a + b, 0);
  const partsMs = median(partsXs) + graphvizLoadMs;
  const writeMs = median(writes);
  // what the cores do besides the search (replays in the workers, the parts in the main thread
  // during the search), shared by the two cores, and then the write after the last verdict
  const cores = Math.max(1, Math.min(2, availableParallelism()));
  const addedS = ((replayMs + partsMs) / cores + writeMs) / 1000;
  const maxDiagramMs = Math.max(...traces.map((t) => Math.max(t.svgMs, t.mermaidMs)), ...honest.map((h) => h.sequenceAndSvgMs));
  return {
    when: new Date().toISOString(),
    node: process.version,
    cores: availableParallelism(),
    verifyAllWithReplaysS: +verifyS.toFixed(1),
    goals: {
      diagramUnder50ms: maxDiagramMs < 50,
      maxTraceDiagramMs: maxDiagramMs,
      reportAddsUnder2s: addedS < 2,
      reportAddsS: +addedS.toFixed(2),
      replays: replays.length,
      replaysSummedMs: +replayMs.toFixed(0),
      partsMs: +partsMs.toFixed(0),
      writeAfterVerdictsMs: +writeMs.toFixed(0),
      graphvizLoadMs,
    },
    traces,
    honest,
    state,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchReport();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/report.json', JSON.stringify(r, null, 2) + '\n');
  console.log(r.goals);
  console.table(r.traces);
}
