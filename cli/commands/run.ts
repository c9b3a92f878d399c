/**
 * `tcv run <protocol> [--variant ID] [--seed N] [--suite ID] [--json]`: one honest execution with real
 * cryptography, printed as a message sequence with each party's final state and claims.
 * @module
 */
import { type CliIO, type Command, intFlag, parseFlags, UsageError } from '../command.ts';
import { targetOf } from '../../models/target.ts';
import { protocolByName } from '../../models/protocols/index.ts';
import { channel } from '../../models/protocols/channel.ts';
import { keyExchange } from '../../models/protocols/key-exchange.ts';
import { assertWellFormed } from '../../models/validate.ts';
import { type CryptoSuite, tpm2P256 } from '../../impl/crypto/index.ts';
import { honestRun, type RunReport } from '../../impl/runtime/report.ts';
import { runWithSwtpm, TPM_PROTOCOLS, type TpmRunReport, TZTCM_TAMPER } from '../../impl/tpm2-bridge/run.ts';
import { SwtpmNotFoundError } from '../../impl/tpm2/swtpm-process.ts';
import { interruptible, signalExit } from '../child-process.ts';
import { SUITE_HELP, suiteFlag } from '../suite-flag.ts';
import { type RoleEngine, ROLE_ENGINES } from '../../impl/runtime/role-engine.ts';

