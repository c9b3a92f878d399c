import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { exportProverif } from '../../proofs-export/proverif/model.ts';
import { modelProblems } from '../../proofs-export/proverif/check.ts';
import { type PvDecl, type PvStep, papp, pvar } from '../../proofs-export/proverif/ast.ts';
import { targetOf } from '../../models/target.ts';

/** A small well-formed model: one role receiving a ciphertext, claiming, sending. */
function model(body: PvStep[], extra: PvDecl[] = []): PvDecl[] {
  return [
    { k: 'free', name: 'c', type: 'channel' },
    { k: 'const', name: 't_x' },
    { k: 'fun', name: 'senc', arity: 2, result: 'bitstring', private: false },
    { k: 'reduc', vars: ['m', 'k'], lhs: papp('sdec', papp('senc', pvar('m'), pvar('k')), pvar('k')), rhs: pvar('m') },
    { k: 'event', name: 'Commit', arity: 4 },
    { k: 'event', name: 'Running', arity: 3 },
    ...extra,
    { k: 'let', name: 'Role_A', params: ['self', 'k'], body },
  ];
}
const ok: PvStep[] = [
  { k: 'in', pattern: { k: 'bind', name: 'ct' } },
  { k: 'let', pattern: { k: 'tuple', items: [{ k: 'eq', t: pvar('self') }, { k: 'bind', name: 'n' }] }, t: papp('sdec', pvar('ct'), pvar('k')) },
  { k: 'event', name: 'Commit', args: [pvar('self'), pvar('t_x'), pvar('n'), { k: 'tuple', items: [pvar('self'), pvar('k')] }] },
  { k: 'out', t: papp('senc', pvar('n'), pvar('k')) },
];
const problems = (d: PvDecl[]) => modelProblems(d).join('\n');

test('the hand-built model is well formed, and so is every export (design protocols, variants, classic corpus)', () => {
  assert.deepEqual(modelProblems(model(ok)), []);
  for (const p of ALL_PROTOCOLS) for (const v of [undefined, ...p.variants.map((x) => x.id)]) assert.deepEqual(modelProblems(exportProverif(targetOf(p, v)).decls), [], `${p.name} ${v ?? ''}`);
});

test("'let =M = N in' (ProVerif 2.05: syntax error in nspk.pv and nsl.pv) is rejected", () => {
  const bad = [...ok.slice(0, 2), { k: 'let', pattern: { k: 'eq', t: pvar('n') }, t: papp('sdec', pvar('ct'), pvar('k')) } as PvStep, ...ok.slice(2)];
  assert.match(problems(model(bad)), /top-level '=M' pattern is a syntax error/);
});

test("a claim without its process's agents (the query's excuse) and a claim after an output are rejected", () => {
  // the old export's form: the claim's agents in HonestAt events before it, the claim without them
  const old: PvStep[] = [ok[0]!, ok[1]!, { k: 'event', name: 'Commit', args: [pvar('self'), pvar('t_x'), pvar('n'), pvar('self')] }, ok[3]!];
  assert.match(problems(model(old)), /Commit does not end with the tuple of its process's agents/);
  assert.match(problems(model([ok[0]!, ok[1]!, ok[3]!, { k: 'event', name: 'Running', args: [pvar('t_x'), pvar('self'), pvar('n')] }])), /event Running after an output/);
});

test('undeclared or misapplied symbols, unbound variables and keywords as names are rejected', () => {
  assert.match(problems(model([...ok, { k: 'event', name: 'Finish', args: [pvar('self')] }])), /event 'Finish' is not declared/);
  assert.match(problems(model([...ok, { k: 'out', t: papp('senc', pvar('n')) }])), /'senc' takes 2 arguments, given 1/);
  assert.match(problems(model([...ok, { k: 'out', t: pvar('nowhere') }])), /'nowhere' is neither bound nor declared/);
  assert.match(problems(model(ok, [{ k: 'const', name: 'phase' }])), /'phase' is a ProVerif keyword/);
  assert.match(problems(model([...ok, { k: 'out', t: { k: 'tuple', items: [pvar('n')] } }])), /a tuple of 1 element/);
});
