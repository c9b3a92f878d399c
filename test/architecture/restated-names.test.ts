/**
 * One source of truth: no protocol's name, role, variable or message label is restated outside
 * `models/` (../shared/design/architecture.md: "never restate a protocol's messages, variables
 * or names elsewhere — make the code read the machine"; issue 14). The names are read from the
 * models' catalog — every protocol's name, its roles, every variable its machines bind or know,
 * its message labels, its long-term values — and the non-test sources of impl/,
 * properties/, proofs-export/ and cli/ are searched for them as string literals (`env['nB']`,
 * `label: 'OpenSession'`) and as fields read off an environment (`env.nB`), comments left out.
 *
 * Two lists say what is not a restatement, each entry with its reason: words that are a
 * protocol's variable and also a general word where the code uses them (`GENERIC`), and single
 * occurrences known today (`ALLOWED`, file and name; it may only shrink: an entry that no longer
 * matches fails, so it goes).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { ltRefOf } from '../../models/protocol.ts';
import { roleOf } from '../../models/role.ts';
import { type Step, stepTerms } from '../../models/steps.ts';
import { type Term, varsOf } from '../../models/terms.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCANNED = ['impl', 'properties', 'proofs-export', 'cli'];

/** Names a protocol uses that are also general words where the code writes them. */
const GENERIC: Readonly<Record<string, string>> = {
  // the step vocabulary of models/steps.ts and models/protocol.ts, not one protocol's content
  self: "models/protocol.ts: every role's own agent variable",
  peer: "models/protocol.ts: the conventional second agent variable of a long-term reference",
  Oops: "models/steps.ts `oops()`: the label of every session-key reveal",
  // the term algebra and the printers' own words
  app: "models/terms.ts: the term kind `app` (a classic protocol's variable is also called app)",
  // one- and two-letter mathematical names: the curve's point coordinates, a scalar, a
  // ciphertext, function arguments, ProVerif/Tamarin variable names of the printers
  x: 'a point coordinate, a term variable', y: 'a point coordinate', a: 'an argument name', b: 'an argument name', e: 'an exponent (SM2, ECDSA)',
  k: 'a key argument, a Value kind field', q: 'the TPM key-exchange scalar of models/real-tpm.ts, named by its binding', d2: "a printer's variable",
  b2: "a printer's variable", A: "the printers' agent variable (ProVerif `A`, Tamarin lemmas)", B: "the printers' second agent variable", E: "the attacker's agent `E` of the reports",
  sk: 'a signing key argument', ct: 'a ciphertext (the Value sort ct)', sh: 'the shell', mac: 'an RPMB frame field', key: 'a key argument', data: 'a data argument', seed: 'the --seed option',
  node: 'the node executable', report: 'the report command', quote: 'a TPM2_Quote (TPM 2.0 Part 3 §18.4)', pcr: 'a TPM PCR (TPM 2.0 Part 1 §17)', uuid: 'a GlobalPlatform TA UUID',
};

/** Known single restatements, `file: name` → why it stays (for now). */
const ALLOWED: Readonly<Record<string, string>> = {
  'impl/tpm2-bridge/run.ts: S': "a check id of the report ('secret delivered'), not the variable S",
  'proofs-export/proverif/check.ts: channel': 'a ProVerif keyword (the `channel` type), not the protocol',
  'proofs-export/proverif/model.ts: channel': 'a ProVerif keyword (the `channel` type), not the protocol',
  'impl/tpm2-bridge/real-setup.ts: Q': "the real TPM's own key value `Q@tpm` handed to initialEnv (models/real-tpm.ts binding), a name this file introduces",
  'impl/tztcm/session/pairing.ts: TZTCM': "the pairing's KDFe usage label (seed 002 §2.3: K_uuid = kdf(Z, 'TZTCM', uuid, idTDDL)), a string the paper fixes",
  'properties/tztcm/command-arbitraries.ts: StartAuthSession': 'a TPM 2.0 command name (Part 3 §11.1), which the message is named after',
  'properties/tztcm/command-arbitraries.ts: GetRandom': 'a TPM 2.0 command name (Part 3 §16.1), which the message is named after',
  'properties/tztcm/command-arbitraries.ts: Unseal': 'a TPM 2.0 command name (Part 3 §12.7), which the message is named after',
  'proofs-export/tamarin/lemmas.ts: rb': "a Tamarin timepoint variable of the lemma ('#rb', the peer's reveal), not ISO 9798-2's rb",
};

type Kind = 'protocol' | 'role' | 'variable' | 'message' | 'long-term value';