/** Same TPM algorithms (tpm2 and native: P-256, SHA-256, AES — what swtpm runs). */
const sameAlgorithms = (a: CryptoSuite, b: CryptoSuite) => JSON.stringify(a.algorithms) === JSON.stringify(b.algorithms);
import { jsonOutput } from '../version.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run a protocol honestly with real cryptography',
  help: `usage: tcv run <protocol> [--variant ID] [--seed N] [--suite ID] [--engine E] [--json] [--svg FILE] [--mermaid FILE]
               [--tpm swtpm [--tpm-port P] | --tpm tztcm [--tamper WHAT]]
       tcv run channel --stream SIZE [--records-per-session N] [--tpm swtpm|tztcm] [--seed N] [--json]

Runs one honest execution of <protocol> (see 'tcv list') with a real crypto suite (default
tpm2: P-256, SHA-256, HMAC, TPM2 KDFa/KDFe, AES-CFB/GCM; tcm: SM2, SM3, HMAC-SM3, KDFa/KDFe over
SM3, SM4-CFB/GCM, see docs/tcm-suite.md): every message is delivered in order, nobody
interferes. Prints the message sequence (sender → receiver, label, bytes), each party's final
state, its claims, and the secrets each side derived.

  --variant ID  run a variant (an M id or a mode, see 'tcv list')
  --seed N      deterministic randomness (HMAC_DRBG seeded with N); default: system randomness
  ${SUITE_HELP}
  --engine E    what runs the machines: compiled (each role's machine compiled once into step
                functions; default) or xstate (an XState actor per role instance, the reference);
                the same run either way (docs/channel.md, "Role engines")
  --json        the run as JSON
  --svg FILE    also write the run as an SVG sequence diagram (lifeline per role, an arrow per
                message with the term the sender's machine builds, claims on the lifelines)
  --mermaid FILE  and/or as Mermaid sequenceDiagram text
  --tpm swtpm   attestation / key-exchange / provisioning: the TPM role is a real TPM 2.0
                (swtpm, started on free loopback ports and stopped afterwards) driven by the
                TEE's TSS bridge instead of our TPM machine; the other machines run unchanged
                (see docs/real-tpm.md)
  --tpm-port P  with --tpm swtpm: use the swtpm already serving on 127.0.0.1:P. The run first
                flushes every transient object and session that TPM holds (left by a run
                whose connection was cut), and on failure or SIGINT/SIGTERM flushes what it
                loaded before it exits (130/143 after a signal); see docs/fail-closed.md
  --tpm tztcm   the same, with the TZTCM's own TPM 2.0 command engine (seed 002) in place of
                swtpm (see docs/tztcm-engine.md). attestation: the TZTCM boots through its
                verified chain and measures a host kernel; the quote covers the PCRs that boot
                extended and the verifier checks them against its reference values, replaying
                the boot's event log (docs/tztcm-storage.md)
  --tamper WHAT with --tpm tztcm: a tampered boot, for the attestation to fail on (exit 1,
                the reason named): ${Object.keys(TZTCM_TAMPER).join(', ')}

  --stream SIZE  channel (or key-exchange: its session carrying data): SIZE bytes (4096, 64KiB,
                1MiB, 1MB; at most 64MiB) of random application data written through the trusted
                channel and read back — records of at most the TPM's NV buffer (NV_Write with the
                data encrypted, NV_Read with the response encrypted), a key exchange per session
                of --records-per-session records (default 64, 1..256); against our TPM machine,
                or with --tpm swtpm|tztcm a real TPM 2.0 (see docs/channel.md). Exit 0 when the
                data read back equals the data sent; a failed check ends the stream with one line

exit 0 when every party finishes and every claim is consistent (with --tpm: every party and the
TPM machine finish, every check holds, every TPM response HMAC verified (key-exchange,
provisioning), the TEE stored the sealed secret (provisioning), the TTP accepted the TPM's
Certify and Quote (attestation)); 1 otherwise; 2 usage error or swtpm not installed`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      json: { type: 'boolean' },
      seed: { type: 'string' },
      variant: { type: 'string' },
      suite: { type: 'string' },
      tpm: { type: 'string' },
      'tpm-port': { type: 'string' },
      tamper: { type: 'string' },
      svg: { type: 'string' },
      mermaid: { type: 'string' },
      protocol: { type: 'string' },
      stream: { type: 'string' },
      'records-per-session': { type: 'string' },
      engine: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument '${positionals[1]}'` : 'name a protocol (see tcv list)');
    const seed = values.seed === undefined ? undefined : intFlag('seed', values.seed, 0);
    const suite = suiteFlag(values.suite);
    const engine = engineFlag(values.engine);
    if (values.tamper !== undefined && values.tpm !== 'tztcm') throw new UsageError('--tamper needs --tpm tztcm');
    if (values.stream !== undefined || values['records-per-session'] !== undefined) {
      if (values.stream === undefined) throw new UsageError('--records-per-session needs --stream');
      if (positionals[0] !== channel.name && positionals[0] !== keyExchange.name) throw new UsageError(`--stream runs ${channel.name} (or ${keyExchange.name}), not '${positionals[0]}'`);
      if (values.variant !== undefined || values.svg !== undefined || values.mermaid !== undefined || values.engine !== undefined) throw new UsageError('--stream cannot be combined with --variant, --svg, --mermaid or --engine');
      if (values.tpm !== undefined && values.tpm !== 'tztcm' && !sameAlgorithms(suite, tpm2P256)) throw new UsageError(`--suite ${values.suite} cannot be combined with --tpm ${values.tpm} (swtpm has no SM3/SM4; use --tpm tztcm, which runs in TCM mode)`);
      const { runStream } = await import('./run-stream.ts');
      return runStream(values, seed, suite, io);
    }
    if (values.tpm !== undefined || values['tpm-port'] !== undefined) {
      if (values.svg !== undefined || values.mermaid !== undefined) throw new UsageError('--svg and --mermaid draw runs of our own machines, not --tpm runs');
      // swtpm has no SM3 or SM4 (docs/tcm-suite.md): the tcm suite runs only against the TZTCM, in its TCM mode
      if (!sameAlgorithms(suite, tpm2P256) && values.tpm !== 'tztcm') throw new UsageError(`--suite ${values.suite} cannot be combined with --tpm ${values.tpm ?? 'swtpm'} (swtpm has no SM3/SM4; use --tpm tztcm, which runs in TCM mode)`);
      return runOnTpm(positionals[0]!, values, seed, io, suite, engine);
    }
    // any protocol the tools know: the design's, the classic corpus, or one from a file
    const { ALL_PROTOCOLS } = await import('../../models/catalog.ts');
    const { oneProtocolFor } = await import('../protocol-files.ts');
    const target = targetOf(await oneProtocolFor(positionals[0]!, ALL_PROTOCOLS, values.protocol), values.variant);
    const { protocol } = target;
    assertWellFormed(protocol);
    const report = honestRun(target, { suite, engine, ...(seed === undefined ? {} : { seed }) });
    if (values.json) io.out(jsonOutput(report));
    else printReport(report, io.out);
    if (values.svg !== undefined || values.mermaid !== undefined) {
      const { honestSequence } = await import('../../impl/report/honest-sequence.ts');
      const { writeSequenceDiagrams } = await import('../diagram-files.ts');
      for (const f of writeSequenceDiagrams(values, [honestSequence(protocol, report)])) if (!values.json) io.out(`wrote ${f}`);
    }
    return report.ok ? 0 : 1;
  },
};

async function runOnTpm(name: string, values: { tpm?: string; 'tpm-port'?: string; tamper?: string; variant?: string; json?: boolean }, seed: number | undefined, io: CliIO, suite: CryptoSuite, engine: RoleEngine): Promise<number> {
  if (values.tpm !== 'swtpm' && values.tpm !== 'tztcm') throw new UsageError(values.tpm === undefined ? '--tpm-port needs --tpm swtpm' : `--tpm takes 'swtpm' or 'tztcm', got '${values.tpm}'`);
  const backend = values.tpm;
  if (backend === 'tztcm' && values['tpm-port'] !== undefined) throw new UsageError('--tpm-port needs --tpm swtpm (the TZTCM engine runs in-process)');
  if (!(TPM_PROTOCOLS as readonly string[]).includes(name)) throw new UsageError(`--tpm ${backend} runs ${TPM_PROTOCOLS.join(', ')}, not '${name}'`);
  if (values.variant !== undefined) throw new UsageError(`--variant cannot be combined with --tpm ${backend}`);
  const port = values['tpm-port'] === undefined ? undefined : intFlag('tpm-port', values['tpm-port'], 0);
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--tpm-port wants a port in 1..65535, got ${port}`);
  if (values.tamper !== undefined && !TZTCM_TAMPER[values.tamper]) throw new UsageError(`--tamper wants one of ${Object.keys(TZTCM_TAMPER).join(', ')}, got '${values.tamper}'`);
  const protocol = protocolByName(name);
  assertWellFormed(protocol);
  let report: TpmRunReport;
  let stoppedBy: Awaited<ReturnType<typeof interruptible>>['stoppedBy'] = null;
  try {
    // SIGINT/SIGTERM end the run through its clean-up (flush, close), not in the middle of it
    ({ value: report, stoppedBy } = await interruptible((signal) => runWithSwtpm(protocol, { backend, suite, engine, ...(port === undefined ? {} : { port }), ...(seed === undefined ? {} : { seed }), ...(values.tamper === undefined ? {} : { tamper: values.tamper }), signal })));
  } catch (e) {
    if (e instanceof SwtpmNotFoundError) {
      io.err(`tcv run: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (stoppedBy) {
    io.err(`tcv run: interrupted by ${stoppedBy}; the run's clean-up ran (what it loaded in the TPM flushed, the connection closed)`);
    return signalExit(stoppedBy);
  }
  if (values.json) io.out(jsonOutput(report));
  else {
    printReport(report, io.out);
    const t = report.tpm;
    io.out('');
    if (t.responseHmacsVerified === null) io.out(`  TPM: ${t.backend}`);
    else io.out(`  TPM: ${t.backend}; session established: ${t.sessionEstablished ? 'yes' : 'no'}; every TPM response HMAC verified: ${t.responseHmacsVerified ? 'yes' : 'no'}`);
    for (const c of t.commands) io.out(`      ${c.command.padEnd(22)} for ${c.forMessage.padEnd(16)} response HMAC: ${c.responseHmacVerified === null ? 'none (no session in the command)' : c.responseHmacVerified ? 'verified' : 'NOT verified'}`);
    if (t.attestation) {
      const a = t.attestation;
      io.out(`  attestation: AK ${a.ak.name.slice(0, 16)}…, Q ${a.q.name.slice(0, 16)}…, PCRs ${a.pcrSelection}, reference pcr ${a.pcrReference.slice(0, 16)}…`);
      if (a.certify) io.out(`      certify: extraData ${a.certify.extraData.slice(0, 16)}…, certified Name ${a.certify.certifiedName.slice(0, 16)}…`);
      if (a.quote) io.out(`      quote:   extraData ${a.quote.extraData.slice(0, 16)}…, pcrDigest ${a.quote.pcrDigest.slice(0, 16)}…, quoted state ${a.quote.quoteState.slice(0, 16)}…`);
      if (a.measuredBoot) {
        for (const e of a.measuredBoot.log) io.out(`      boot log: PCR ${String(e.pcr).padStart(2)} ${e.alg} ${e.digest.slice(0, 16)}…  ${e.event}`);
        const mb = a.measuredBoot;
        io.out(`      measured boot: log replays to the quote: ${mb.logMatchesQuote === null ? 'no quote' : mb.logMatchesQuote ? 'yes' : 'NO'}; events not the reference value: ${mb.problems.length ? mb.problems.join('; ') : 'none'}`);
      }
    }
    if (t.secret) io.out(`  secret delivered: ${t.secret.equal ? `the TEE's stored S equals the secret sealed in ${backend === 'tztcm' ? 'the TZTCM' : 'swtpm'}` : 'NO — the TEE did not store the sealed secret'}`);
    if (t.failure) io.out(`  failure: ${t.failure.kind}${t.failure.rc ? ` ${t.failure.rc}` : ''} in ${t.failure.command}: ${t.failure.message}`);
  }
  return report.ok ? 0 : 1;
}

export function printReport(r: RunReport, out: (l: string) => void): void {
  out(`${r.protocol}${r.variant ? ` (${r.variant})` : ''} — honest run, suite ${r.suite}${r.seed !== null ? `, seed ${r.seed}` : ''}, ${r.ms.toFixed(1)} ms`);
  out('');
  const w = Math.max(...r.messages.map((m) => `${m.from} → ${m.to}`.length));
  for (const m of r.messages) {
    const note = m.status === 'delivered' ? '' : `  (${m.status})`;
    out(`  ${String(m.id).padStart(2)}. ${`${m.from} → ${m.to}`.padEnd(w)}  ${m.label.padEnd(22)} ${String(m.size).padStart(4)} B${note}`);
  }
  out('');
  for (const p of r.parties) {
    const f = p.failure as { label: string; code: string; message: string } | null;
    out(`  ${p.role}${p.role !== p.party ? ` (${p.party})` : ''} @ ${p.agent}: ${p.state}${f ? ` — ${f.code}: ${f.message} [${f.label}]` : ''}`);
    for (const c of r.claims.filter((x) => x.role === p.role)) out(`      ${c.event}(${c.tag}) ${c.show}`);
    for (const [slot, v] of Object.entries(p.stored)) out(`      stored ${slot}: ${v}`);
  }
  out('');
  for (const s of r.secrets) out(`  secret ${s.tag}: ${s.values.map((v) => `${v.role} ${v.hex.slice(0, 16)}…`).join(', ')}${s.values.length > 1 ? (s.equal ? '  (equal)' : '  (DIFFERENT)') : ''}`);
  for (const c of r.checks) out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.id} ${c.kind}: ${c.detail}`);
  out('');
  out(r.ok ? 'every party finished; every claim is consistent' : 'the run did not complete as expected');
}

/** `--engine`: compiled (default) or xstate; anything else a usage error naming both. */
function engineFlag(value: string | undefined): RoleEngine {
  if (value === undefined) return 'compiled';
  const e = ROLE_ENGINES.find((x) => x === value);
  if (!e) throw new UsageError(`--engine takes ${ROLE_ENGINES.join(' or ')}, got '${value}'`);
  return e;
}
