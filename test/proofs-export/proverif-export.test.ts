import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PROTOCOLS } from '../../models/protocols/index.ts';
import { CLASSIC_PROTOCOLS as CLASSIC } from '../../models/classic/index.ts';
import { exportProverif } from '../../proofs-export/proverif/model.ts';
import { theoryName } from '../../proofs-export/tamarin/theory.ts';
import { targetOf } from '../../models/target.ts';

/** Identifiers a model uses must be declared: events, constants, functions, roles. */
function undeclared(text: string): string[] {
  const declared = new Set<string>(['c', 'true', 'verify', 'sdec', 'adec']);
  for (const m of text.matchAll(/^(?:const|fun|event|free) ([A-Za-z0-9_]+)/gm)) declared.add(m[1]!);
  for (const m of text.matchAll(/^reduc forall [^;]*; ([A-Za-z0-9_]+)\(/gm)) declared.add(m[1]!);
  for (const m of text.matchAll(/^let (Role_[A-Za-z0-9_]+)\(/gm)) declared.add(m[1]!);
  for (const m of text.matchAll(/\b([A-Za-z0-9_]+): bitstring/g)) declared.add(m[1]!); // variables
  const out = new Set<string>();
  for (const m of text.matchAll(/\bevent ([A-Za-z0-9_]+)\(/g)) if (!declared.has(m[1]!)) out.add(m[1]!);
  for (const m of text.matchAll(/\b((?:c|t|r|e)_[A-Za-z0-9_]+)\b/g)) if (!declared.has(m[1]!)) out.add(m[1]!);
  for (const m of text.matchAll(/\b(Role_[A-Za-z0-9_]+)\(/g)) if (!declared.has(m[1]!)) out.add(m[1]!);
  return [...out];
}
const balanced = (s: string) => [...s.replace(/\(\*.*?\*\)/g, '')].reduce((d, ch) => (d < 0 ? d : d + (ch === '(' ? 1 : ch === ')' ? -1 : 0)), 0) === 0;

for (const p of PROTOCOLS) {
  for (const variant of [undefined, ...p.variants.map((v) => v.id)]) {
    test(`proverif ${p.name}${variant ? ` ${variant}` : ''}: declares what it uses, one query per property direction, a process`, () => {
      const { text } = exportProverif(targetOf(p, variant));
      assert.deepEqual(undeclared(text), []);
      assert.ok(balanced(text), 'parentheses balance');
      for (const prop of p.properties) assert.match(text, new RegExp(`\\(\\* ${prop.id.replace('.', '\\.')} \\(`));
      assert.match(text, /\nprocess\n/);
      for (const r of p.roles) assert.match(text, new RegExp(`^let Role_${r.role}\\(`, 'm'));
    });
  }
  test(`proverif ${p.name}: byte-identical across two exports and equal to the reviewed golden file`, () => {
    const a = exportProverif(targetOf(p)).text;
    assert.equal(a, exportProverif(targetOf(p)).text);
    const file = new URL(`../golden/${theoryName(targetOf(p))}.pv`, import.meta.url);
    if (process.env['UPDATE_GOLDEN']) writeFileSync(file, a);
    assert.ok(existsSync(file), `missing golden file (UPDATE_GOLDEN=1 writes it)`);
    assert.equal(a, readFileSync(file, 'utf8'));
  });
}

test('proverif: secrecy is attacker(x) on the Secret claim, agreement inj-event, M2.3 signs the constant', () => {
  const ke = PROTOCOLS.find((x) => x.name === 'key-exchange')!;
  const base = exportProverif(targetOf(ke)).text;
  assert.match(base, /event\(Secret\(r, t_skey, a, p, x, \(A1, A2\)\)\) && attacker\(x\) ==> event\(Reveal\(e1, A1\)\) \|\| event\(Reveal\(e2, A2\)\)/);
  // the TTP is the one authority, not an agent the attacker picks per session (proofs-export/authorities.ts)
  assert.match(base, /Role_TEE\(self, ag_ttp\)/);
  assert.match(base, /inj-event\(Commit\(r_TEE, t_session, a, b, d, \(A1, A2\)\)\) ==> inj-event\(Running\(r_TPM, t_session/);
  // forward secrecy through a phase: the late compromise of q in phase 1 excuses nothing
  assert.match(base, /P2\.4 .*\n\(\* expected: attack .*\n\(\* forward secrecy: the compromises RevealQ also happen in phase 1/);
  assert.match(base, /!\(\n {4}phase 1;\n {4}in\(c, A: bitstring\);\n {4}event RevealLate\(e_RevealQ, A\);\n {4}out\(c, lt_q\(A\)\);/);
  assert.match(base, /P2\.1 [^\n]*\n[^\n]*\nquery [^\n]*event\(RevealLate\(e1, A1\)\)/);
  assert.match(exportProverif(targetOf(ke, 'two-phase')).text, /P2\.4 .*\n\(\* expected: holds/);
  assert.match(base, /sign\(\(c_ty_\w+, c_policy, nT1, sh\), skT\)/);
  assert.match(exportProverif(targetOf(ke, 'M2.3')).text, /sign\(\(c_ty_\w+, c_policy, c_empty, c_empty\), skT\)/);
});

test('proverif: claims carry their agents, sends end a transition, no top-level =M pattern in a let (ProVerif 2.05 taught these)', () => {
  for (const p of PROTOCOLS.concat(CLASSIC)) {
    for (const variant of [undefined, ...p.variants.map((v) => v.id)]) {
      const { text } = exportProverif(targetOf(p, variant));
      const lines = text.split('\n').map((l) => l.trim());
      // a claim carries its role's agents, the ones its query's excuse names (Tamarin's Honest(A) @ i)
      let params = '';
      for (const l of lines) {
        const role = /^let Role_\w+\((.*)\) =$/.exec(l);
        if (role) params = role[1]!.split(', ').map((x) => x.split(':')[0]).join(', ');
        if (params && /^event (?:Commit|Secret)\(/.test(l)) assert.ok(l.includes(params.includes(',') ? `, (${params}` : `, ${params}`), `${p.name} ${variant ?? ''}: '${l}' without its agents (${params})`);
      }
      assert.doesNotMatch(text, /HonestAt/);
      assert.doesNotMatch(text, /^\s*let =/m, `${p.name}: 'let =M = N in' is a syntax error`);
      // in a role, no event between an out and the next in (a process may stop after any output)
      let afterOut = false;
      for (const l of lines) {
        if (/^out\(/.test(l)) afterOut = true;
        else if (/^in\(|^let Role_|^process/.test(l)) afterOut = false;
        else if (afterOut && /^event (Running|Commit|Secret)\(/.test(l)) assert.fail(`${p.name} ${variant ?? ''}: '${l}' after an output of its transition`);
      }
    }
  }
});
