/**
 * Reading the provers' answers on an export: the expected verdicts an exported file states
 * (from the models: `expected`, `breaks`), the lemmas or queries it holds, and the verdicts in
 * Tamarin's and ProVerif's output. Pure text in, data out; `tcv prove` runs the provers.
 *
 * - Tamarin (manual §"Running Tamarin"): the "summary of summaries" gives one line per lemma,
 *   `name (all-traces): verified (12 steps)`, `falsified - found trace (9 steps)` or
 *   `analysis incomplete (1 steps)`. Tamarin's exit code does not say which.
 * - ProVerif 2.05 (manual §4.3): one `RESULT <query> is true.` / `is false.` / `cannot be
 *   proved.` line per query, in the order of the file; an injective query that is false also
 *   prints the non-injective one as `RESULT (even ... )`, which is not a query of the file.
 * @module
 */

export type Expectation = 'holds' | 'attack' | 'reachable';

/** A lemma (Tamarin) or a query (ProVerif) of an exported file, with what the models expect. */
export interface Goal {
  /** the lemma name, or for ProVerif the P id (`P2.1`, `P2.2 TPM->TEE`) or `executable ROLE` */
  readonly name: string;
  readonly expected: Expectation;
  /** Tamarin: a `[sources]` or `[reuse]` lemma, which the lemmas after it use */
  readonly helper?: boolean;
  /** Tamarin: a `[sources]` lemma (a helper `tcv prove` selects in every later lemma's run) */
  readonly sources?: boolean;
}

export type Verdict = 'verified' | 'falsified' | 'incomplete' | 'cannot-be-proved' | 'timeout' | 'error';

export interface GoalResult {
  readonly name: string;
  readonly verdict: Verdict;
  readonly detail: string;
}

/** The lemmas of a theory in order, each with the `// expected:` comment above it (exists-trace
 * lemmas expect a trace). Sources lemmas are goals too: they must be proved. */
export function tamarinGoals(spthy: string): Goal[] {
  const out: Goal[] = [];
  let pending: 'holds' | 'attack' | null = null;
  const lines = spthy.split('\n');
  lines.forEach((line, i) => {
    const e = /^\/\/ expected: (holds|attack)\b/.exec(line);
    if (e) pending = e[1] as 'holds' | 'attack';
    const l = /^lemma ([A-Za-z0-9_]+)/.exec(line);
    if (!l) return;
    const exists = /exists-trace/.test(lines.slice(i, i + 2).join(' '));
    const helper = /^lemma [A-Za-z0-9_]+ \[(?:sources|reuse)\]/.test(line);
    const sources = /^lemma [A-Za-z0-9_]+ \[sources\]/.test(line);
    out.push({ name: l[1]!, expected: exists ? 'reachable' : (pending ?? 'holds'), ...(helper ? { helper } : {}), ...(sources ? { sources } : {}) });
    pending = null;
  });
  return out;
}

/** The lemma lines of Tamarin's summary. */
export function parseTamarinSummary(text: string): { lemma: string; trace: 'all-traces' | 'exists-trace'; verdict: 'verified' | 'falsified' | 'incomplete'; detail: string }[] {
  const at = text.lastIndexOf('summary of summaries');
  const body = at < 0 ? text : text.slice(at);
  const out: ReturnType<typeof parseTamarinSummary> = [];
  for (const line of body.split('\n')) {
    const m = /^\s*([A-Za-z0-9_]+) \((all-traces|exists-trace)\): (verified|falsified|analysis incomplete)(.*)$/.exec(line);
    if (m) out.push({ lemma: m[1]!, trace: m[2] as 'all-traces' | 'exists-trace', verdict: m[3] === 'analysis incomplete' ? 'incomplete' : (m[3] as 'verified' | 'falsified'), detail: m[4]!.replace(/^\s*-\s*/, '').trim() });
  }
  return out;
}

