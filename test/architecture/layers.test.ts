/**
 * The dependency rule, read from the import graph: models ← impl ← properties / proofs-export ←
 * cli (../shared/design/architecture.md). Every relative import (static or dynamic) of every
 * source file is resolved to the top-level folder it lands in and checked against the layers
 * that folder may use. `properties/` and `proofs-export/` are siblings: neither imports the other.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What each source layer may import, besides itself and packages. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  models: [],
  impl: ['models'],
  properties: ['models', 'impl'],
  'proofs-export': ['models', 'impl'],
  cli: ['models', 'impl', 'properties', 'proofs-export'],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    // tests beside the sources may reach anything (they are not part of the layer)
    else if (/\.(ts|js|mjs)$/.test(e.name) && !/\.(test|prop)\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Relative specifiers of `from '…'`, `import('…')` and `export … from '…'`. */
export function relativeImports(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\1/g;
  for (const m of source.matchAll(re)) specs.push(m[2]!);
  return specs;
}

function layerOf(absPath: string): string {
  return relative(root, absPath).split(sep)[0]!;
}

test('the import-graph scanner sees static, dynamic and re-export imports', () => {
  const src = `import { a } from '../models/a.ts';\nconst b = await import('../impl/b.ts');\nexport { c } from "./c.ts";\nimport '../x.ts';`;
  assert.deepEqual(relativeImports(src), ['../models/a.ts', '../impl/b.ts', './c.ts', '../x.ts']);
});

test('every layer imports only the layers below it', () => {
  const violations: string[] = [];
  let edges = 0;
  for (const [layer, allowed] of Object.entries(MAY_IMPORT)) {
    for (const file of sourceFiles(join(root, layer))) {
      for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
        const target = layerOf(resolve(dirname(file), spec));
        edges++;
        if (target !== layer && !allowed.includes(target)) {
          violations.push(`${relative(root, file)} imports ${spec} (${layer} may not import ${target})`);
        }
      }
    }
  }
  assert.ok(edges > 100, `the scanner found only ${edges} imports: it is not reading the tree`);
  assert.deepEqual(violations, []);
});

test('the rule catches an upward import', () => {
  // the check above applied to a made-up file: impl importing the explorer must be refused
  const file = join(root, 'impl', 'runtime', 'made-up.ts');
  const target = layerOf(resolve(dirname(file), '../../properties/explorer/verify.ts'));
  assert.equal(target, 'properties');
  assert.ok(!MAY_IMPORT['impl']!.includes(target));
});
