/**
 * Where in the model's source a property's claim is made: the file and line of the transition
 * that emits the claim the property judges (for CI annotations and SARIF). Machines carry no
 * source positions, so the transition is found by its label — unique within a role, written
 * once as `label: '…'` — in the protocol's own files (a user's file) or in models/ (built-in
 * protocols, beside the bin or the sources alike). A variant's edit is found the same way: the
 * `edit:` of the declaration whose `id:` is the variant's.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PropertyDecl, Protocol } from '../models/protocol.ts';
import { roleOf } from '../models/role.ts';

export interface SourceLocation {
  /** relative to the working directory */
  readonly file: string;
  readonly line: number;
  /** the transition's label */
  readonly transition: string;
}

const MODELS = fileURLToPath(new URL('../models/', import.meta.url));

function tsFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
  } catch {
    return [];
  }
}

/** The transition that makes the claim `property` judges: its commit role's Commit (agreement),
 * else the first claim of its tag. */
export function claimTransition(p: Protocol, property: PropertyDecl): string | undefined {
  const roles = property.commit ? p.roles.filter((r) => r.role === property.commit) : p.roles;
  for (const r of roles)
    for (const t of roleOf(r.machine).transitions)
      if (t.steps.some((s) => s.op === 'claim' && s.tag === property.tag && (property.commit ? s.event === 'Commit' : true))) return t.label;
  return undefined;
}

/**
 * The first line of `files` that writes `label` (built-in: every file under models/): `label:
 * '<label>'`, or a template that makes it (`label: \`tztcm.invoke${i}\`` for 'tztcm.invoke2').
 */
export function locateLabel(label: string, files: readonly string[] = tsFiles(MODELS)): SourceLocation | undefined {
  const stem = label.replace(/\d+$/, '');
  const needles = [`label: '${label}'`, `label: "${label}"`, ...(stem !== label ? [`label: \`${stem}\${`] : [])];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    const i = lines.findIndex((l) => needles.some((n) => l.includes(n)));
    if (i >= 0) return { file: relative(process.cwd(), f) || f, line: i + 1, transition: label };
  }
  return undefined;
}

/** The line of `files` where the variant `id` declares its edit: the first `edit:` after the
 * line `id: '<id>'`, before the next declaration's `id:`. */
export function locateVariantEdit(id: string, files: readonly string[]): SourceLocation | undefined {
  const idLine = new RegExp(`\\bid: ['"]${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]`);
  for (const f of files) {
    let lines: string[];
    try {
      lines = readFileSync(f, 'utf8').split('\n');
    } catch {
      continue;
    }
    for (let i = lines.findIndex((l) => idLine.test(l)); i >= 0 && i < lines.length; i++) {
      if (/\bedit:/.test(lines[i]!)) return { file: relative(process.cwd(), f) || f, line: i + 1, transition: `${id} edit` };
      if (i > 0 && /\bid: ['"]/.test(lines[i]!) && !idLine.test(lines[i]!)) break;
    }
  }
  return undefined;
}

/** Where variant `id` of `p` declares its edit (a user's files first, then the model files
 * that name the protocol). */
export function variantEditLocation(p: Protocol, id: string, files: readonly string[] = []): SourceLocation | undefined {
  return (files.length ? locateVariantEdit(id, files) : undefined) ?? locateVariantEdit(id, tsFiles(MODELS).filter((f) => readFileSync(f, 'utf8').includes(`'${p.name}'`)));
}

/** Where `property` of `p` is claimed, searching `files` first (a user's protocol files), then
 * the model files that name the protocol (labels repeat across protocols: i.msg3), then all. */
export function propertyLocation(p: Protocol, property: PropertyDecl, files: readonly string[] = []): SourceLocation | undefined {
  const label = claimTransition(p, property);
  if (!label) return undefined;
  const all = tsFiles(MODELS);
  const naming = all.filter((f) => readFileSync(f, 'utf8').includes(`'${p.name}'`));
  return (files.length ? locateLabel(label, files) : undefined) ?? locateLabel(label, naming) ?? locateLabel(label, all);
}
