/**
 * The TZTCM evaluation of seed 002 §5 (Fig. 7, 8), on this machine, in one run: RSA-2048 and
 * ECDSA P-256 sign and verify (TPM2_Sign, TPM2_VerifySignature with a password session) through
 * the whole TZTCM path (TDDL → protocol-4 MAC under K_uuid → GP call → s-core worker → engine),
 * through the passive service (same path, engine on the calling thread), on the engine called
 * directly in-process, on swtpm (libtpms over loopback TCP), and as the direct library call
 * (@noble/curves ECDSA via the project's suite; RSA via node:crypto / OpenSSL); ratios to the
 * library call and to swtpm. Also the latency of a small command (GetRandom 16) on each path —
 * async vs sync service, and the cost of the UUID session per command (sync path − direct
 * engine). Writes bench/results/tztcm.json; a row the engine cannot run yet says so.
 * @module
 */
import { generateKeyPairSync, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tpm2P256 } from '../impl/crypto/index.ts';
import {
  TPMA_OBJECT,
  TPM_ALG,
  TPM_CC,
  TPM_RH,
  TPM_ST,
  TPM_SU_CLEAR,
  TpmCommandExecutor,
  TpmError,
  TpmReader,
  type TpmPublic,
  type TpmTransport,
  SwtpmProcess,
  findSwtpm,
  handleEntity,
  marshal,
} from '../impl/tpm2/index.ts';
import { createPrimary, type LoadedObject } from '../impl/tpm2/commands-object.ts';
import { tpmSign } from '../impl/tpm2/commands-sign.ts';
import { EngineTransport, ServiceTransport } from '../impl/tztcm/backend.ts';
import { createTztcmEngine } from '../impl/tztcm/engine/tztcm-engine.ts';
import { startTztcmService } from '../impl/tztcm/service.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 41);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const A = TPMA_OBJECT;
const KEY = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.noDA | A.sign;
const EMPTY = new Uint8Array(0);

/** Unrestricted signing keys: ECDSA-SHA256 on P-256, RSASSA-SHA256 with a 2048-bit modulus. */
const TEMPLATES: Record<Alg, TpmPublic> = {
  'ECDSA P-256': { type: 'ecc', nameAlg: TPM_ALG.SHA256, objectAttributes: KEY, authPolicy: EMPTY, symmetric: null, scheme: { scheme: TPM_ALG.ECDSA, hashAlg: TPM_ALG.SHA256 }, curveId: 0x0003, kdf: null, x: EMPTY, y: EMPTY },
  'RSA-2048': { type: 'rsa', nameAlg: TPM_ALG.SHA256, objectAttributes: KEY, authPolicy: EMPTY, symmetric: null, scheme: { scheme: TPM_ALG.RSASSA, hashAlg: TPM_ALG.SHA256 }, keyBits: 2048, exponent: 0, modulus: EMPTY },
};
type Alg = 'ECDSA P-256' | 'RSA-2048';
const ALGS: Alg[] = ['ECDSA P-256', 'RSA-2048'];

/** TPM2_VerifySignature (Part 3 §20.1) of a TPMT_SIGNATURE as TPM2_Sign returned it. */
async function tpmVerify(x: TpmCommandExecutor, key: LoadedObject, digest: Uint8Array, signature: Uint8Array): Promise<void> {
  const res = await x.run({ code: TPM_CC.VerifySignature, handles: [key], params: marshal((w) => void w.tpm2b(digest).bytes(signature)) });
  const r = new TpmReader(res.params, 'TPM2_VerifySignature response');
  if (r.u16('validation.tag') !== TPM_ST.VERIFIED) throw new Error('no TPMT_TK_VERIFIED ticket');
}

async function tpmGetRandom(x: TpmCommandExecutor): Promise<void> {
  await x.run({ code: TPM_CC.GetRandom, params: marshal((w) => void w.u16(16)) });
}

async function startup(x: TpmCommandExecutor): Promise<void> {
  try {
    await x.run({ code: TPM_CC.Startup, params: marshal((w) => void w.u16(TPM_SU_CLEAR)) });
  } catch (e) {
    if (!(e instanceof TpmError && e.code === 0x100)) throw e; // TPM_RC_INITIALIZE: already started
  }
}

interface Row {
  readonly path: string;
  readonly operation: string;
  readonly medianMs: number | null;
  readonly minMs: number | null;
  readonly runs: number;
  /** why the row has no figure (e.g. the engine's TPM_RC_COMMAND_CODE) */
  readonly error?: string;
}

async function sample(f: () => Promise<void> | void, runs = N): Promise<number[]> {
  for (let i = 0; i < 5; i++) await f(); // warm-up: JIT, noble's precomputed tables, key caches
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
  }
  return xs;
}

function row(path: string, operation: string, xs: number[] | Error): Row {
  if (xs instanceof Error) return { path, operation, medianMs: null, minMs: null, runs: 0, error: xs.message.split('\n')[0]! };
  return { path, operation, medianMs: +median(xs).toFixed(3), minMs: +Math.min(...xs).toFixed(3), runs: xs.length };
}

