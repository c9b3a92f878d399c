/**
 * Fuzzy-extractor failure rate against the PUF bit-error rate: Monte Carlo beside the analytic
 * bound (impl/tztcm/storage/fec/fe-parameters.ts), for rep(7) × BCH(511, 277, 28).
 *
 * Two estimates per BER point p:
 *  - outer: ≥ 10⁶ trials (BENCH_FE_TRIALS) of the BCH decoder on the channel the repetition code
 *    leaves — each of the 511 positions wrong with p₇ = P(majority of 7 wrong), sampled by
 *    geometric skips; the word decoded is the error pattern itself (the all-zero codeword: the
 *    decoder is linear — syndromes depend on the error only, so decoding c ⊕ e gives c ⊕ the
 *    decoding of e — and this saves the syndrome work of a random codeword's ~255 ones), and a
 *    trial fails unless the decoder returns the zero message. Exact for independent PUF bit
 *    errors, because majority groups are independent;
 *  - full: fewer trials (BENCH_FE_FULL_TRIALS) of the whole rebuild — 3577 PUF bits flipped with
 *    probability p, majority, BCH, padding check — to check the reduction above.
 * Agreement: where failures are observed (≥ 10), the analytic value must lie in the 99.9 % Wilson
 * interval of the estimate. Run with `nice` (2 shared cores): `nice -n 19 node --import tsx
 * bench/fuzzy-extractor.bench.ts`. Writes bench/results/fuzzy-extractor.json and .svg.
 * On a busy machine the points can run in parallel processes: BENCH_FE_POINTS=0.18,0.19 and
 * BENCH_FE_PART=name write bench/results/fuzzy-extractor.part-<name>.json; `--merge` then
 * combines every part into the JSON and the plot.
 * @module
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { analyticFailure, FE_PARAMS, repetitionError } from '../impl/tztcm/storage/fec/fe-parameters.ts';
import { feCode, feGenerate, feRebuild } from '../impl/tztcm/storage/fuzzy-extractor.ts';
import { Xoshiro128 } from '../impl/tztcm/storage/puf/sram-puf.ts';
import { failureSvg, type McPoint } from './fuzzy-extractor-svg.ts';

const TRIALS = Number(process.env['BENCH_FE_TRIALS'] ?? 1_000_000);
const FULL_TRIALS = Number(process.env['BENCH_FE_FULL_TRIALS'] ?? 20_000);
const POINTS = process.env['BENCH_FE_POINTS']?.split(',').map(Number) ?? [0.15, 0.16, 0.17, 0.175, 0.18, 0.185, 0.19, 0.2, 0.21];

/** Wilson score interval for k successes in n trials at normal quantile z. */
function wilson(k: number, n: number, z: number): [number, number] {
  const ph = k / n;
  const d = 1 + (z * z) / n;
  const c = (ph + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((ph * (1 - ph)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

function outerTrials(p: number, trials: number, rng: Xoshiro128): number {
  const code = feCode().outer;
  const word = new Uint8Array(code.n);
  const lq = Math.log1p(-p);
  let failures = 0;
  for (let tr = 0; tr < trials; tr++) {
    const flipped: number[] = [];
    // geometric skip to the next error position
    for (let i = Math.floor(Math.log(1 - rng.next()) / lq); i < code.n; i += 1 + Math.floor(Math.log(1 - rng.next()) / lq)) {
      word[i]! ^= 1;
      flipped.push(i);
    }
    const d = code.decode(word);
    if (!d.ok || d.message.some((b) => b !== 0)) failures++;
    for (const i of flipped) word[i]! ^= 1;
  }
  return failures;
}

function fullTrials(p: number, trials: number, rng: Xoshiro128): number {
  const n = feCode().length;
  const key = Uint8Array.from({ length: 32 }, () => rng.u32() & 0xff);
  const ref = Uint8Array.from({ length: n }, () => rng.u32() & 1);
  const helper = feGenerate(key, ref);
  const read = new Uint8Array(n);
  let failures = 0;
  for (let tr = 0; tr < trials; tr++) {
    for (let i = 0; i < n; i++) read[i] = ref[i]! ^ (rng.next() < p ? 1 : 0);
    const r = feRebuild(helper, read);
    if (!r.ok || !Buffer.from(r.keyS).equals(key)) failures++;
  }
  return failures;
}

export function benchFuzzyExtractor() {
  const rng = new Xoshiro128(`fuzzy-extractor bench ${POINTS.join(',')}`);
  const rows = [];
  let disagreements = 0;
  for (const ber of POINTS) {
    const analytic = analyticFailure(ber);
    const p7 = repetitionError(FE_PARAMS.r, ber);
    const t0 = performance.now();
    const outer = outerTrials(p7, TRIALS, rng);
    const outerMs = performance.now() - t0;
    const full = fullTrials(ber, FULL_TRIALS, rng);
    const row = {
      ber,
      innerErrorRate: p7,
      analytic,
      outer: summary(outer, TRIALS, analytic),
      full: summary(full, FULL_TRIALS, analytic),
      outerUsPerTrial: +((outerMs * 1000) / TRIALS).toFixed(2),
    };
    for (const s of [row.outer, row.full]) if (s.agrees === false) disagreements++;
    rows.push(row);
    console.log(`BER ${ber}: analytic ${analytic.toExponential(3)}  outer ${outer}/${TRIALS}  full ${full}/${FULL_TRIALS}  ${row.outerUsPerTrial} µs/trial`);
  }
  return {
    when: new Date().toISOString(),
    node: process.version,
    code: { inner: `repetition(${FE_PARAMS.r})`, outer: `BCH(511, ${feCode().k}, t=${FE_PARAMS.t})`, pufBits: feCode().length, keyBits: FE_PARAMS.keyBits },
    goal: { ber: 0.15, failure: 1e-9, analyticAtGoal: analyticFailure(0.15), met: analyticFailure(0.15) <= 1e-9 },
    trials: { outer: TRIALS, full: FULL_TRIALS },
    agreement: 'where ≥ 10 failures were observed, the analytic value lies in the 99.9 % Wilson interval',
    disagreements,
    rows,
  };
}

function summary(failures: number, trials: number, analytic: number) {
  const [low, high] = failures === 0 ? [0, 3 / trials] : wilson(failures, trials, 1.96);
  const [l3, h3] = wilson(failures, trials, 3.29);
  const observable = failures >= 10;
  return { trials, failures, rate: failures / trials, ci95: [low, high], agrees: observable ? analytic >= l3 && analytic <= h3 : null };
}

type Result = ReturnType<typeof benchFuzzyExtractor>;

function writeFinal(r: Result): void {
  writeFileSync('bench/results/fuzzy-extractor.json', JSON.stringify(r, null, 2) + '\n');
  const curve = [];
  for (let b = 0.14; b <= 0.2301; b += 0.0025) curve.push({ ber: +b.toFixed(4), analytic: analyticFailure(b) });
  const mc: McPoint[] = r.rows.map((x) => ({ ber: x.ber, trials: x.outer.trials, failures: x.outer.failures, low: x.outer.ci95[0]!, high: x.outer.ci95[1]! }));
  writeFileSync('bench/results/fuzzy-extractor.svg', failureSvg(curve, mc, `KeyS failure: rep(7) × BCH(511, 277, 28), ${r.code.pufBits} PUF bits (${r.trials.outer} trials per point)`));
  console.log(`disagreements: ${r.disagreements}`);
  process.exitCode = r.disagreements ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync('bench/results', { recursive: true });
  if (process.argv.includes('--merge')) {
    const parts = readdirSync('bench/results').filter((f) => /^fuzzy-extractor\.part-.*\.json$/.test(f));
    const rs = parts.map((f) => JSON.parse(readFileSync(`bench/results/${f}`, 'utf8')) as Result);
    if (rs.length === 0) throw new Error('no bench/results/fuzzy-extractor.part-*.json to merge');
    const rows = rs.flatMap((x) => x.rows).sort((a, b) => a.ber - b.ber);
    writeFinal({ ...rs[0]!, when: rs.map((x) => x.when).sort().at(-1)!, parts: parts.length, rows, disagreements: rs.reduce((n, x) => n + x.disagreements, 0) } as Result);
    for (const f of parts) rmSync(`bench/results/${f}`);
  } else {
    const r = benchFuzzyExtractor();
    const part = process.env['BENCH_FE_PART'];
    if (part) writeFileSync(`bench/results/fuzzy-extractor.part-${part}.json`, JSON.stringify(r, null, 2) + '\n');
    else writeFinal(r);
  }
}
