/**
 * The native suite (OpenSSL via node:crypto) against the noble suite, measured in one run:
 * each primitive of the CryptoSuite interface on both (same inputs), and each protocol's
 * honest run on both. The two suites alternate within every repetition, so a busy machine
 * slows both alike; each figure is a median of BENCH_RUNS repetitions, the ratio is
 * native / noble of the medians (below 1: native is faster). OpenSSL's own random-nonce
 * ECDSA (`crypto.sign`, which the suite cannot use: docs/native-suite.md) is timed for scale.
 * Writes bench/results/native-suite.json.
 * @module
 */
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { PROTOCOLS } from '../models/protocols/index.ts';
import { honestRun } from '../impl/runtime/report.ts';
import { type CryptoSuite, nativeP256, seededRandom, tpm2P256 } from '../impl/crypto/index.ts';
import { targetOf } from '../models/target.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 11);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rng = seededRandom(2026);
const MSG = rng.bytes(64);
const KIB = rng.bytes(1024);
const BUF = rng.bytes(64 * 1024);
type Side = 'noble' | 'native';
const SUITE: Record<Side, CryptoSuite> = { noble: tpm2P256, native: nativeP256 };

/** µs per call of `op` on each suite: `reps` calls per repetition, the suites alternating. */
function pair(reps: number, op: (s: CryptoSuite) => () => unknown): Record<Side, number> {
  const ops = { noble: op(SUITE.noble), native: op(SUITE.native) };
  const t: Record<Side, number[]> = { noble: [], native: [] };
  for (const k of ['noble', 'native'] as const) for (let i = 0; i < reps; i++) ops[k](); // warm-up
  for (let r = 0; r < N; r++) {
    for (const k of r % 2 ? (['native', 'noble'] as const) : (['noble', 'native'] as const)) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) ops[k]();
      t[k].push(((performance.now() - t0) * 1000) / reps);
    }
  }
  return { noble: median(t.noble), native: median(t.native) };
}

function row(primitive: string, reps: number, op: (s: CryptoSuite) => () => unknown, bytes?: number) {
  const m = pair(reps, op);
  const mbps = bytes === undefined ? {} : { nobleMBps: +(bytes / m.noble).toFixed(1), nativeMBps: +(bytes / m.native).toFixed(1) };
  return { primitive, nobleUs: +m.noble.toFixed(2), nativeUs: +m.native.toFixed(2), ratio: +(m.native / m.noble).toFixed(3), ...mbps };
}

export function benchNativeSuite() {
  const sk = tpm2P256.scalarFromSeed(rng.bytes(48));
  const pub = tpm2P256.publicKey(sk);
  const peer = tpm2P256.basePointMul(tpm2P256.scalarFromSeed(rng.bytes(48)));
  const sig = tpm2P256.sign(sk, MSG);
  const seed = rng.bytes(48);
  const k16 = rng.bytes(16);
  const k32 = rng.bytes(32);
  const iv = rng.bytes(16);
  const nonce = rng.bytes(12);
  const ops = [
    row('hash 64 B (SHA-256)', 400, (s) => () => s.hash(MSG)),
    row('HMAC-SHA256 64 B', 400, (s) => () => s.hmac(k32, MSG)),
    row('KDFa 256 bits', 200, (s) => () => s.kdfa(k32, 'ATH', MSG, MSG, 256)),
    row('KDFe 256 bits', 200, (s) => () => s.kdfe(k32, 'SECRET', MSG, MSG, 256)),
    row('scalarFromSeed', 200, (s) => () => s.scalarFromSeed(seed)),
    row('s·G (basePointMul)', 20, (s) => () => s.basePointMul(sk)),
    row('s·P (pointMul, full point)', 20, (s) => () => s.pointMul(peer, sk)),
    row('isValidPoint', 50, (s) => () => s.isValidPoint(peer)),
    row('ECDSA sign (RFC 6979)', 20, (s) => () => s.sign(sk, MSG)),
    row('ECDSA verify', 20, (s) => () => {
      if (!s.verify(sig, MSG, pub)) throw new Error(`${s.name}: verify failed`);
    }),
    row('AES-128-CFB 64 B', 400, (s) => () => s.cfbEncrypt(k16, iv, MSG)),
    row('AES-128-CFB 1 KiB', 200, (s) => () => s.cfbEncrypt(k16, iv, KIB), KIB.length),
    row('AES-128-CFB 64 KiB', 8, (s) => () => s.cfbEncrypt(k16, iv, BUF), BUF.length),
    row('AES-256-GCM 64 B', 400, (s) => () => s.aeadEncrypt(k32, nonce, MSG)),
    row('AES-256-GCM 64 KiB', 8, (s) => () => s.aeadEncrypt(k32, nonce, BUF), BUF.length),
  ];
  // for scale: OpenSSL's ECDSA with its own (random) nonce, the floor the deterministic nonce is measured against
  const jwk = { kty: 'EC', crv: 'P-256', d: Buffer.from(sk).toString('base64url'), x: Buffer.from(pub.subarray(1, 33)).toString('base64url'), y: Buffer.from(pub.subarray(33)).toString('base64url') };
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const openssl = row('OpenSSL crypto.sign (random nonce; not the suite)', 20, () => () => nodeSign('sha256', MSG, { key, dsaEncoding: 'ieee-p1363' }));
  const runs = PROTOCOLS.map((p) => {
    const m = pair(1, (suite) => () => {
      if (!honestRun(targetOf(p), { suite, seed: 1 }).ok) throw new Error(`${p.name} on ${suite.name} did not complete`);
    });
    return { protocol: p.name, nobleMs: +(m.noble / 1000).toFixed(2), nativeMs: +(m.native / 1000).toFixed(2), ratio: +(m.native / m.noble).toFixed(3) };
  });
  return {
    when: new Date().toISOString(),
    node: process.version,
    openssl: process.versions.openssl,
    cpu: cpus()[0]?.model ?? 'unknown',
    machine: `${cpus().length} cores shared with other sessions' jobs (noisy; the suites alternate within each repetition so both see the same load)`,
    repetitions: N,
    ratio: 'native time / noble time, of the medians (below 1: native is faster)',
    ops,
    opensslRandomNonceSignUs: openssl.nobleUs,
    runs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchNativeSuite();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/native-suite.json', JSON.stringify(r, null, 2) + '\n');
  console.table(r.ops);
  console.log('OpenSSL crypto.sign (random nonce) µs:', r.opensslRandomNonceSignUs);
  console.table(r.runs);
}
