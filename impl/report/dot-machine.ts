/**
 * The party machines of a protocol as a Graphviz DOT graph: a cluster per role, a node per
 * state (the initial one marked, final ones doubled, `failed` muted), an edge per transition
 * labelled by its name, its trigger (START, or the message it receives and from whom) and the
 * messages it sends; the fallback of each waiting state to `failed` (drawn beside it) in a muted, dashed
 * style, labelled with the checks that lead there. Against a base protocol, a variant's edit is
 * highlighted: a transition whose steps differ (and one the variant adds) in the edit colour,
 * one it drops dashed, with the variant's id. Read through `roleOf` only; laid out by
 * `svg-machine.ts`. Classes (`class=`) carry the styles, so one style sheet themes the SVG.
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import { roleOf } from '../../models/role.ts';
import type { Step, TransitionSpec } from '../../models/steps.ts';

export interface MachineGraphRole {
  readonly role: string;
  readonly machine: AnyStateMachine;
  /** the same role's machine in the base protocol, when `machine` is a variant's */
  readonly base?: AnyStateMachine;
}

export interface DotOptions {
  /** the variant's id, named on the edges its edit changed */
  readonly variant?: string;
}

/** A DOT string literal. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function triggerText(t: TransitionSpec): string {
  const r = t.steps.find((s): s is Extract<Step, { op: 'recv' }> => s.op === 'recv');
  return r ? `on ${r.label} (from ${r.from})` : `on ${t.trigger}`;
}

function edgeLabel(t: TransitionSpec): string {
  const sends = t.steps.filter((s): s is Extract<Step, { op: 'send' }> => s.op === 'send');
  const claims = t.steps.filter((s): s is Extract<Step, { op: 'claim' }> => s.op === 'claim' && s.event !== 'Finish');
  return [
    t.label,
    triggerText(t),
    ...sends.map((s) => `sends ${s.label} → ${s.to}`),
    ...(claims.length ? [`claims ${claims.map((c) => `${c.event}(${c.tag})`).join(' ')}`] : []),
  ].join('\n');
}

/** The labels of the checks (and destructors) a transition can fail on. */
function failureText(ts: readonly TransitionSpec[]): string {
  const checks = [...new Set(ts.flatMap((t) => t.steps.flatMap((s) => (s.op === 'check' || s.op === 'match' ? [s.label] : []))))];
  const shown = checks.slice(0, 3).join(', ') + (checks.length > 3 ? `, +${checks.length - 3}` : '');
  return checks.length ? `rejects: ${shown}` : 'rejects: unexpected message';
}

const same = (a: TransitionSpec, b: TransitionSpec) => JSON.stringify(a) === JSON.stringify(b);

function stepName(s: Step): string {
  switch (s.op) {
    case 'recv':
    case 'send':
      return `${s.op} ${s.label}`;
    case 'check':
    case 'match':
    case 'let':
      return s.label.startsWith(`${s.op} `) ? s.label : `${s.op} ${s.label}`;
    case 'fresh':
      return `fresh ${s.v.name}`;
    case 'claim':
      return `${s.event}(${s.tag})`;
    case 'store':
      return `store ${s.slot}`;
  }
}

/** What a variant's edit did to a transition, in a few words: the steps it drops, changes, adds. */
export function editText(base: TransitionSpec, edited: TransitionSpec): string {
  const key = (x: Step) => JSON.stringify(x);
  const kept = new Set(edited.steps.map(key));
  const had = new Set(base.steps.map(key));
  const gone = base.steps.filter((x) => !kept.has(key(x))).map(stepName);
  const added = edited.steps.filter((x) => !had.has(key(x))).map(stepName);
  const changed = gone.filter((n) => added.includes(n));
  const parts = [
    ...changed.map((n) => `changes ${n}`),
    ...gone.filter((n) => !changed.includes(n)).map((n) => `drops ${n}`),
    ...added.filter((n) => !changed.includes(n)).map((n) => `adds ${n}`),
  ];
  return parts.length ? parts.join('; ') : 'edited';
}

/** The DOT source of the roles' machines (one cluster each). */
export function dotMachines(roles: readonly MachineGraphRole[], opts: DotOptions = {}): string {
  const out = [
    'digraph machines {',
    '  graph [rankdir=TB, fontname="Courier", fontsize=12, nodesep=0.5, ranksep=0.45, class="bg", bgcolor="transparent"];',
    '  node [shape=box, style="rounded", fontname="Courier", fontsize=12, class="state", height=0.35];',
    '  edge [fontname="Courier", fontsize=10, class="ok", arrowsize=0.7];',
  ];
  roles.forEach((r, k) => {
    const def = roleOf(r.machine);
    const base = r.base ? roleOf(r.base) : null;
    const id = (s: string) => dotString(`${def.role}:${s}`);
    const states = new Set<string>([def.initial, ...def.transitions.flatMap((t) => [t.from, t.to])]);
    const dropped = base ? base.transitions.filter((b) => !def.transitions.some((t) => t.label === b.label)) : [];
    for (const t of dropped) states.add(t.from).add(t.to);
    const from = new Set(def.transitions.map((t) => t.from));
    out.push(`  subgraph cluster_${k} {`);
    out.push(`    label=${dotString(`${def.role} (${def.party})${opts.variant && base ? ` — ${opts.variant}` : ''}`)}; class="cluster"; fontsize=13;`);
    out.push(`    ${dotString(`${def.role}:__start`)} [shape=point, width=0.12, class="start", label=""];`);
    for (const s of states) {
      const final = !from.has(s);
      out.push(`    ${id(s)} [label=${dotString(s)}${final ? ', peripheries=2' : ''}${s === def.initial ? ', class="state initial"' : ''}];`);
    }
    out.push(`    ${dotString(`${def.role}:__start`)} -> ${id(def.initial)} [class="ok"];`);
    for (const t of def.transitions) {
      const b = base?.transitions.find((x) => x.label === t.label);
      const edited = base !== null && (!b || !same(b, t));
      const label = edgeLabel(t) + (edited ? `\n✎ ${opts.variant ?? 'variant'}: ${b ? editText(b, t) : 'added'}` : '');
      out.push(`    ${id(t.from)} -> ${id(t.to)} [label=${dotString(label)}, class=${edited ? '"edited"' : '"ok"'}${edited ? ', penwidth=2.2' : ''}];`);
    }
    for (const t of dropped) out.push(`    ${id(t.from)} -> ${id(t.to)} [label=${dotString(`${edgeLabel(t)}\n✎ ${opts.variant ?? 'variant'}: dropped`)}, class="edited dropped", style=dashed];`);
    for (const s of from) {
      const ts = def.transitions.filter((t) => t.from === s);
      if (!ts.some((t) => t.trigger === 'MSG')) continue;
      // a `failed` of its own beside each waiting state: short muted arrows, no crossings
      const f = id(`failed<${s}`);
      out.push(`    ${f} [label="failed", class="state failed", fontsize=10, height=0.25];`);
      out.push(`    { rank=same; ${id(s)}; ${f}; }`);
      out.push(`    ${id(s)} -> ${f} [label=${dotString(failureText(ts))}, class="fail", style=dashed, fontsize=9];`);
    }
    out.push('  }');
  });
  out.push('}');
  return out.join('\n') + '\n';
}
