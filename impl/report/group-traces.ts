/**
 * Properties broken by the same trace share one printed trace: sequences whose events are the
 * same (the violating marks aside) are merged into one, with every violation listed and every
 * violating step marked.
 * @module
 */
import type { Sequence, SequenceEvent } from './sequence.ts';

function shape(s: Sequence): string {
  const plain = s.events.map((e) => ('violating' in e ? { ...e, violating: false } : e));
  return JSON.stringify([plain, s.legend, s.omitted]);
}

function mergeEvent(a: SequenceEvent, b: SequenceEvent): SequenceEvent {
  return 'violating' in a && 'violating' in b && b.violating && !a.violating ? ({ ...a, violating: true } as SequenceEvent) : a;
}

/** The sequences, those with the same events merged (in the order of their first). */
export function groupSequences(seqs: readonly Sequence[]): Sequence[] {
  const groups = new Map<string, Sequence>();
  for (const s of seqs) {
    const k = shape(s);
    const g = groups.get(k);
    if (!g) {
      groups.set(k, s);
      continue;
    }
    groups.set(k, {
      ...g,
      title: `${g.title}, ${s.title.replace(/^attack on /, '')}`,
      violations: [...g.violations, ...s.violations],
      // a secrecy violation brings how the attacker derives the secret
      derivation: [...g.derivation, ...s.derivation.filter((d) => !g.derivation.includes(d))],
      events: g.events.map((e, i) => mergeEvent(e, s.events[i]!)),
    });
  }
  return [...groups.values()];
}