/** The queries of a ProVerif model in order: the P id and expectation from the comments the
 * exporter writes above each (`(* P2.1 (secrecy, …) *)`, `(* expected: holds … *)`, `(* TEE
 * commits, TPM runs *)`, `(* executability: TEE can finish … *)`). */
export function proverifGoals(pv: string): Goal[] {
  const out: Goal[] = [];
  let id: string | null = null;
  let dir = '';
  let expected: Expectation | null = null;
  for (const line of pv.split('\n')) {
    const p = /^\(\* ([A-Za-z0-9.]+) \(/.exec(line);
    if (p) {
      id = p[1]!;
      dir = '';
      expected = null;
    }
    const e = /^\(\* expected: (holds|attack)\b/.exec(line);
    if (e) expected = e[1] as 'holds' | 'attack';
    const d = /^\(\* (\S+) commits, (\S+) runs \*\)/.exec(line);
    if (d) dir = ` ${d[1]}->${d[2]}`;
    // a secrecy query per claiming role
    const r = /^\(\* the secret of (\S+) \*\)/.exec(line);
    if (r) dir = ` ${r[1]}`;
    const x = /^\(\* executability: (\S+) can finish/.exec(line);
    if (x) {
      id = `executable ${x[1]}`;
      dir = '';
      expected = 'reachable';
    }
    if (/^query /.test(line)) {
      out.push({ name: `${id ?? `query ${out.length + 1}`}${dir}`, expected: expected ?? 'holds' });
      dir = '';
    }
  }
  return out;
}

/** ProVerif's RESULT lines in order (the `(even …)` companions of injective queries left out). */
export function parseProverifResults(text: string): ('true' | 'false' | 'cannot-be-proved')[] {
  const out: ('true' | 'false' | 'cannot-be-proved')[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('RESULT ') || line.startsWith('RESULT (even')) continue;
    if (/ is true\.$/.test(line)) out.push('true');
    else if (/ is false\.$/.test(line)) out.push('false');
    else if (/ cannot be proved\.$/.test(line)) out.push('cannot-be-proved');
  }
  return out;
}

/** A ProVerif answer as a verdict on the goal: `true` verifies a property; on a reachability
 * query (`query event(Finish(…))`, which asks ProVerif to prove the event unreachable) `false`
 * means the event is reachable, which verifies executability. */
export function proverifVerdict(goal: Goal, answer: 'true' | 'false' | 'cannot-be-proved'): Verdict {
  if (answer === 'cannot-be-proved') return 'cannot-be-proved';
  if (goal.expected === 'reachable') return answer === 'false' ? 'verified' : 'falsified';
  return answer === 'true' ? 'verified' : 'falsified';
}

/** Does a verdict answer the expectation? (`reachable`: a trace exists, i.e. verified.) */
export function asExpected(expected: Expectation, verdict: Verdict): boolean {
  return expected === 'attack' ? verdict === 'falsified' : verdict === 'verified';
}

/** The property a ProVerif goal belongs to: its P id (`P2.2 TEE->TPM` → `P2.2`); an
 * executability goal is its own. */
export function propertyOf(goal: string): string {
  return goal.startsWith('executable') ? goal : goal.split(' ')[0]!;
}

/**
 * Each goal's verdict against its expectation, judged per property. A mutual agreement is one
 * ProVerif query per direction (Tamarin: one lemma, the conjunction), and a variant that
 * breaks it may break one direction only (key-exchange M2.2: the TPM's P2.2 falsified, the
 * TEE's verified), so an expected attack is met when **any** query of the property is
 * falsified — every query of it is then as expected. An expected `holds` still needs every
 * query verified.
 */
export function asExpectedByProperty(goals: readonly { readonly name: string; readonly expected: Expectation; readonly verdict: Verdict }[]): boolean[] {
  const broken = new Set(goals.filter((g) => g.expected === 'attack' && g.verdict === 'falsified').map((g) => propertyOf(g.name)));
  return goals.map((g) => asExpected(g.expected, g.verdict) || (g.expected === 'attack' && broken.has(propertyOf(g.name))));
}
