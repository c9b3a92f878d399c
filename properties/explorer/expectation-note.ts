/**
 * What the text output adds to an expectation lowered at a runs bound: an attack the model
 * declares to need more runs (`PropertyDecl.attackFromRuns`) is expected to be absent at fewer,
 * so 'holds' there is no difference, and the note says from which bound the attack is expected;
 * or one the sessions bound cannot reach, expected from that runs bound on.
 * Its own module, with type imports only: the CLI prints it without loading the explorer.
 * @module
 */
import type { PropertyReport } from './verify.ts';

export function expectationNote(x: Pick<PropertyReport, 'expectedAttackFromRuns' | 'expected'>, short = false): string {
  const n = x.expectedAttackFromRuns;
  if (n === undefined) return '';
  if (short) return ` (attack from --runs ${n})`;
  // raised: an attack the sessions bound excludes (an agent in both roles), declared from n runs
  return x.expected === 'attack' ? `  (an attack only the runs bound reaches: expected from --runs ${n})` : `  (holds at this bound; attack expected from --runs ${n})`;
}
