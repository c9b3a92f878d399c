/**
 * Checks of a minimised attack trace (`minimise.ts`), shared by the minimise tests and the
 * differential fuzzer: its steps are part of the path the search found, and judged again by a
 * fresh solver on the state they end in, they still violate the property.
 * @module
 */
import type { TraceStep } from '../../../properties/explorer/execute.ts';
import { type Finding, judgeAt } from '../../../properties/explorer/search.ts';
import { newSolveContext } from '../../../properties/explorer/deduction.ts';

/** A step by who takes it and which transition (or which reveal). */
export const stepSig = (s: TraceStep): string => (s.reveal ? `reveal ${s.reveal.event} ${s.reveal.agent}` : `${s.inst}:${s.transition}`);

/** Are the steps `kept` a subsequence of `path`? */
export function partOf(kept: readonly TraceStep[], path: readonly TraceStep[]): boolean {
  let j = 0;
  for (const x of path) if (j < kept.length && stepSig(kept[j]!) === stepSig(x)) j++;
  return j === kept.length;
}

/** Does the short finding's state violate its property, judged again from scratch? */
export function violatesAgain(short: Finding): boolean {
  return judgeAt(short.prop, short.state, newSolveContext()) !== null;
}
