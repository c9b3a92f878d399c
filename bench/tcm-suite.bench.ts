/**
 * The TCM suite against the TPM 2.0 suite, measured in one run: each primitive on both suites
 * (SM2 vs ECDSA P-256 sign and verify, SM2 vs P-256 ECDH, SM3 vs SHA-256, SM4 vs AES-128 in CFB,
 * SM4-GCM vs AES-256-GCM) and each protocol's honest run on both. The two suites alternate
 * within every repetition, so a busy machine slows both alike; each figure is a median of
 * BENCH_RUNS repetitions, and the ratio is tcm / tpm2 of the medians. Node's OpenSSL SM3 and
 * SM4-CFB are timed beside ours for scale (native code, not used by the suite).
 * Writes bench/results/tcm-suite.json.
 * @module
 */
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { PROTOCOLS } from '../models/protocols/index.ts';
import { honestRun } from '../impl/runtime/report.ts';
import { type CryptoSuite, SUITES, seededRandom } from '../impl/crypto/index.ts';
import { targetOf } from '../models/target.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 11);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rng = seededRandom(2026);
const BUF = rng.bytes(64 * 1024);
const MSG = rng.bytes(64);

/** Time `op` `reps` times per repetition, alternating suites; median µs per op for each. */
function pair(reps: number, op: (s: CryptoSuite) => () => void) {
  const ops = { tpm2: op(SUITES.tpm2), tcm: op(SUITES.tcm) };
  const t: Record<'tpm2' | 'tcm', number[]> = { tpm2: [], tcm: [] };
  for (const k of ['tpm2', 'tcm'] as const) for (let i = 0; i < reps; i++) ops[k](); // warm-up
  for (let r = 0; r < N; r++) {
    for (const k of r % 2 ? (['tcm', 'tpm2'] as const) : (['tpm2', 'tcm'] as const)) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) ops[k]();
      t[k].push(((performance.now() - t0) * 1000) / reps);
    }
  }
  return { tpm2: median(t.tpm2), tcm: median(t.tcm) };
}

function opRow(name: string, tpm2Alg: string, tcmAlg: string, reps: number, op: (s: CryptoSuite) => () => void) {
  const m = pair(reps, op);
  return { primitive: name, tpm2: tpm2Alg, tcm: tcmAlg, tpm2UsPerOp: +m.tpm2.toFixed(1), tcmUsPerOp: +m.tcm.toFixed(1), ratio: +(m.tcm / m.tpm2).toFixed(2) };
}

function throughputRow(name: string, tpm2Alg: string, tcmAlg: string, op: (s: CryptoSuite) => () => void) {
  const m = pair(8, op);
  const mbps = (us: number) => +(BUF.length / us).toFixed(1); // bytes per µs = MB/s
  return { primitive: name, tpm2: tpm2Alg, tcm: tcmAlg, tpm2MBps: mbps(m.tpm2), tcmMBps: mbps(m.tcm), ratio: +(m.tcm / m.tpm2).toFixed(2) };
}

/** Native OpenSSL for scale: MB/s of `f` over BUF. */
function nativeMBps(f: () => void): number {
  for (let i = 0; i < 8; i++) f();
  const xs: number[] = [];
  for (let r = 0; r < N; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 8; i++) f();
    xs.push(((performance.now() - t0) * 1000) / 8);
  }
  return +(BUF.length / median(xs)).toFixed(1);
}

export function benchTcmSuite() {
  const key = (s: CryptoSuite) => s.scalarFromSeed(rng.bytes(48));
  const ops = [
    opRow('sign', 'ECDSA P-256 (RFC 6979)', 'SM2 (Z_A, SM3)', 20, (s) => {
      const sk = key(s);
      return () => s.sign(sk, MSG);
    }),
    opRow('verify', 'ECDSA P-256', 'SM2', 20, (s) => {
      const sk = key(s);
      const pub = s.publicKey(sk);
      const sig = s.sign(sk, MSG);
      return () => {
        if (!s.verify(sig, MSG, pub)) throw new Error(`${s.name}: verify failed`);
      };
    }),
    opRow('ECDH (x of d·Q)', 'P-256', 'SM2 curve', 20, (s) => {
      const d = key(s);
      const Q = s.publicKey(key(s));
      return () => s.pointX(s.pointMul(Q, d));
    }),
    opRow('KDFa 256 bits', 'HMAC-SHA256', 'HMAC-SM3', 200, (s) => () => s.kdfa(MSG.subarray(0, 32), 'ATH', MSG, MSG, 256)),
  ];
  const throughput = [
    throughputRow('hash 64 KiB', 'SHA-256', 'SM3', (s) => () => s.hash(BUF)),
    throughputRow('CFB 64 KiB', 'AES-128-CFB', 'SM4-CFB', (s) => {
      const k = rng.bytes(s.cfbKeyLen);
      const iv = rng.bytes(s.blockLen);
      return () => s.cfbEncrypt(k, iv, BUF);
    }),
    throughputRow('AEAD 64 KiB', 'AES-256-GCM', 'SM4-GCM', (s) => {
      const k = rng.bytes(s.aeadKeyLen);
      const n = rng.bytes(s.aeadNonceLen);
      return () => s.aeadEncrypt(k, n, BUF);
    }),
  ];
  const native = {
    note: "Node's OpenSSL (native code) for scale; the suite does not use it",
    sm3MBps: nativeMBps(() => createHash('sm3').update(BUF).digest()),
    sm4CfbMBps: nativeMBps(() => createCipheriv('sm4-cfb', BUF.subarray(0, 16), BUF.subarray(16, 32)).update(BUF)),
  };
  const runs = PROTOCOLS.map((p) => {
    const m = pair(1, (suite) => () => {
      if (!honestRun(targetOf(p), { suite, seed: 1 }).ok) throw new Error(`${p.name} on ${suite.name} did not complete`);
    });
    return { protocol: p.name, tpm2Ms: +(m.tpm2 / 1000).toFixed(1), tcmMs: +(m.tcm / 1000).toFixed(1), ratio: +(m.tcm / m.tpm2).toFixed(2) };
  });
  return { when: new Date().toISOString(), node: process.version, repetitions: N, ratio: 'tcm time / tpm2 time, of the medians (above 1: the tcm suite is slower)', ops, throughput, native, runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchTcmSuite();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/tcm-suite.json', JSON.stringify(r, null, 2) + '\n');
  console.table(r.ops);
  console.table(r.throughput);
  console.log(r.native);
  console.table(r.runs);
}
