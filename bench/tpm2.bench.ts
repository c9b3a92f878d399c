/**
 * TPM 2.0 backend benchmark: median latency of each command against a private swtpm, measured
 * from Node around the TpmSessionClient call (so it includes marshalling, our session crypto —
 * ECDH salt, HMACs, CFB — and the loopback round trip). Writes bench/results/tpm2.json.
 * Skips (exit 0, no file written) when swtpm is not installed.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { seededRandom, tpm2P256 } from '../impl/crypto/index.ts';
import { TPM_ALG, findSwtpm, openSwtpmBackend, SwtpmProcess, SWTPM_INSTALL_HINT } from '../impl/tpm2/index.ts';

const N = Number(process.env['BENCH_RUNS'] ?? 21);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const SEL = [{ hashAlg: TPM_ALG.SHA256, pcrs: [16] }];

async function timed<T>(samples: Map<string, number[]>, name: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await f();
  const dt = performance.now() - t0;
  const list = samples.get(name) ?? [];
  list.push(dt);
  samples.set(name, list);
  return v;
}

export async function benchTpm2() {
  const samples = new Map<string, number[]>();
  const random = seededRandom(42);
  const teeSk = tpm2P256.scalarFromSeed(random.bytes(32));
  const teePk = tpm2P256.publicKey(teeSk);
  const secret = random.bytes(32);

  for (let i = 0; i < 3; i++) {
    const p = await timed(samples, 'swtpm start (spawn + ready)', () => SwtpmProcess.start());
    await timed(samples, 'swtpm stop', () => p.stop());
  }

  const backend = await openSwtpmBackend();
  const tpm = backend.client;
  try {
    for (let i = 0; i < N + 1; i++) {
      const s = samples;
      const at = i === 0 ? new Map<string, number[]>() : s; // first round is warm-up
      await timed(at, 'TPM2_Startup (already started → TPM_RC_INITIALIZE)', () => tpm.startup());
      const srk = await timed(at, 'TPM2_CreatePrimary (ECC P-256 storage key)', () => tpm.createStorageKey());
      await timed(at, 'TPM2_ReadPublic', () => tpm.readPublic(srk.handle));
      const { sealed } = await timed(at, 'TPM2_Create (sealed object under policy, incl. PCR_Read)', () =>
        tpm.sealUnderPolicy(srk, secret, { authKeyPoint: teePk, pcrs: SEL }),
      );
      const obj = await timed(at, 'TPM2_Load', () => tpm.load(srk, sealed));
      const tee = await timed(at, 'TPM2_LoadExternal (P-256 public key)', () => tpm.loadExternalVerifyKey(teePk));
      const t0 = performance.now();
      const ss = await timed(at, 'TPM2_StartAuthSession (ECC-salted policy session)', () => tpm.startSaltedSession(srk, 'policy'));
      await timed(at, 'TPM2_PolicySigned (incl. our ECDSA sign)', () => tpm.policySignedWithKey(ss.session, tee, teeSk));
      await timed(at, 'TPM2_PolicyPCR', () => tpm.policyPCR(ss.session, SEL));
      await timed(at, 'TPM2_PolicyGetDigest', () => tpm.policyDigest(ss.session));
      const u = await timed(at, 'TPM2_Unseal (policy session, encrypted response, HMAC checked)', () =>
        tpm.unseal(obj, ss.session, { continueSession: false }),
      );
      if (i > 0) {
        const list = samples.get('key exchange + provisioning (StartAuthSession → Unseal)') ?? [];
        list.push(performance.now() - t0);
        samples.set('key exchange + provisioning (StartAuthSession → Unseal)', list);
      }
      if (u.data.length !== secret.length) throw new Error('unseal returned the wrong secret');
      const hs = await timed(at, 'TPM2_StartAuthSession (ECC-salted HMAC session)', () => tpm.startSaltedSession(srk, 'hmac'));
      await timed(at, 'TPM2_FlushContext (session)', () => tpm.flush(hs.session));
      await timed(at, 'TPM2_FlushContext (object)', () => tpm.flush(obj));
      await tpm.flush(tee);
      const ak = await timed(at, 'TPM2_CreatePrimary (ECC P-256 signing key)', () => tpm.createAttestationKey());
      const nonce = random.bytes(32);
      await timed(at, 'TPM2_Certify', () => tpm.certify(srk, ak, nonce));
      await timed(at, 'TPM2_Quote', () => tpm.quote(ak, nonce, SEL));
      await timed(at, 'TPM2_PCR_Extend', () => tpm.pcrExtend(16, nonce));
      await timed(at, 'TPM2_PCR_Read', () => tpm.pcrRead(SEL));
      await tpm.pcrReset(16);
      await tpm.flush(ak);
      await tpm.flush(srk);
    }
  } finally {
    await backend.close();
  }
  const rows = [...samples.entries()].map(([command, xs]) => ({ command, medianMs: +median(xs).toFixed(3), minMs: +Math.min(...xs).toFixed(3), runs: xs.length }));
  return { when: new Date().toISOString(), node: process.version, swtpm: findSwtpm(), runs: N, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!findSwtpm()) {
    console.log(`tpm2 bench skipped: swtpm not installed; ${SWTPM_INSTALL_HINT}`);
  } else {
    const r = await benchTpm2();
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/tpm2.json', JSON.stringify(r, null, 2) + '\n');
    console.table(r.rows);
  }
}
