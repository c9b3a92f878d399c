/**
 * One query of an exported ProVerif model as a model of its own, the way `tcv prove` runs
 * ProVerif: a run per query, as Tamarin runs a lemma at a time (`--prove=NAME`). ProVerif 2.05
 * saturates the clauses once for the queries of a run, keeping as blocking events every event
 * any of them names; one query per run keeps only its own. On key-exchange that made the
 * secrecy query end in 54 s where the whole file ran past 300 s.
 *
 * `plainNames` writes every `new n: T` as `new n[]: T` (manual §6.7.3: the name then depends
 * on its replication's session only, not on the messages received before it). On the replayed
 * MACs of tztcm-session M4.1 the names' arguments nest a session's inputs inside each other and
 * the clauses grow without end (P4.3 gave no result in 300 s); without them the query is
 * decided in 0.1 s. The abstraction is coarser, so it can only lose a proof: a `true` still
 * holds, and ProVerif says `false` only with an attack trace it rebuilt on the process itself;
 * anything else ("cannot be proved") is retried on the model as exported.
 * @module
 */

/** The model with only its `index`-th query (0-based, in file order). */
export function oneQuery(pv: string, index: number, opts: { plainNames?: boolean } = {}): string {
  let n = -1;
  const lines = pv.split('\n').filter((l) => !l.startsWith('query ') || ++n === index);
  if (index < 0 || index > n) throw new RangeError(`the model has ${n + 1} queries, not a query ${index + 1}`);
  const text = lines.join('\n');
  return opts.plainNames ? text.replace(/^(\s*new [A-Za-z][A-Za-z0-9_']*): /gm, '$1[]: ') : text;
}

/** Is the query a secrecy query (an `attacker(…)` premise): the ones run with plain names first. */
export function isSecrecyQuery(pv: string, index: number): boolean {
  const q = pv.split('\n').filter((l) => l.startsWith('query '))[index] ?? '';
  return /&& attacker\(/.test(q);
}