/** Every name of every protocol of the catalog, with what it names. */
function catalogNames(): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  const add = (kind: Kind, n: string, p: string) => {
    if (!names.has(n)) names.set(n, new Set());
    names.get(n)!.add(`${kind} of ${p}`);
  };
  // what a step reads or writes, and a claim's session id
  const termsOf = (s: Step): Term[] => [...stepTerms(s), ...(s.op === 'claim' && s.sid ? [s.sid] : [])];
  for (const p of ALL_PROTOCOLS) {
    add('protocol', p.name, p.name);
    for (const l of p.longTerm) add('long-term value', l.name, p.name);
    for (const r of p.roles) {
      add('role', r.role, p.name);
      for (const a of Object.keys(r.agents)) add('variable', a, p.name);
      for (const k of Object.keys(r.knows)) add('variable', k, p.name);
      const def = roleOf(r.machine);
      for (const x of def.knows) add('variable', x.name, p.name);
      for (const t of def.transitions)
        for (const s of t.steps) {
          if (s.op === 'recv' || s.op === 'send') add('message', s.label, p.name);
          if (s.op === 'let') add('variable', s.v.name, p.name);
          for (const u of termsOf(s)) for (const x of varsOf(u)) if (!ltRefOf(x)) add('variable', x.name, p.name);
        }
    }
  }
  return names;
}

/** The source without its comments (a comment may name what it explains). */
function withoutComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\w])\/\/.*$/gm, '$1');
}

/** The catalog names a source writes as a string literal or reads off an environment. */
export function restated(src: string, names: ReadonlyMap<string, unknown>): { name: string; line: number }[] {
  const code = withoutComments(src);
  const out: { name: string; line: number }[] = [];
  const at = (i: number) => code.slice(0, i).split('\n').length;
  for (const m of code.matchAll(/(['"`])([^'"`\n$\\]+)\1/g)) if (names.has(m[2]!)) out.push({ name: m[2]!, line: at(m.index!) });
  for (const m of code.matchAll(/\b[eE]nv\w*(?:\(\))?\??\.([A-Za-z_]\w*)/g)) if (names.has(m[1]!)) out.push({ name: m[1]!, line: at(m.index!) });
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts)$/.test(e.name) && !/\.(test|prop)\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

test('the catalog yields the names the check looks for (roles, variables, messages, protocols)', () => {
  const names = catalogNames();
  for (const n of ['attestation', 'key-exchange', 'TPM', 'TTP', 'nB', 'sKey', 'TokenTEE', 'OpenSession']) assert.ok(names.has(n), `${n} is not read from the catalog`);
});

test('the check catches a restated variable, message label and protocol name (and not a comment)', () => {
  const names = catalogNames();
  const hit = (src: string) => restated(src, names).map((h) => h.name);
  assert.deepEqual(hit("const nonce = env['nB'];"), ['nB']);
  assert.deepEqual(hit('const nonce = env.nB;'), ['nB']);
  assert.deepEqual(hit("const k = teeEnv()['sKey'];"), ['sKey']);
  assert.deepEqual(hit("if (msg.label === 'TokenTEE') run('key-exchange');"), ['TokenTEE', 'key-exchange']);
  assert.deepEqual(hit("// env['nB'] is read from the machine\n/* 'TokenTEE' */ const x = 1;"), []);
});

test('no protocol name, role, variable or message label is restated outside models/ (except as listed, with a reason)', () => {
  const names = catalogNames();
  const found: string[] = [];
  const matched = new Set<string>();
  for (const layer of SCANNED)
    for (const f of sources(join(root, layer))) {
      const rel = relative(root, f).split('\\').join('/');
      for (const h of restated(readFileSync(f, 'utf8'), names)) {
        if (h.name in GENERIC) continue;
        const key = `${rel}: ${h.name}`;
        if (key in ALLOWED) {
          matched.add(key);
          continue;
        }
        found.push(`${rel}:${h.line}: '${h.name}' (${[...names.get(h.name)!].join(', ')})`);
      }
    }
  assert.equal(found.length, 0, `read these from the machine (roleOf, the protocol declaration) instead of restating them:\n${found.join('\n')}`);
  for (const key of Object.keys(ALLOWED)) assert.ok(matched.has(key), `ALLOWED '${key}' no longer occurs: take it off the list`);
  for (const g of Object.keys(GENERIC)) assert.ok(names.has(g), `GENERIC '${g}' is no longer a name of the catalog: take it off the list`);
});
