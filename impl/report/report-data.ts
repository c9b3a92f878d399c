/**
 * What the HTML report shows, as plain data (the CLI composes it from the explorer's reports,
 * the honest runs and the machines; `html-report.ts` renders it and reads nothing else).
 * Diagrams come as finished SVG text.
 * @module
 */
import type { Sequence } from './sequence.ts';

export interface ReportVerdict {
  readonly id: string;
  readonly kind: string;
  readonly expected: string;
  readonly verdict: string;
  /** the bound this verdict was decided at */
  readonly bound: string;
  /** the anchor of the attack section showing its trace */
  readonly attack?: string;
}

export interface ReportTarget {
  readonly protocol: string;
  readonly variant: string | null;
  readonly bound: string;
  readonly states: number;
  readonly ms: number;
  readonly cut?: string;
  readonly verdicts: readonly ReportVerdict[];
}

export interface ReportReplay {
  readonly reproduced: boolean;
  readonly detail: string;
  readonly correct: { readonly reproduced: boolean; readonly detail: string } | null;
}

export interface ReportAttack {
  readonly anchor: string;
  readonly protocol: string;
  readonly variant: string | null;
  readonly properties: readonly string[];
  readonly sequence: Sequence;
  readonly svg: string;
  readonly replay?: ReportReplay;
}

export interface ReportDiagram {
  readonly anchor: string;
  readonly title: string;
  readonly svg: string;
}

export interface ReportProtocol {
  readonly anchor: string;
  readonly name: string;
  readonly title: string;
  readonly source: string;
  readonly roles: readonly { readonly role: string; readonly party: string }[];
  readonly properties: readonly { readonly id: string; readonly kind: string; readonly statement: string }[];
  readonly variants: readonly { readonly id: string; readonly title: string; readonly breaks: readonly string[]; readonly diagram?: string }[];
  /** the base machines, then each variant's with its edit highlighted */
  readonly machines: readonly ReportDiagram[];
  /** an honest run with real crypto */
  readonly honest: ReportDiagram | null;
}

export interface ReportData {
  readonly title: string;
  /** when and how it was made, one line */
  readonly made: string;
  readonly targets: readonly ReportTarget[];
  readonly attacks: readonly ReportAttack[];
  readonly protocols: readonly ReportProtocol[];
}

/** An anchor from parts: lowercase letters, digits and dashes. */
export function anchorOf(...parts: readonly (string | null | undefined)[]): string {
  return parts
    .filter((x): x is string => !!x)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
