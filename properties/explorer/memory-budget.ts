/**
 * The explorer's memory budget: a fraction of the heap limit V8 was started with
 * (`--max-old-space-size`, or V8's default for the machine). The visited set grows with every
 * state, so a search too large for the bound would otherwise end in V8's fatal "heap out of
 * memory" (exit 134, no report). Past the budget the search stops like at any other budget and
 * reports `inconclusive` with the reason; the rest of the heap is left for what follows (the
 * trace minimising, the report).
 * @module
 */
import { getHeapStatistics } from 'node:v8';

/** The share of the heap limit a search may fill before it is cut. */
export const HEAP_FRACTION = 0.75;

export interface MemoryBudget {
  /** the reason to stop, once the heap in use is past the budget; else null */
  exceeded(): string | null;
}

export function heapBudget(fraction = HEAP_FRACTION): MemoryBudget {
  const limit = getHeapStatistics().heap_size_limit;
  const budget = limit * fraction;
  return {
    exceeded() {
      const used = getHeapStatistics().used_heap_size;
      return used > budget ? `memory budget (${Math.round(fraction * 100)}% of the ${Math.round(limit / 2 ** 20)} MB heap limit) reached` : null;
    },
  };
}