async function tpmRows(path: string, transport: TpmTransport): Promise<Row[]> {
  const x = new TpmCommandExecutor(transport);
  const rows: Row[] = [];
  await startup(x);
  rows.push(row(path, 'GetRandom(16)', await sample(() => tpmGetRandom(x), 4 * N).catch((e: Error) => e)));
  const digest = tpm2P256.hash(new TextEncoder().encode('seed 002 §5'));
  for (const alg of ALGS) {
    let key: LoadedObject;
    try {
      key = await createPrimary(x, TEMPLATES[alg], { hierarchy: handleEntity(TPM_RH.OWNER) });
    } catch (e) {
      rows.push(row(path, `${alg} sign`, new Error(`CreatePrimary: ${(e as Error).message}`)), row(path, `${alg} verify`, new Error(`CreatePrimary: ${(e as Error).message}`)));
      continue;
    }
    let sig: Uint8Array = EMPTY;
    rows.push(row(path, `${alg} sign`, await sample(async () => void (sig = await tpmSign(x, key, digest))).catch((e: Error) => e)));
    rows.push(row(path, `${alg} verify`, sig.length ? await sample(() => tpmVerify(x, key, digest, sig)).catch((e: Error) => e) : new Error('no signature to verify')));
    await x.run({ code: TPM_CC.FlushContext, params: marshal((w) => void w.u32(key.handle)) }).catch(() => undefined);
  }
  return rows;
}

async function libraryRows(): Promise<Row[]> {
  const msg = new TextEncoder().encode('seed 002 §5');
  const sk = tpm2P256.scalarFromSeed(new Uint8Array(48).fill(7));
  const pk = tpm2P256.publicKey(sk);
  const sig = tpm2P256.sign(sk, msg);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaSig = rsaSign('sha256', msg, rsa.privateKey);
  return [
    row('library', 'ECDSA P-256 sign', await sample(() => void tpm2P256.sign(sk, msg))),
    row('library', 'ECDSA P-256 verify', await sample(() => void tpm2P256.verify(sig, msg, pk))),
    row('library', 'RSA-2048 sign', await sample(() => void rsaSign('sha256', msg, rsa.privateKey))),
    row('library', 'RSA-2048 verify', await sample(() => void rsaVerify('sha256', msg, rsa.publicKey, rsaSig))),
  ];
}

export async function benchTztcm() {
  const rows: Row[] = [...(await libraryRows())];
  rows.push(...(await tpmRows('tztcm engine, direct', new EngineTransport(createTztcmEngine()))));
  for (const mode of ['sync', 'async'] as const) {
    const service = await startTztcmService({ mode });
    const t = new ServiceTransport(service);
    try {
      rows.push(...(await tpmRows(mode === 'async' ? 'tztcm whole path, s-core (async)' : 'tztcm whole path, passive (sync)', t)));
    } finally {
      await t.close();
    }
  }
  if (findSwtpm()) {
    const sw = await SwtpmProcess.start();
    try {
      const t = await sw.connect();
      rows.push(...(await tpmRows('swtpm', t)));
      await t.close();
    } finally {
      await sw.stop();
    }
  }
  const get = (path: string, op: string) => rows.find((r) => r.path === path && r.operation === op)?.medianMs ?? null;
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? +(a / b).toFixed(2) : null);
  const ratios = ALGS.flatMap((alg) =>
    (['sign', 'verify'] as const).map((op) => {
      const o = `${alg} ${op}`;
      const whole = get('tztcm whole path, s-core (async)', o);
      return { operation: o, wholePathVsLibrary: ratio(whole, get('library', o)), wholePathVsSwtpm: ratio(whole, get('swtpm', o)), swtpmVsLibrary: ratio(get('swtpm', o), get('library', o)) };
    }),
  );
  const direct = get('tztcm engine, direct', 'GetRandom(16)');
  const sync = get('tztcm whole path, passive (sync)', 'GetRandom(16)');
  const async = get('tztcm whole path, s-core (async)', 'GetRandom(16)');
  const service = {
    getRandomMs: { direct, sync, async, swtpm: get('swtpm', 'GetRandom(16)') },
    asyncOverSync: ratio(async, sync),
    /** the UUID session and GP layer per command: passive path − engine direct */
    sessionCostPerCommandMs: direct !== null && sync !== null ? +(sync - direct).toFixed(3) : null,
    /** the inter-core call on top: async − sync */
    sCoreCallCostMs: sync !== null && async !== null ? +(async - sync).toFixed(3) : null,
  };
  return { when: new Date().toISOString(), node: process.version, cores: (await import('node:os')).cpus().length, runs: N, rows, ratios, service };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchTztcm();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/tztcm.json', JSON.stringify(r, null, 2) + '\n');
  console.table(r.rows);
  console.table(r.ratios);
  console.log(r.service);
}
