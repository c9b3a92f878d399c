import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_PROTOCOLS } from '../../models/catalog.ts';
import { kindSignature, tagTerm } from '../../proofs-export/typing-tags.ts';
import { exportTamarin } from '../../proofs-export/tamarin/theory.ts';
import { exportProverif } from '../../proofs-export/proverif/model.ts';
import { type TTerm, subterms } from '../../proofs-export/tamarin/ast.ts';
import { aenc, pk, tup, v } from '../../models/terms.ts';
import { targetOf } from '../../models/target.ts';

test("kind signatures follow the runtime's kinds: nonce, digest and ciphertext are bytes; agents constants; tuples prefix", () => {
  assert.equal(kindSignature(tup(v('na', 'nonce'), v('A', 'agent'))), 't2_bytes_const');
  assert.equal(kindSignature(tup(v('na', 'nonce'), v('nb', 'nonce'))), 't2_bytes_bytes');
  assert.equal(kindSignature(tup(tup(v('c', 'ct'), v('d', 'digest')), { t: 'const', name: 'x' })), 't2_t2_bytes_bytes_const');
  assert.deepEqual(tagTerm(aenc(v('nb', 'nonce'), pk(v('sk', 'skey')))), aenc(tup({ t: 'const', name: 'ty_bytes' }, v('nb', 'nonce')), pk(v('sk', 'skey'))));
});

test("nspk: message 1 (bytes, constant) can no longer be taken for message 2 (bytes, bytes) — ProVerif 2.05 falsified NS4 with a reflected initiator on exactly that", () => {
  const nspk = ALL_PROTOCOLS.find((p) => p.name === 'nspk')!;
  const t = exportTamarin(targetOf(nspk)).text;
  assert.match(t, /Out\(aenc\(<'ty_t2_bytes_const', ~na, \$self>, pkPeer\)\)/);
  assert.match(t, /In\(aenc\(<'ty_t2_bytes_bytes', ~na, nb>, pk\(~sk\)\)\)/);
  assert.match(exportProverif(targetOf(nspk)).text, /let \(=c_ty_t2_bytes_bytes, =na, nb: bitstring\) = adec\(ct2, sk\) in/);
});

test('every tag a rule receives is one some rule sends or holds (sender and receiver agree on every plaintext shape)', () => {
  const tags = (t: TTerm) => subterms(t).flatMap((s) => (s.k === 'const' && s.name.startsWith('ty_') ? [s.name] : []));
  for (const p of ALL_PROTOCOLS)
    for (const variant of [undefined, ...p.variants.map((x) => x.id)]) {
      const rules = exportTamarin(targetOf(p, variant)).theory.items.flatMap((i) => (i.k === 'rule' ? [i.rule] : []));
      const made = new Set(rules.flatMap((r) => r.rhs.flatMap((f) => f.args.flatMap(tags))));
      for (const r of rules)
        for (const f of [...r.lhs.filter((x) => x.name === 'In'), ...r.actions.filter((x) => x.name === 'Eq')])
          for (const tag of f.args.flatMap(tags)) assert.ok(made.has(tag), `${p.name} ${variant ?? ''} ${r.name}: receives '${tag}', which no rule produces`);
    }
});

test('an unchecked item (sort msg) in a decryption pattern takes any tag: Otway–Rees untyped-key keeps its type flaw in the exports; the typed base its constant tag', () => {
  const or = ALL_PROTOCOLS.find((p) => p.name === 'otway-rees')!;
  assert.match(exportTamarin(targetOf(or, 'untyped-key')).text, /In\(<~m, senc\(<ty_kab, ~na, kab>, ~k\)>\)/);
  assert.match(exportProverif(targetOf(or, 'untyped-key')).text, /let \(ty_kab: bitstring, =na, kab: bitstring\) = sdec\(ct4, k\) in/);
  assert.match(exportTamarin(targetOf(or)).text, /senc\(<'ty_t2_bytes_bytes', ~na, kab>, ~k\)/);
});
