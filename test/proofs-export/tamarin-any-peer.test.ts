/**
 * Agreement with any peer (`peers: 'any'`, models/judge.ts) in the Tamarin export: every such
 * property has its lemma (it was left out before), the claim data matched component by
 * component and "the attacker had it before the claim" written as `KU(x) @ #k & #k < #i` per
 * non-public component. Tamarin 1.9 (662a8575) on these lemmas, as the explorer: nspk's NS6
 * falsified (10 steps), nsl's NS6 verified (21 steps), ccitt-x509's X4 falsified (7 steps);
 * with `K(d)` (and with `K(x)` per component) nsl's NS6 was falsified — `K` is the attacker
 * sending exactly that term, which no trace needs. No prover needed here.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { targetOf } from '../../models/target.ts';
import { propertiesOf } from '../../models/protocol.ts';
import { exportTamarin } from '../../proofs-export/tamarin/theory.ts';
import { theoryProblems } from '../../proofs-export/tamarin/check-theory.ts';
import { type TItem, all, and, at, ex, fact, imp, mv, tv, tvar } from '../../proofs-export/tamarin/ast.ts';

const anyPeer = ALL_PROTOCOLS.flatMap((p) =>
  [undefined, ...p.variants.map((v) => v.id)].flatMap((variant) => {
    const target = targetOf(p, variant);
    return propertiesOf(p, p.variants.find((v) => v.id === variant)).filter((x) => x.peers === 'any').map((prop) => ({ p, variant, target, prop }));
  }),
);

test('the classic corpus has properties with any peer (nspk, nsl NS6; ccitt-x509 X4)', () => {
  assert.ok(anyPeer.length >= 3, anyPeer.map((x) => x.prop.id).join());
});

test('every property with any peer is a lemma of its theory: the peer excused only with the attacker having each secret component (KU before the claim)', () => {
  for (const { p, variant, target, prop } of anyPeer) {
    const text = exportTamarin(target).text;
    const where = `${p.name} ${variant ?? ''} ${prop.id}`;
    const m = new RegExp(`lemma ${prop.id.replace('.', '_')}_[a-z_]+:\\n([\\s\\S]*?)"\\n`).exec(text);
    assert.ok(m, `${where}: no lemma`);
    const body = m[1]!;
    assert.match(body, /Commit\('[^']+', 'tag_[^']+', a, b, <x1(, x\d+)+>\) @ #i/, where);
    assert.match(body, /Reveal\(kindb, b\) @ #rb/, where);
    assert.match(body, /KU\(x\d+\) @ #k1 & #k1 < #i/, where);
    assert.doesNotMatch(body, /\bK\(/, `${where}: K(t) is the attacker sending t, not knowing it`);
    assert.doesNotMatch(text, /Not exported/, where);
  }
});

test('the checker takes KU outside a [sources] lemma only as "had x before #t"', () => {
  const lemma = (before: boolean): TItem => ({
    k: 'lemma',
    lemma: {
      name: 'had',
      comments: [],
      trace: 'all-traces',
      formula: all([mv('s'), tv('i')], imp(at(fact('Secret', tvar('s')), 'i'), ex([tv('k')], before ? and(at(fact('KU', tvar('s')), 'k'), { k: 'before', a: 'k', b: 'i' }) : at(fact('KU', tvar('s')), 'k')))),
    },
  });
  const rules = [{ name: 'S', comments: [], lhs: [fact('Fr', tvar('s', 'fresh'))], actions: [fact('Secret', tvar('s', 'fresh'))], rhs: [] }];
  const theory = (item: TItem) => ({ name: 't', comments: [], builtins: [], functions: [], items: [...rules.map((rule) => ({ k: 'rule' as const, rule })), item] });
  assert.deepEqual(theoryProblems(theory(lemma(true))), []);
  assert.match(theoryProblems(theory(lemma(false))).join('\n'), /KU stands only in a \[sources\] lemma or as 'KU\(x\) @ #k & #k < #t'/);
});
