/**
 * The neutral message-sequence data every picture and every readable trace is drawn from: the
 * lifelines (role instances, and the attacker `E` in an attack), the events in order (messages,
 * the attacker's deductions, claims, compromises), the legend of abbreviations, and for an
 * attack its summary and violation. The explorer (`properties/explorer/trace-sequence.ts`) and
 * the runtime (`honest-sequence.ts`) convert their traces into it; the renderers
 * (`text-trace.ts`, `svg-sequence.ts`, `mermaid-sequence.ts`) read nothing else. Plain data,
 * JSON-serialisable (it crosses worker threads inside the explorer's reports).
 * @module
 */

/** The attacker's lifeline id. */
export const ATTACKER = 'E';

export interface Lifeline {
  /** `TEE1`, `R1`, or `E` for the attacker */
  readonly id: string;
  /** what the instance is, e.g. `self=n1, ttp=ttp` (empty for the attacker) */
  readonly detail: string;
}

/** One abbreviation of the legend: `sKey.TEE1 = kdfa(seed.TEE1, 'ATH', ~nT.TPM1, ~nC.TEE1)`. */
export interface LegendEntry {
  readonly name: string;
  /** the term it stands for, itself abbreviated (every name it uses is defined in the legend) */
  readonly term: string;
  /** `bound`: a value a party bound to this variable; `chosen`: a value the attacker chose */
  readonly kind: 'bound' | 'chosen';
}

/**
 * How a message travelled. `sent`: honest delivery (an honest run); `forwarded`: the attacker
 * passed it on unchanged to the instance the arrow points at; `intercepted`: it went to the
 * attacker and was never delivered as it was; `built`: the attacker made it (from what it knew).
 */
export type MessageHow = 'sent' | 'forwarded' | 'intercepted' | 'built';

export type SequenceEvent =
  | {
      readonly kind: 'message';
      /** the trace step (1-based) this arrow belongs to */
      readonly step: number;
      readonly from: string;
      readonly to: string;
      readonly label: string;
      /** the abbreviated term */
      readonly term: string;
      readonly how: MessageHow;
      /** for a forwarded message: the step at which it was received */
      readonly receivedAt?: number;
      readonly violating?: boolean;
    }
  | {
      readonly kind: 'deduction';
      readonly step: number;
      readonly text: string;
      /** a value taken from the attacker's initial knowledge: folded unless asked for */
      readonly noise: boolean;
    }
  | { readonly kind: 'claim'; readonly step: number; readonly on: string; readonly text: string; readonly violating: boolean }
  | { readonly kind: 'reveal'; readonly step: number; readonly text: string }
  /** a step's header: which instance took which transition */
  | { readonly kind: 'step'; readonly step: number; readonly on: string; readonly transition: string; readonly violating: boolean };

export interface Sequence {
  readonly title: string;
  readonly kind: 'honest' | 'attack';
  readonly lifelines: readonly Lifeline[];
  readonly legend: readonly LegendEntry[];
  /** an attack: one paragraph on what the attacker did */
  readonly summary: string | null;
  /** further lines shown under the summary (e.g. the replay of the attack with real crypto) */
  readonly notes?: readonly string[];
  /** an attack: the violation, per property broken by this trace */
  readonly violations: readonly { readonly property: string; readonly why: string; readonly step: number }[];
  readonly events: readonly SequenceEvent[];
  /** secrecy: how the attacker derives the secret at the end */
  readonly derivation: readonly string[];
  /** steps of the path found that the attack does not use (left out) */
  readonly omitted: number;
}

/** The steps a sequence marks as violating. */
export function violatingSteps(s: Sequence): Set<number> {
  return new Set(s.violations.map((v) => v.step));
}
