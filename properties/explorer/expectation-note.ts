/**
 * What the text output adds to an expectation lowered at a runs bound: an attack the model
 * declares to need more runs (`PropertyDecl.attackFromRuns`) is expected to be absent at fewer,
 * so 'holds' there is no difference, and the note says from which bound the attack is expected.
 * Its own module, with type imports only: the CLI prints it without loading the explorer.
 * @module
 */
import type { PropertyReport } from './verify.ts';

export function expectationNote(x: Pick<PropertyReport, 'expectedAttackFromRuns'>, short = false): string {
  const n = x.expectedAttackFromRuns;
  return n === undefined ? '' : short ? ` (attack from --runs ${n})` : `  (holds at this bound; attack expected from --runs ${n})`;
}
