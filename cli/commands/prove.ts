/**
 * `tcv prove FILE`: runs a locally installed `tamarin-prover --prove --quit-on-warning FILE`
 * and judges its summary. Tamarin's own exit code is 0 even when a lemma is falsified, so a
 * script cannot rely on it; this command reads the "summary of summaries" instead.
 *
 * A theory exported by `tcv export` states each lemma's expected verdict (`// expected: holds`
 * or `attack` above the lemma). A falsified lemma is a failure unless its expected verdict is
 * `attack` (a known-bad variant, or P2.4 in the salted mode); a lemma expected to be falsified
 * that is verified is a failure too; `analysis incomplete` is a failure (inconclusive).
 * `--no-expect` ignores the expectations: any falsified lemma fails.
 * @module
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Command, parseFlags, UsageError } from '../command.ts';

/** The largest theory `tcv prove` reads (exported theories are tens of kilobytes). */
const MAX_THEORY_BYTES = 64 << 20;

export interface LemmaResult {
  readonly lemma: string;
  readonly trace: 'all-traces' | 'exists-trace';
  readonly verdict: 'verified' | 'falsified' | 'incomplete';
  readonly detail: string;
}

/** The lemma lines of Tamarin's summary ("name (all-traces): verified (12 steps)"). */
export function parseTamarinSummary(text: string): LemmaResult[] {
  const at = text.lastIndexOf('summary of summaries');
  const body = at < 0 ? text : text.slice(at);
  const out: LemmaResult[] = [];
  for (const line of body.split('\n')) {
    const m = /^\s*([A-Za-z0-9_]+) \((all-traces|exists-trace)\): (verified|falsified|analysis incomplete)(.*)$/.exec(line);
    if (m) out.push({ lemma: m[1]!, trace: m[2] as LemmaResult['trace'], verdict: m[3] === 'analysis incomplete' ? 'incomplete' : (m[3] as 'verified' | 'falsified'), detail: m[4]!.trim() });
  }
  return out;
}

/** Expected verdicts stated in an exported theory: the `// expected:` comment above a lemma. */
export function expectedVerdicts(spthy: string): Map<string, 'holds' | 'attack'> {
  const out = new Map<string, 'holds' | 'attack'>();
  let pending: 'holds' | 'attack' | null = null;
  for (const line of spthy.split('\n')) {
    const e = /^\/\/ expected: (holds|attack)\b/.exec(line);
    if (e) pending = e[1] as 'holds' | 'attack';
    const l = /^lemma ([A-Za-z0-9_]+)/.exec(line);
    if (l) {
      if (pending) out.set(l[1]!, pending);
      pending = null;
    }
  }
  return out;
}

/** The first executable `name` on the PATH, or null. */
export function onPath(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

export const proveCommand: Command = {
  name: 'prove',
  summary: 'run a local tamarin-prover on a theory and judge its summary',
  help: `usage: tcv prove FILE [--no-expect]

Runs 'tamarin-prover --prove --quit-on-warning FILE' (tamarin-prover must be on the PATH;
it is not installable from this project's package registries) and reads the summary of
every lemma. Tamarin exits 0 even when a lemma is falsified; this command does not.

A theory written by 'tcv export' states each lemma's expected verdict: a falsified lemma
whose expected verdict is 'attack' (a known-bad variant) is as expected.

  --no-expect   ignore the stated expectations: any falsified lemma fails

exit 0 when every lemma has its expected verdict; 1 when one differs (falsified, or
verified where an attack is expected, or analysis incomplete) or Tamarin reports a
warning or an error; 2 usage error or tamarin-prover not installed`,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { 'no-expect': { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument '${positionals[1]}'` : 'name a .spthy file');
    const file = positionals[0]!;
    if (!existsSync(file)) throw new UsageError(`no such file '${file}'`);
    // a directory or a device is no theory, and a huge file would be read whole
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`'${file}' is not a regular file${st.isDirectory() ? ' (a directory)' : ''}`);
    if (st.size > MAX_THEORY_BYTES) throw new UsageError(`'${file}' has ${st.size} bytes; a theory over ${MAX_THEORY_BYTES >> 20} MB is refused`);
    const exe = onPath('tamarin-prover');
    if (!exe) throw new UsageError(`tamarin-prover is not on the PATH; install Tamarin (https://tamarin-prover.com) or run 'tamarin-prover --prove ${file}' where it is installed`);
    const expected = values['no-expect'] ? new Map<string, 'holds' | 'attack'>() : expectedVerdicts(readFileSync(file, 'utf8'));
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(exe, ['--prove', '--quit-on-warning', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let so = '';
      let se = '';
      child.stdout.on('data', (d: Buffer) => (so += d.toString()));
      child.stderr.on('data', (d: Buffer) => (se += d.toString()));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c ?? 1, stdout: so, stderr: se }));
    });
    const results = parseTamarinSummary(`${stdout}\n${stderr}`);
    if (results.length === 0) {
      io.err(`tcv prove: tamarin-prover gave no lemma summary (exit ${code}); its last output:`);
      for (const l of (stderr || stdout).trim().split('\n').slice(-15)) io.err(`  ${l}`);
      return 1;
    }
    let bad = 0;
    for (const r of results) {
      const want = expected.get(r.lemma) ?? 'holds';
      const wantVerdict = r.trace === 'exists-trace' ? 'verified' : want === 'holds' ? 'verified' : 'falsified';
      const ok = r.verdict === wantVerdict;
      if (!ok) bad++;
      io.out(`${ok ? 'ok  ' : 'FAIL'} ${r.lemma.padEnd(36)} ${r.verdict.padEnd(10)} ${expected.has(r.lemma) ? `(expected ${want})` : ''} ${r.detail}`.trimEnd());
    }
    if (code !== 0) {
      io.err(`tcv prove: tamarin-prover exited with ${code}`);
      return 1;
    }
    io.out(bad ? `${bad} of ${results.length} lemmas differ from what is expected` : `all ${results.length} lemmas as expected`);
    return bad ? 1 : 0;
  },
};
